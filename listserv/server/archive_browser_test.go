package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/demnet-uk/listserv/internal/browser"
	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// hostilePost is an HTML-only post that tries everything a sanitiser must
// stop; tracker is a host that counts every request it gets.
func hostilePost(tracker string) string {
	html := `<html><head><link rel="stylesheet" href="` + tracker + `/style.css"><style>body{background:url(` + tracker + `/bg.png)}</style>
<script>window.__ran = 'script'</script><script src="` + tracker + `/x.js"></script></head>
<body onload="window.__ran='onload'"><h1>Big news</h1><p style="position:fixed;top:0;left:0">Hello <b>list</b>.</p>
<img src="` + tracker + `/pixel.gif" alt="company logo" onerror="window.__ran='onerror'">
<a href="https://example.org/more"><img src="` + tracker + `/button.png"></a>
<a href="javascript:window.__ran='js-link'">click</a>
<iframe src="` + tracker + `/frame"></iframe><video src="` + tracker + `/v.mp4"></video>
<svg onload="window.__ran='svg'"><image href="` + tracker + `/svg.png"/></svg>
<img srcset="` + tracker + `/a.png 2x"><input type="image" src="` + tracker + `/in.png">
<div style="background-image:url(` + tracker + `/div.png)">styled</div>
<object data="` + tracker + `/obj"></object><form action="` + tracker + `/f"><button>Go</button></form>
<meta http-equiv="refresh" content="0;url=` + tracker + `/refresh"></body></html>`
	return "From: Mallory <mallory@example.net>\r\nTo: team@lists.example.org\r\nSubject: Big news\r\n" +
		"Message-ID: <hostile@example.net>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n"
}

// TestArchiveBrowser: the archive pages pass axe-core and reflow, work
// without JavaScript, and a hostile HTML post runs nothing and loads
// nothing from elsewhere, even with the page's CSP bypassed.
func TestArchiveBrowser(t *testing.T) {
	browser.Available(t)
	var hits atomic.Int64
	var seen atomic.Value
	tracker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/favicon.ico" { // the browser's own, after the control page
			return
		}
		hits.Add(1)
		seen.Store(r.URL.Path)
	}))
	defer tracker.Close()
	e := start(t, t.TempDir()+"/db", func(c *server.Config) { c.Relay = "capture" })
	l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk", Archive: "public"},
		append([]store.NewMember{{Address: "mallory@example.net"}}, teamMembers...)...)
	e.list(t, &store.List{Address: "inner@lists.example.org", Name: "Inner", Archive: "members"})
	to := []string{"team@lists.example.org"}
	e.mustSend(t, "ann@example.net", to, archivePost("ann@example.net", "Harvest festival", "root@example.net", "", "Who brings the pumpkins?\r\n-- \r\nAnn\r\n"))
	e.mustSend(t, "bob@example.com", to, archivePost("bob@example.com", "Re: Harvest festival", "reply@example.com",
		"In-Reply-To: <root@example.net>\r\n", "I will.\r\n\r\nOn Wed, Ann wrote:\r\n> Who brings the pumpkins?\r\n"))
	e.mustSend(t, "mallory@example.net", to, hostilePost(tracker.URL))
	archived(t, e, l, 3)
	ctx := context.Background()
	ps, err := e.st.ListArchivePosts(ctx, store.ArchivePage{ListID: l.ID, Limit: 3})
	if err != nil || len(ps) != 3 {
		t.Fatal(ps, err)
	}
	base := "/lists/team.lists.example.org"
	hostile := fmt.Sprintf("%s/m/%d", base, ps[2].UID)
	paths := []string{base + "/archive", base + "/archive/threads", base + "/archive/" + ps[0].Received.UTC().Format("2006-01"),
		fmt.Sprintf("%s/t/%d", base, ps[0].ThreadID), fmt.Sprintf("%s/m/%d", base, ps[1].UID), base + "/archive/search",
		base + "/archive/search?q=pumpkins", base + "/archive/search?q=-x", "/lists/inner.lists.example.org/archive/search?q=x&not=signed-in"}
	var report struct {
		Pages    []browser.Page
		Requests []string
		Dialogs  []string
		Ran      []struct {
			Path   string
			Status int
			Ran    *string
		}
		NoJS []struct{ Path, H1 string }
	}
	browser.Run(t, "archive.mjs", map[string]any{"base": "http://" + e.srv.Addr("http"), "paths": paths,
		"hostile": []string{hostile, hostile + "?view=html&images=links"}, "control": tracker.URL + "/control"}, &report)
	browser.CheckPages(t, report.Pages)
	if len(report.Ran) != 2 {
		t.Fatalf("hostile pages opened: %+v", report.Ran)
	}
	for _, r := range report.Ran {
		if r.Status != 200 || r.Ran != nil {
			t.Errorf("%s: status %d, script ran: %v", r.Path, r.Status, r.Ran)
		}
	}
	// Only the control reached the tracker.
	if len(report.Requests) != 1 || report.Requests[0] != tracker.URL+"/control" || len(report.Dialogs) != 0 || hits.Load() != 1 {
		t.Errorf("the hostile post reached out: browser requests %v, dialogs %v, tracker hits %d (last %v)",
			report.Requests, report.Dialogs, hits.Load(), seen.Load())
	}
	// The positive control: the hostile page did render its text.
	code, page := newBrowser(t, e).get(hostile)
	if code != 200 || !strings.Contains(page, "Hello <b>list</b>") || !strings.Contains(page, "3 images from other sites") {
		t.Errorf("hostile post page %d:\n%s", code, page)
	}
	if len(report.NoJS) != len(paths) {
		t.Fatalf("%d pages without JavaScript, want %d", len(report.NoJS), len(paths))
	}
	for _, p := range report.NoJS {
		if p.H1 == "" {
			t.Errorf("%s has no heading without JavaScript", p.Path)
		}
	}
}
