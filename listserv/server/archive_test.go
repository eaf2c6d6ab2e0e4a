package server_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/subscribe"
)

// archivePost is a post with a body of its own and optional headers.
func archivePost(from, subject, msgID, extra, body string) string {
	return "From: Poster <" + from + ">\r\nTo: team@lists.example.org\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + msgID + ">\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n" + extra +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body
}

// archived waits until the list has n indexed posts (the indexer runs
// after the intake commit).
func archived(t *testing.T, e *env, l *store.List, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d archived posts indexed", n), func() bool {
		ms, err := e.st.ListArchiveMonths(context.Background(), l.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got int64
		for _, m := range ms {
			got += m.Posts
		}
		return got >= int64(n)
	})
}

var uidLink = regexp.MustCompile(`/lists/team\.lists\.example\.org/m/([0-9]+)`)

// TestArchiveWeb: threads, a message page with its quote folded, search
// (on both stores), raw bytes, the Message-ID permalink, mbox and Atom.
func TestArchiveWeb(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"}, teamMembers...)
		to := []string{"team@lists.example.org"}
		root := archivePost("ann@example.net", "Harvest festival", "root@example.net", "", "Who brings the pumpkins?\r\n")
		e.mustSend(t, "ann@example.net", to, root)
		e.mustSend(t, "bob@example.com", to, archivePost("bob@example.com", "Re: Harvest festival", "reply@example.com",
			"In-Reply-To: <root@example.net>\r\nReferences: <root@example.net>\r\n",
			"I will.\r\n\r\nOn Wed, Ann wrote:\r\n> Who brings the pumpkins?\r\n"))
		e.mustSend(t, "ann@example.net", to, archivePost("ann@example.net", "Boiler repair", "boiler@example.net", "", "The boiler is fixed.\r\n"))
		archived(t, e, l, 3)
		b := newBrowser(t, e)
		base := "/lists/team.lists.example.org"

		code, page := b.get(base + "/archive")
		if code != 200 || !strings.Contains(page, "Harvest festival") || !strings.Contains(page, "Boiler repair") {
			t.Fatalf("archive index %d:\n%s", code, page)
		}
		thread := regexp.MustCompile(`href="(/lists/team\.lists\.example\.org/t/[0-9]+)">Harvest festival<`).FindStringSubmatch(page)
		if thread == nil || !strings.Contains(page, "<td>2</td>") {
			t.Fatalf("no two-post Harvest thread in the index:\n%s", page)
		}
		code, page = b.get(thread[1])
		if code != 200 || !strings.Contains(page, "Who brings the pumpkins?") || !strings.Contains(page, "I will.") || strings.Contains(page, "boiler") {
			t.Fatalf("thread page %d:\n%s", code, page)
		}
		if !strings.Contains(page, "<details class=\"quote\"><summary>Quoted text (1 lines): On Wed, Ann wrote:</summary>") {
			t.Errorf("the reply's quote is not folded:\n%s", page)
		}

		code, page = b.get(base + "/archive/search?q=pumpkins")
		hits := uidLink.FindAllStringSubmatch(page, -1)
		if code != 200 || len(hits) != 2 || strings.Contains(page, "Boiler") {
			t.Fatalf("search for pumpkins: %d, %d hits:\n%s", code, len(hits), page)
		}
		if code, page = b.get(base + "/archive/search?q=-pumpkins"); code != http.StatusUnprocessableEntity || !strings.Contains(page, "at least one word") {
			t.Errorf("a search without a word: %d", code)
		}

		code, page = b.get(base + "/message-id/root@example.net")
		m := uidLink.FindStringSubmatch(page)
		if code != 200 || m == nil || !strings.Contains(page, "<h1>Harvest festival</h1>") {
			t.Fatalf("permalink by Message-ID: %d\n%s", code, page)
		}
		code, raw := b.get(base + "/m/" + m[1] + "/raw")
		if code != 200 || !strings.HasSuffix(raw, root) {
			t.Errorf("raw message %d:\n%q\nwant it to end with the post as sent", code, raw)
		}
		if code, _ := b.get(base + "/m/99999"); code != http.StatusNotFound {
			t.Errorf("a missing UID: %d", code)
		}

		code, mbox := b.get(base + "/archive.mbox")
		if code != 200 || strings.Count(mbox, "\nFrom ") != 2 || !strings.HasPrefix(mbox, "From ann@example.net ") || strings.Contains(mbox, "\r") {
			t.Errorf("mbox export %d:\n%s", code, mbox)
		}
		var feed struct {
			Entries []struct {
				Title string `xml:"title"`
			} `xml:"entry"`
		}
		code, atom := b.get(base + "/archive/feed.atom")
		if err := xml.Unmarshal([]byte(atom), &feed); code != 200 || err != nil || len(feed.Entries) != 3 || feed.Entries[0].Title != "Boiler repair" {
			t.Errorf("feed %d (%v): %+v\n%s", code, err, feed, atom)
		}
	})
}

// TestArchiveMembersOnly: a members-only archive refuses a signed-out
// visitor (sent to sign in) and a non-member (403) on every kind of
// address, and serves a member.
func TestArchiveMembersOnly(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk", Archive: "members"}, teamMembers...)
		e.list(t, &store.List{Address: "other@lists.example.org", Name: "Other"}, store.NewMember{Address: "stranger@example.org"})
		att := "From: Poster <ann@example.net>\r\nTo: team@lists.example.org\r\nSubject: Minutes\r\nMessage-ID: <min@example.net>\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nSecret minutes attached.\r\n" +
			"--XX\r\nContent-Type: application/pdf; name=m.pdf\r\nContent-Disposition: attachment; filename=m.pdf\r\n\r\nPDFDATA\r\n--XX--\r\n"
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, att)
		archived(t, e, l, 1)
		ps, err := e.st.ListArchivePosts(context.Background(), store.ArchivePage{ListID: l.ID, Limit: 1})
		if err != nil || len(ps) != 1 {
			t.Fatalf("archived posts: %v %v", ps, err)
		}
		base := "/lists/team.lists.example.org"
		m := fmt.Sprintf("%s/m/%d", base, ps[0].UID)
		thread := fmt.Sprintf("%s/t/%d", base, ps[0].ThreadID)
		paths := []string{base + "/archive", base + "/archive/threads", base + "/archive/search?q=minutes", base + "/archive/" +
			ps[0].Received.UTC().Format("2006-01"), thread, m, m + "/raw", m + "/part/2", base + "/archive.mbox",
			base + "/archive/" + ps[0].Received.UTC().Format("2006-01") + ".mbox", base + "/archive/feed.atom", base + "/message-id/min@example.net"}

		anon := newBrowser(t, e)
		anon.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		stranger := modSignIn(t, e, "stranger@example.org")
		member := modSignIn(t, e, "bob@example.com")
		for _, p := range paths {
			resp, err := anon.c.Get(anon.base + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
				t.Errorf("signed out, %s: %d %s, want a redirect to sign in", p, resp.StatusCode, resp.Header.Get("Location"))
			}
			code, body := stranger.get(p)
			if code != http.StatusForbidden || strings.Contains(body, "Secret minutes") || strings.Contains(body, "PDFDATA") {
				t.Errorf("non-member, %s: %d, want 403 without the content", p, code)
			}
		}
		// The positive control: a member reads every one (the feed is only
		// for public archives).
		for _, p := range paths {
			code, body := member.get(p)
			want := 200
			if strings.HasSuffix(p, "feed.atom") {
				want = http.StatusForbidden
			}
			if code != want {
				t.Errorf("member, %s: %d, want %d", p, code, want)
			}
			if strings.HasSuffix(p, "/part/2") && body != "PDFDATA" {
				t.Errorf("attachment = %q", body)
			}
		}
		// Archive off: nothing for anyone.
		l.Archive = "off"
		if err := e.st.UpdateList(context.Background(), l); err != nil {
			t.Fatal(err)
		}
		if code, _ := member.get(m); code != http.StatusNotFound {
			t.Errorf("archive off, member reading a post: %d", code)
		}
	})
}

// TestArchiveErasureMovesUID: erasing an author gives their archived post
// a new UID; the old one redirects, and the page names a former member.
func TestArchiveErasureMovesUID(t *testing.T) {
	e := start(t, t.TempDir()+"/db")
	l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk"}, teamMembers...)
	e.mustSend(t, "bob@example.com", []string{"team@lists.example.org"}, archivePost("bob@example.com", "Leaving soon", "leave@example.com", "", "Bye all.\r\n"))
	archived(t, e, l, 1)
	ctx := context.Background()
	before, err := e.st.ListArchivePosts(ctx, store.ArchivePage{ListID: l.ID, Limit: 1})
	if err != nil || len(before) != 1 {
		t.Fatal(before, err)
	}
	subs := subscribe.New(e.st, nil, quietLog(), subscribe.Options{SiteAddress: "listserv@lists.example.org", BaseURL: baseURL})
	if err := subs.Erase(ctx, "bob@example.com"); err != nil {
		t.Fatalf("erase: %v", err)
	}
	after, err := e.st.ListArchivePosts(ctx, store.ArchivePage{ListID: l.ID, Limit: 1})
	if err != nil || len(after) != 1 || after[0].UID <= before[0].UID || after[0].ID != before[0].ID {
		t.Fatalf("after erasure: %+v (before UID %d)", after, before[0].UID)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(fmt.Sprintf("http://%s/lists/team.lists.example.org/m/%d", e.srv.Addr("http"), before[0].UID))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := fmt.Sprintf("/lists/team.lists.example.org/m/%d", after[0].UID); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
		t.Errorf("old UID: %d %q, want 301 to %s", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	b := newBrowser(t, e)
	code, page := b.get(fmt.Sprintf("/lists/team.lists.example.org/m/%d", after[0].UID))
	if code != 200 || !strings.Contains(page, "former member") || strings.Contains(page, "bob@example.com") {
		t.Errorf("rewritten post page %d:\n%s", code, page)
	}
}
