package web_test

import (
	"database/sql"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver, to plant a fault

	"github.com/demnet-uk/listserv/internal/testpg"
	"github.com/demnet-uk/listserv/listserv/signin"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/web"
)

// faultDB opens a store and, beside it, a plain connection that can make
// the database refuse new sessions (a trigger), as a full disk or a
// dropped connection would at that moment.
type faultDB struct {
	store.Store
	raw     *sql.DB
	dialect string
}

func (f *faultDB) refuseSessions(t *testing.T, on bool) { f.refuse(t, "INSERT", on) }

// refuse makes the database refuse (on) or allow again an event (INSERT,
// DELETE) on the sessions table.
func (f *faultDB) refuse(t *testing.T, event string, on bool) {
	t.Helper()
	var stmts []string
	switch {
	case on && f.dialect == "sqlite":
		stmts = []string{`CREATE TRIGGER refuse_sessions BEFORE ` + event + ` ON sessions BEGIN SELECT RAISE(ABORT, 'refused'); END`}
	case on:
		stmts = []string{`CREATE OR REPLACE FUNCTION refuse_sessions() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER refuse_sessions BEFORE ` + event + ` ON sessions FOR EACH ROW EXECUTE FUNCTION refuse_sessions()`}
	case f.dialect == "sqlite":
		stmts = []string{`DROP TRIGGER refuse_sessions`}
	default:
		stmts = []string{`DROP TRIGGER refuse_sessions ON sessions`}
	}
	for _, s := range stmts {
		if _, err := f.raw.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

func faultStores(t *testing.T, fn func(t *testing.T, f *faultDB)) {
	open := func(t *testing.T, dsn, driver, rawDSN string) {
		db, err := sqldb.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		raw, err := sql.Open(driver, rawDSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		fn(t, &faultDB{Store: db, raw: raw, dialect: db.Dialect()})
	}
	t.Run("sqlite", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "listserv.db")
		open(t, p, "sqlite", "file:"+p+"?_pragma=busy_timeout(10000)")
	})
	t.Run("postgres", func(t *testing.T) { u := testpg.URL(t); open(t, u, "pgx", u) })
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestSignInFailureKeepsLink: when the session cannot be stored, the
// sign-in link is not used up; the person presses the button again and
// is signed in. (Using the token and storing the session were two
// writes, so the link was spent and the retry got "link expired".)
func TestSignInFailureKeepsLink(t *testing.T) {
	faultStores(t, func(t *testing.T, f *faultDB) {
		base := site(t, f, web.Options{BaseURL: "https://lists.example.org"})
		link, err := signin.New(f, nil, signin.Options{BaseURL: base}).IssueLink(t.Context(), "m@x.org", "/me")
		if err != nil {
			t.Fatal(err)
		}
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		page := fetch(t, c, link, nil)
		m := csrfRe.FindStringSubmatch(page.body)
		if page.code != http.StatusOK || m == nil {
			t.Fatalf("sign-in page: %d, no form", page.code)
		}
		form := url.Values{"csrf": {m[1]}}
		f.refuseSessions(t, true)
		if got := fetch(t, c, link, form); got.code != http.StatusInternalServerError {
			t.Fatalf("sign-in while sessions are refused: %d, want 500", got.code)
		}
		f.refuseSessions(t, false)
		got := fetch(t, c, link, form)
		if got.code != http.StatusSeeOther || got.location != "/me" {
			t.Fatalf("retry after the failure: %d to %q, want 303 to /me", got.code, got.location)
		}
	})
}

// TestSignOutFailureSaysSo: when the session cannot be ended, the page
// says so and the browser keeps its cookie; it used to answer as if the
// person had signed out while the session stayed valid.
func TestSignOutFailureSaysSo(t *testing.T) {
	faultStores(t, func(t *testing.T, f *faultDB) {
		base := site(t, f, web.Options{BaseURL: "https://lists.example.org"})
		link, err := signin.New(f, nil, signin.Options{BaseURL: base}).IssueLink(t.Context(), "m@x.org", "/me")
		if err != nil {
			t.Fatal(err)
		}
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		m := csrfRe.FindStringSubmatch(fetch(t, c, link, nil).body)
		if m == nil {
			t.Fatal("no sign-in form")
		}
		if got := fetch(t, c, link, url.Values{"csrf": {m[1]}}); got.code != http.StatusSeeOther {
			t.Fatalf("sign in: %d", got.code)
		}
		me := fetch(t, c, base+"/me", nil)
		m = csrfRe.FindStringSubmatch(me.body)
		if m == nil || !strings.Contains(me.body, "m@x.org") {
			t.Fatal("/me does not show the signed-in person")
		}
		f.refuse(t, "DELETE", true)
		if got := fetch(t, c, base+"/logout", url.Values{"csrf": {m[1]}}); got.code != http.StatusInternalServerError {
			t.Fatalf("sign-out while the session cannot be ended: %d, want 500", got.code)
		}
		f.refuse(t, "DELETE", false)
		if got := fetch(t, c, base+"/logout", url.Values{"csrf": {m[1]}}); got.code != http.StatusSeeOther {
			t.Fatalf("sign-out: %d, want 303", got.code)
		}
		if got := fetch(t, c, base+"/me", nil); strings.Contains(got.body, "m@x.org") {
			t.Error("/me still shows the person after signing out")
		}
	})
}

type answer struct {
	code           int
	body, location string
}

// fetch GETs u, or POSTs form to it when form is not nil.
func fetch(t *testing.T, c *http.Client, u string, form url.Values) answer {
	t.Helper()
	var resp *http.Response
	var err error
	if form == nil {
		resp, err = c.Get(u)
	} else {
		resp, err = c.PostForm(u, form)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{code: resp.StatusCode, body: string(b), location: resp.Header.Get("Location")}
}
