package sqldb_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

// searchFixture is an archive where "harvest" is in every post (a
// frequent word: the walk) and the other words in one or two (the
// bitmap), each in one field only.
type searchFixture struct {
	db     *sqldb.DB
	listID int64
	all    []int64 // post ids in order
}

func newSearchFixture(t *testing.T) *searchFixture {
	t.Helper()
	ctx := t.Context()
	db, err := sqldb.Open(ctx, postgresBackend.url(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l := &store.List{Address: "ways@lists.example.org", Name: "ways"}
	if err := db.CreateList(ctx, l); err != nil {
		t.Fatal(err)
	}
	f := &searchFixture{db: db, listID: l.ID}
	docs := map[int64]*store.ArchiveDoc{}
	for i := range 80 {
		subject, author, body := fmt.Sprintf("note %d", i), "Member member@example.net", "the harvest filler words"
		switch i {
		case 10:
			subject = "harvest festival" // the subject counts most
		case 20:
			subject = "zebra crossing"
		case 30:
			author = "Quentin quentin@example.net"
		case 40:
			body = "the harvest of red tomatoes"
		case 50:
			body = "the harvest: tomatoes, red ones, xylophone"
		case 60:
			body = "a harvest xylophone"
		}
		m := &store.Message{ListID: l.ID, EnvelopeFrom: "b@example.net", FromAddr: "member@example.net", FromName: "Member",
			Subject: subject, MessageID: fmt.Sprintf("w%d@example.net", i), SentAt: time.Now(),
			Raw: []byte("Subject: " + subject + "\r\n\r\n" + body + "\r\n"), State: store.StateAccepted}
		if err := db.SaveIntake(ctx, []*store.Intake{{Message: m}}); err != nil {
			t.Fatal(err)
		}
		docs[m.ID] = &store.ArchiveDoc{MessageID: m.ID, ListID: l.ID, Received: m.Received, Subject: subject,
			SubjectKey: subject, Author: author, Body: body}
		f.all = append(f.all, m.ID)
	}
	ms, err := db.ListUnindexedPosts(ctx, 1000)
	if err != nil || len(ms) != 80 {
		t.Fatalf("unindexed posts: %d, %v", len(ms), err)
	}
	var batch []*store.ArchiveDoc
	for _, m := range ms {
		batch = append(batch, docs[m.ID])
	}
	if err := db.IndexArchive(ctx, batch); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestPostgresSearchWays: the probe walks for a word in every post and
// takes the bitmap for rare ones, and both ways return the same ranked
// hits for every kind of query (fields, phrases, -words, word*).
func TestPostgresSearchWays(t *testing.T) {
	needPostgres(t)
	ctx := t.Context()
	f := newSearchFixture(t)
	id := func(i int) int64 { return f.all[i] }
	term := func(ws ...string) store.SearchTerm { return store.SearchTerm{Words: ws} }
	harvest := store.ArchiveQuery{Terms: []store.SearchTerm{term("harvest")}}
	for q, want := range map[string]bool{"harvest": true, "xylophone": false, "zebra": false} {
		walks, err := f.db.SearchPGWalks(ctx, f.listID, store.ArchiveQuery{Terms: []store.SearchTerm{term(q)}})
		if err != nil || walks != want {
			t.Errorf("%s: walks = %v, %v; want %v", q, walks, err, want)
		}
	}
	without := func(skip ...int) []int64 {
		var out []int64
		for i, x := range f.all {
			if !slices.Contains(skip, i) {
				out = append(out, x)
			}
		}
		return out
	}
	cases := []struct {
		name string
		q    store.ArchiveQuery
		want []int64 // nil: check only the set and first hit below
		set  []int64
	}{
		{"harvest", harvest, nil, f.all},
		{"harvest zebra", store.ArchiveQuery{Terms: []store.SearchTerm{term("harvest"), term("zebra")}}, []int64{id(20)}, nil},
		{"subject:zebra", store.ArchiveQuery{Terms: []store.SearchTerm{term("zebra")}, Field: "subject"}, []int64{id(20)}, nil},
		{"body:zebra", store.ArchiveQuery{Terms: []store.SearchTerm{term("zebra")}, Field: "body"}, []int64{}, nil},
		{"author:quentin", store.ArchiveQuery{Terms: []store.SearchTerm{term("quentin")}, Field: "author"}, []int64{id(30)}, nil},
		{"harvest quentin", store.ArchiveQuery{Terms: []store.SearchTerm{term("harvest"), term("quentin")}}, []int64{id(30)}, nil},
		{`"red tomatoes"`, store.ArchiveQuery{Terms: []store.SearchTerm{term("red", "tomatoes")}}, []int64{id(40)}, nil},
		{`harvest "red tomatoes"`, store.ArchiveQuery{Terms: []store.SearchTerm{term("harvest"), term("red", "tomatoes")}}, []int64{id(40)}, nil},
		{"harvest -tomatoes", store.ArchiveQuery{Terms: []store.SearchTerm{term("harvest"), {Words: []string{"tomatoes"}, Not: true}}}, nil, without(40, 50)},
		{`harvest -"red tomatoes"`, store.ArchiveQuery{Terms: []store.SearchTerm{term("harvest"), {Words: []string{"red", "tomatoes"}, Not: true}}}, nil, without(40)},
		{"harv*", store.ArchiveQuery{Terms: []store.SearchTerm{{Words: []string{"harv"}, Prefix: true}}}, nil, f.all},
		{"xylophone", store.ArchiveQuery{Terms: []store.SearchTerm{term("xylophone")}}, nil, []int64{id(50), id(60)}},
		{"subject:harvest", store.ArchiveQuery{Terms: []store.SearchTerm{term("harvest")}, Field: "subject"}, []int64{id(10)}, nil},
	}
	for _, c := range cases {
		var ways [2][]int64
		for i, walk := range []bool{true, false} {
			hs, err := f.db.SearchPGWay(ctx, f.listID, c.q, walk, 100)
			if err != nil {
				t.Fatalf("%s (walk %v): %v", c.name, walk, err)
			}
			for _, h := range hs {
				ways[i] = append(ways[i], h.Post.ID)
			}
		}
		if fmt.Sprint(ways[0]) != fmt.Sprint(ways[1]) {
			t.Errorf("%s: walk %v, bitmap %v", c.name, ways[0], ways[1])
		}
		got := ways[0]
		if c.want != nil && fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		if c.set != nil {
			if fmt.Sprint(slices.Sorted(slices.Values(got))) != fmt.Sprint(c.set) {
				t.Errorf("%s: %d hits %v, want %v", c.name, len(got), got, c.set)
			}
		}
	}
	// Every match in id order (IMAP), a page at a time, either way.
	for q, want := range map[string][]int64{"harvest": f.all, "xylophone": {id(50), id(60)}} {
		var got []int64
		for after := int64(0); ; {
			ps, err := f.db.SearchArchiveAll(ctx, f.listID, store.ArchiveQuery{Terms: []store.SearchTerm{term(q)}}, after, 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) == 0 {
				break
			}
			for _, p := range ps {
				got = append(got, p.ID)
			}
			after = ps[len(ps)-1].ID
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("SearchArchiveAll(%s) = %v, want %v", q, got, want)
		}
	}
	phrase, err := f.db.SearchArchiveAll(ctx, f.listID, store.ArchiveQuery{Terms: []store.SearchTerm{term("harvest"), term("red", "tomatoes")}}, 0, 10)
	if err != nil || len(phrase) != 1 || phrase[0].ID != id(40) {
		t.Errorf(`SearchArchiveAll(harvest "red tomatoes") = %d posts (%v), want only %d`, len(phrase), err, id(40))
	}
	// The subject counts most: the one post with harvest in its subject
	// comes first among 80.
	hs, err := f.db.SearchArchive(ctx, f.listID, harvest, store.SearchCursor{}, 3)
	if err != nil || len(hs) != 3 || hs[0].Post.ID != id(10) {
		t.Errorf("harvest, first page: %v, want %d first", err, id(10))
	}
}
