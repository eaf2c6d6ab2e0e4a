package bounce

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDir finds ../shared/corpus/NAME from the module root; absent, the
// test skips (and fails under CI, where the corpus must be present).
func corpusDir(t *testing.T, name string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; filepath.Dir(d) != d; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			dir := filepath.Join(d, "..", "shared", "corpus", name)
			if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatalf("corpus missing under CI: %v", err)
				}
				t.Skipf("corpus not present: %v", err)
			}
			return dir
		}
	}
	t.Fatal("no go.mod above " + wd)
	return ""
}

type manifestLine struct {
	file   string
	addrs  []string
	kinds  []string
	status string
}

func readManifest(t *testing.T, dir string) []manifestLine {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "MANIFEST"))
	if err != nil {
		t.Fatal(err)
	}
	var out []manifestLine
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 3 || strings.HasPrefix(line, "#") {
			continue
		}
		ml := manifestLine{file: f[0], status: f[4]}
		if f[1] != "-" && f[1] != "?" {
			ml.addrs = strings.Split(strings.ToLower(f[1]), ",")
		} else if f[1] == "?" {
			ml.addrs = []string{"?"}
		}
		ml.kinds = strings.Split(f[2], ",")
		out = append(out, ml)
	}
	return out
}

// expectedKind is the kind of the i-th address (aligned lists for mixed).
func (ml manifestLine) expectedKind(i int) string {
	if len(ml.kinds) == len(ml.addrs) {
		return ml.kinds[i]
	}
	return ml.kinds[0]
}

// disputed are MANIFEST expectations this parser contradicts on purpose.
var disputed = map[string]string{
	// A Postfix "delayed" DSN (Action: delayed, Status 4.x.x): the upstream
	// calls a warning no bounce; RFC 3464 and Mailman count it temporary.
	"bounceparser/warning-8.msg": "a delayed DSN counts as a temporary failure",
}

// TestCorpus runs Parse over every bounce of the shared corpus and
// compares each expected (address, class) pair with the answer.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t, "bounces")
	verbose := os.Getenv("BOUNCE_VERBOSE") != ""
	var right, total, unknown, misses int
	for _, ml := range readManifest(t, dir) {
		raw, err := os.ReadFile(filepath.Join(dir, ml.file))
		if err != nil {
			t.Fatal(err)
		}
		r := Parse(raw)
		got := map[string]string{}
		for _, x := range r.Recipients {
			c := string(x.Class)
			if r.Kind == Feedback {
				c = "feedback"
			}
			got[x.Address] = c
		}
		scored := r.Kind == Failed && len(r.Recipients) > 0
		switch {
		case len(ml.addrs) == 1 && ml.addrs[0] == "?":
			unknown++
			if verbose {
				t.Logf("? %s: %s %v", ml.file, r.Kind, got)
			}
			continue
		case len(ml.addrs) == 0:
			// not-bounce, delivered, or no address can be found.
			if scored && disputed[ml.file] != "" {
				t.Logf("%s: scored %v against the MANIFEST: %s", ml.file, got, disputed[ml.file])
			} else if scored {
				t.Errorf("%s (%s): scored %v, want nobody (detector %s)", ml.file, ml.kinds[0], got, r.Detector)
			}
			continue
		}
		want := map[string]bool{}
		for i, a := range ml.addrs {
			want[a] = true
			total++
			k := ml.expectedKind(i)
			// "unknown": a bounce whose class nobody could tell; the address is what counts.
			if got[a] == k || (k == "delivered" && r.Kind == Delivered) || (k == "unknown" && got[a] != "") {
				right++
			} else {
				misses++
				if verbose {
					t.Logf("MISS %s: want %s %s, got %s %v (detector %s)", ml.file, a, k, r.Kind, got, r.Detector)
				}
			}
		}
		for a := range got {
			if !want[a] {
				t.Errorf("%s: reported %s (%s), not an expected address %v (detector %s)", ml.file, a, got[a], ml.addrs, r.Detector)
			}
		}
	}
	acc := 100 * float64(right) / float64(total)
	fmt.Printf("bounce corpus: %d of %d expected (address, class) pairs right: %.1f %% (%d files without a trustworthy address skipped)\n",
		right, total, acc, unknown)
	if acc < 98 {
		t.Errorf("accuracy %.1f %% is below 98 %% (BOUNCE_VERBOSE=1 lists the misses)", acc)
	}
}

// TestCorpusAutoreplies: no auto-reply is ever a bounce.
func TestCorpusAutoreplies(t *testing.T) {
	dir := corpusDir(t, "autoreplies")
	n := 0
	for _, ml := range readManifest(t, dir) {
		raw, err := os.ReadFile(filepath.Join(dir, ml.file))
		if err != nil {
			t.Fatal(err)
		}
		if r := Parse(raw); r.Kind == Failed || r.Kind == Feedback {
			t.Errorf("%s: parsed as %s %v (detector %s)", ml.file, r.Kind, r.Recipients, r.Detector)
		}
		n++
	}
	if n < 10 {
		t.Errorf("only %d auto-replies read", n)
	}
}
