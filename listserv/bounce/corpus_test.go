package bounce

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
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

// knownMiss is one reviewed line of testdata/corpus-known-misses.tsv: a
// corpus file where the parser and the MANIFEST disagree, and why.
type knownMiss struct {
	file, got, want, kind, reason string
}

const knownMissesFile = "testdata/corpus-known-misses.tsv"

// readKnownMisses reads the list: file, what Parse returns, what the
// MANIFEST expects, miss or disputed, and a one-line reason.
func readKnownMisses(t *testing.T) map[string]knownMiss {
	t.Helper()
	b, err := os.ReadFile(knownMissesFile)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]knownMiss{}
	for n, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 || (f[3] != "miss" && f[3] != "disputed") || f[4] == "" || f[4] == "TODO" {
			t.Fatalf("%s:%d: want file, got, want, miss|disputed, reason: %q", knownMissesFile, n+1, line)
		}
		if _, dup := out[f[0]]; dup {
			t.Fatalf("%s:%d: %s listed twice", knownMissesFile, n+1, f[0])
		}
		out[f[0]] = knownMiss{file: f[0], got: f[1], want: f[2], kind: f[3], reason: f[4]}
	}
	return out
}

// corpusResult is one file's comparison with the MANIFEST.
type corpusResult struct {
	got, want          string // canonical "addr class, ..." or "-"
	right, total       int    // expected pairs
	unexpected         bool   // an address the MANIFEST does not name
	scoredNonBounce    bool   // the MANIFEST expects nobody, we scored someone
	onlyTemporary      bool   // every scored address is temporary
	manifestKind, note string
}

func pairs(m map[string]string) string {
	if len(m) == 0 {
		return "-"
	}
	var s []string
	for a, c := range m {
		s = append(s, a+" "+c)
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

func compareCorpus(ml manifestLine, r *Result) corpusResult {
	got := map[string]string{}
	onlyTemp := true
	for _, x := range r.Recipients {
		c := string(x.Class)
		if r.Kind == Feedback {
			c = "feedback"
		}
		got[x.Address] = c
		onlyTemp = onlyTemp && x.Class == Temporary
	}
	cr := corpusResult{got: pairs(got), manifestKind: ml.kinds[0], onlyTemporary: onlyTemp,
		note: fmt.Sprintf("%s, detector %q", r.Kind, r.Detector)}
	if len(ml.addrs) == 0 {
		cr.want = "-"
		cr.scoredNonBounce = r.Kind == Failed && len(r.Recipients) > 0
		return cr
	}
	want := map[string]string{}
	for i, a := range ml.addrs {
		k := ml.expectedKind(i)
		want[a] = k
		cr.total++
		// "unknown": a bounce whose class nobody could tell; the address is what counts.
		if got[a] == k || (k == "delivered" && r.Kind == Delivered) || (k == "unknown" && got[a] != "") {
			cr.right++
		}
	}
	cr.want = pairs(want)
	for a := range got {
		if _, ok := want[a]; !ok {
			cr.unexpected = true
		}
	}
	return cr
}

// TestCorpus runs Parse over every bounce of the shared corpus and
// compares each expected (address, class) pair with the answer. It is a
// ratchet: every disagreement must be listed, with its reason, in
// testdata/corpus-known-misses.tsv, and a listed file that now agrees
// fails until its line is deleted, so the list only shrinks.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t, "bounces")
	known := readKnownMisses(t)
	seen := map[string]bool{}
	var right, total, unknown int
	for _, ml := range readManifest(t, dir) {
		raw, err := os.ReadFile(filepath.Join(dir, ml.file))
		if err != nil {
			t.Fatal(err)
		}
		if len(ml.addrs) == 1 && ml.addrs[0] == "?" {
			unknown++
			continue
		}
		cr := compareCorpus(ml, Parse(raw))
		right += cr.right
		total += cr.total
		km, listed := known[ml.file]
		seen[ml.file] = listed
		checkCorpusFile(t, ml.file, cr, km, listed)
	}
	for f := range known {
		if _, ok := seen[f]; !ok {
			t.Errorf("%s lists %s, which the MANIFEST does not (or marks '?'): delete the line", knownMissesFile, f)
		}
	}
	acc := 100 * float64(right) / float64(total)
	goal := "NOT MET"
	if acc >= 98 {
		goal = "met"
	}
	fmt.Printf("bounce corpus: %d of %d expected (address, class) pairs right: %.1f %% (%d files without a trustworthy address skipped); goal 98 %%: %s; %d files listed in %s\n",
		right, total, acc, unknown, goal, len(known), knownMissesFile)
	if acc < 98 {
		t.Errorf("bounce corpus accuracy %.1f %% is below the 98 %% goal", acc)
	}
}

// checkCorpusFile fails on a disagreement not listed (a regression), on a
// listed one that changed or went away, and on a non-bounce or success
// DSN that scores anyone, which no list excuses.
func checkCorpusFile(t *testing.T, file string, cr corpusResult, km knownMiss, listed bool) {
	t.Helper()
	agrees := cr.right == cr.total && !cr.unexpected && !cr.scoredNonBounce
	line := fmt.Sprintf("%s\t%s\t%s\tmiss\tREASON", file, cr.got, cr.want)
	switch {
	case agrees && listed:
		t.Errorf("%s now agrees with the MANIFEST (%s): delete its line from %s", file, cr.got, knownMissesFile)
	case agrees:
	case cr.scoredNonBounce && (!listed || km.kind != "disputed" || cr.manifestKind != "not-bounce" || !cr.onlyTemporary):
		t.Errorf("%s (%s): scored %s, want nobody (%s); only a temporary score on a not-bounce may be listed, as disputed", file, cr.manifestKind, cr.got, cr.note)
	case !listed:
		t.Errorf("%s: returned %s, MANIFEST %s (%s): a regression; if it is a reviewed difference, add to %s:\n%s", file, cr.got, cr.want, cr.note, knownMissesFile, line)
	case km.got != cr.got || km.want != cr.want:
		t.Errorf("%s: listed as returning %q for %q, now returns %q for %q (%s): fix the regression or update the line", file, km.got, km.want, cr.got, cr.want, cr.note)
	case testing.Verbose():
		t.Logf("known %s %s: returned %s, MANIFEST %s: %s", km.kind, file, cr.got, cr.want, km.reason)
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
