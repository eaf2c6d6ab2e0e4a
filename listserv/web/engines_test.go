package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readMethod matches the store methods that only read.
var readMethod = regexp.MustCompile(`^(Get|List|Peek|Count|Find|Search|Memberships|Directory|HeldNote|Pending|ModerationSettings|AllLists|Secret|Outbox|Session|Lookup|Caller|Staff|Moderated)`)

// TestWebWritesOnlyThroughEngines: the handlers read the store directly
// but change it only through the engines (signin, moderation, subscribe),
// which check input and audit in the same transaction as the change. Two
// guards: the web's Store interface declares only reads, and no handler
// calls a writing method on a store, its own (s.st) or one an engine
// hands out (e.Store()).
func TestWebWritesOnlyThroughEngines(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range storeWrites(f) {
			t.Errorf("%s: the web writes to the store directly (%s); go through an engine", fset.Position(m.Pos()), m.Name)
		}
	}
}

// storeWrites returns the writing methods f declares in an interface named
// Store or calls on a store.
func storeWrites(f *ast.File) []*ast.Ident {
	var bad []*ast.Ident
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.TypeSpec:
			it, ok := n.Type.(*ast.InterfaceType)
			if !ok || n.Name.Name != "Store" {
				return true
			}
			for _, fld := range it.Methods.List {
				for _, id := range fld.Names {
					if !readMethod.MatchString(id.Name) {
						bad = append(bad, id)
					}
				}
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if ok && isStore(sel.X) && !readMethod.MatchString(sel.Sel.Name) {
				bad = append(bad, sel.Sel)
			}
		}
		return true
	})
	return bad
}

// isStore: x is a server's store field (s.st, h.st) or an engine's
// Store() accessor.
func isStore(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.SelectorExpr:
		return x.Sel.Name == "st"
	case *ast.CallExpr:
		sel, ok := x.Fun.(*ast.SelectorExpr)
		return ok && sel.Sel.Name == "Store" && len(x.Args) == 0
	}
	return false
}

// TestStoreWritesDetected is the guard's positive control: it catches a
// write in each place it looks.
func TestStoreWritesDetected(t *testing.T) {
	src := `package web
type Store interface { GetList(); DeleteSession() }
func (s *Server) a() { s.st.CreateSession(); s.st.GetSession() }
func (h *subs) b() { h.e.Store().JoinList(); h.e.Store().GetPerson() }
`
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, id := range storeWrites(f) {
		got = append(got, id.Name)
	}
	if strings.Join(got, ",") != "DeleteSession,CreateSession,JoinList" {
		t.Errorf("found %v, want DeleteSession, CreateSession and JoinList", got)
	}
}
