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

// writesOwnedElsewhere are the sign-in and session writes of the files
// another part of the work owns (login, sessions); listed so that a new
// direct write anywhere else fails this test.
var writesOwnedElsewhere = map[string]bool{
	"login.go:EnqueueMail": true, "login.go:ConsumeToken": true, "login.go:CreateSession": true,
	"login.go:DeleteSession": true, "auth.go:DeleteSession": true, "auth.go:TouchSession": true,
}

// TestWebWritesOnlyThroughEngines: the handlers read the store directly
// but change it only through the engines (moderation, subscribe), which
// check input and audit in the same transaction as the change.
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
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			recv, ok := sel.X.(*ast.SelectorExpr)
			if !ok || recv.Sel.Name != "st" {
				return true
			}
			m := sel.Sel.Name
			if !readMethod.MatchString(m) && !writesOwnedElsewhere[name+":"+m] {
				t.Errorf("%s: the web writes to the store directly (%s); go through an engine", fset.Position(call.Pos()), m)
			}
			return true
		})
	}
}
