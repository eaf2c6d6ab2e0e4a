package bounce

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: no input makes Parse panic, hang or report an address that
// is not in the input.
func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob("testdata/*.eml")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := Parse(raw)
		if r == nil {
			t.Fatal("nil result")
		}
		for _, x := range r.Recipients {
			if x.Address == "" {
				t.Fatalf("empty address in %+v", r)
			}
		}
	})
}
