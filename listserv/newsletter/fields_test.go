package newsletter

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

func TestSubjectKind(t *testing.T) {
	for _, c := range []struct {
		subject   string
		hash      bool
		kind, out string
	}{
		{"[event] Spring assembly", false, "event", "Spring assembly"},
		{"Re: [ASK]  Room in Leeds", false, "ask", "Room in Leeds"},
		{"Fwd: Heat pumps [Research]", false, "research", "Heat pumps"},
		{"[ offer ] Legal advice", false, "offer", "Legal advice"},
		{"Spring assembly", false, "", "Spring assembly"},
		{"#event Spring assembly", true, "event", "Spring assembly"},
		{"[team] Spring assembly #Event", true, "event", "[team] Spring assembly"},
		{"Issue#event", true, "", "Issue#event"},
		{"#events are great", true, "", "#events are great"},
		{"[event] not a hash tag", true, "", "[event] not a hash tag"},
	} {
		kind, out := SubjectKind(c.subject, c.hash)
		if kind != c.kind || out != c.out {
			t.Errorf("SubjectKind(%q, %v) = %q, %q; want %q, %q", c.subject, c.hash, kind, out, c.kind, c.out)
		}
	}
}

func TestParseFields(t *testing.T) {
	body := "Hello editors,\r\n\r\nStart: 2027-03-29 10:00\r\nEND: 16:30\r\nWhere: Glasgow\r\nBooking-link: https://book.example/a\r\n" +
		"Description: A day of talks\r\n  and workshops.\r\nTopics: Housing; energy, housing\r\nhttp://not.a.field\r\n-- \r\nAnn\r\nTitle: in the signature\r\n"
	f := ParseFields(body)
	want := map[string]string{FStarts: "2027-03-29 10:00", FEnds: "16:30", FLocation: "Glasgow",
		FBooking: "https://book.example/a", FSummary: "A day of talks and workshops.", FTopics: "Housing; energy, housing"}
	for k, v := range want {
		if f.Values[k] != v {
			t.Errorf("field %s = %q, want %q", k, f.Values[k], v)
		}
	}
	if _, ok := f.Values[FTitle]; ok {
		t.Error("a field after the signature was read")
	}
	if f.Rest != "Hello editors,\n\nhttp://not.a.field" {
		t.Errorf("rest = %q", f.Rest)
	}
	it, notes := FromFields(store.ItemEvent, "Spring assembly", f)
	if err := Normalize(it, time.Now()); err != nil || len(notes) != 0 {
		t.Fatalf("normalize: %v, notes %q", err, notes)
	}
	london, _ := time.LoadLocation("Europe/London")
	if !it.Starts.Equal(time.Date(2027, 3, 29, 10, 0, 0, 0, london)) || !it.Ends.Equal(time.Date(2027, 3, 29, 16, 30, 0, 0, london)) {
		t.Errorf("times %v to %v", it.Starts, it.Ends)
	}
	if it.Title != "Spring assembly" || it.Summary != "A day of talks and workshops." || !slices.Equal(it.Topics, []string{"housing", "energy"}) {
		t.Errorf("item %+v", it)
	}
}

// TestFromFieldsBestEffort: values that cannot be read are left out and
// named; a missing start is Normalize's clear error.
func TestFromFieldsBestEffort(t *testing.T) {
	it, notes := FromFields(store.ItemAsk, "A hall", ParseFields("Closes: soon\nLink: ftp://x\nRespond: ann@example.net\n"))
	if len(notes) != 2 || !it.Closes.IsZero() || it.URL != "" || it.Respond != "ann@example.net" {
		t.Errorf("item %+v notes %q", it, notes)
	}
	it, notes = FromFields(store.ItemEvent, "Party", ParseFields("When: next Tuesday\n"))
	if err := Normalize(it, time.Now()); err == nil || len(notes) != 1 || !strings.Contains(notes[0], "next Tuesday") {
		t.Errorf("unreadable start: %v, notes %q", err, notes)
	}
	it, _ = FromFields(store.ItemEvent, "Fair", ParseFields("Date: 2 May 2027\n"))
	if err := Normalize(it, time.Now()); err != nil || !it.AllDay || it.Ends.Sub(it.Starts) != 24*time.Hour {
		t.Errorf("all-day event: %v %+v", err, it)
	}
}

func TestEventFromMailWithICS(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "submit_ics.eml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := mailhdr.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	kind, title := SubjectKind(p.Subject, false)
	it, notes, err := ItemFromMail(p, kind, title)
	if err != nil || len(notes) != 0 {
		t.Fatalf("ItemFromMail: %v %q", err, notes)
	}
	if err := Normalize(it, time.Now()); err != nil {
		t.Fatal(err)
	}
	london, _ := time.LoadLocation("Europe/London")
	if it.Kind != store.ItemEvent || it.Title != "Community energy meet-up, Cardiff" || it.Zone != "Europe/London" ||
		!it.Starts.Equal(time.Date(2027, 3, 24, 18, 0, 0, 0, london)) || !it.Ends.Equal(time.Date(2027, 3, 24, 20, 0, 0, 0, london)) ||
		it.Location != "The Old Library" || it.Region != "Wales" || it.By != "Cardiff Energy Co-op" ||
		it.BookingURL != "https://book.example/energy" {
		t.Errorf("event from .ics: %+v", it)
	}
}

// FuzzParseFields: any body is read without panicking; values are one
// trimmed line under canonical names; building and checking an item
// from them never panics either.
func FuzzParseFields(f *testing.F) {
	canonical := map[string]bool{}
	for _, v := range fieldNames {
		canonical[v] = true
	}
	f.Fuzz(func(t *testing.T, body string) {
		fs := ParseFields(body)
		for k, v := range fs.Values {
			if !canonical[k] {
				t.Fatalf("field %q is not canonical", k)
			}
			if strings.ContainsAny(v, "\r\n") || v != strings.TrimSpace(v) {
				t.Fatalf("field %s = %q: not one trimmed line", k, v)
			}
		}
		for _, kind := range store.ItemKinds {
			it, _ := FromFields(kind, "Title", fs)
			_ = Normalize(it, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		}
		kind, title := SubjectKind(body, true)
		if kind != "" && !slices.Contains(store.ItemKinds, kind) {
			t.Fatalf("kind %q", kind)
		}
		_ = title
	})
}
