package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/jackc/pgx/v5"

	"github.com/demnet-uk/listserv/listserv/fetch"
	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// hosted is a hosted mailbox: go-imap's in-memory reference server on
// loopback, one user, an INBOX.
type hosted struct {
	user *imapmemserver.User
	addr string
}

func startHosted(t *testing.T) *hosted {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("lists@hosted.example", "hosted-pw")
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       quietStdLog{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &hosted{user: u, addr: ln.Addr().String()}
}

type quietStdLog struct{}

func (quietStdLog) Printf(string, ...any) {}

type literal struct{ *bytes.Reader }

// add appends a message to the hosted INBOX and returns its UID.
func (h *hosted) add(t *testing.T, raw string) imap.UID {
	t.Helper()
	d, err := h.user.Append("INBOX", literal{bytes.NewReader([]byte(raw))}, &imap.AppendOptions{Time: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return d.UID
}

func (h *hosted) status(t *testing.T) *imap.StatusData {
	t.Helper()
	d, err := h.user.Status("INBOX", &imap.StatusOptions{NumMessages: true, NumUnseen: true, UIDValidity: true})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func hostedPost(from, subject, msgID string) string {
	id := ""
	if msgID != "" {
		id = "Message-ID: <" + msgID + ">\r\n"
	}
	return fmt.Sprintf("From: %s\r\nTo: team@hosted.example\r\nSubject: %s\r\n%sDate: %s\r\n\r\n%s body.\r\n",
		from, subject, id, time.Now().Format(time.RFC1123Z), subject)
}

// archived returns the list's archived posts' subjects.
func fetchedSubjects(t *testing.T, st store.Store, l *store.List) []string {
	t.Helper()
	ctx := context.Background()
	uids, err := st.ArchiveUIDs(ctx, l.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := st.ArchiveMessages(ctx, l.ID, uids, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

// TestFetchExactlyOnce: a hosted mailbox is read as a way in. Every
// message is posted once: those waiting at start, one arriving while the
// fetcher idles, one arriving while the server is down, and one whose
// record was lost in a simulated crash after its commit (the Message-ID
// ingestion gave it, having none, stops a second post). A message
// intake refuses is recorded and not posted; every message taken is
// marked \Seen in the mailbox.
func TestFetchExactlyOnce(t *testing.T) {
	stores(t, func(t *testing.T, dbURL string) {
		h := startHosted(t)
		h.add(t, "From: a@example.net\r\nFrom: b@example.net\r\nSubject: two authors\r\n\r\nrefused\r\n")
		h.add(t, hostedPost("ann@example.net", "waiting one", "w1@example.net"))
		h.add(t, hostedPost("bob@example.net", "waiting without id", ""))
		h.add(t, hostedPost("ann@example.net", "waiting three", "w3@example.net"))
		url := fmt.Sprintf("imap://lists%%40hosted.example:hosted-pw@%s/INBOX?list=team@lists.example.org", h.addr)
		withFetch := func(c *server.Config) { c.Fetch = []string{url} }

		// The lists and members first, then a server that reads the mailbox.
		setup := startIMAP(t, dbURL)
		ctx := context.Background()
		if err := setup.srv.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		e := &imapEnv{env: startIMAP2(t, dbURL, withFetch), team: setup.team}
		waitFor(t, "three posts from the mailbox", func() bool { return len(fetchedSubjects(t, e.st, e.team)) == 3 })
		waitFor(t, "all marked seen", func() bool { return *h.status(t).NumUnseen == 0 })
		last := h.add(t, hostedPost("bob@example.net", "while idling", ""))
		waitFor(t, "the post that came while idling", func() bool { return len(fetchedSubjects(t, e.st, e.team)) == 4 })

		if err := e.srv.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		src, err := fetch.Parse(url)
		if err != nil {
			t.Fatal(err)
		}
		validity := h.status(t).UIDValidity
		// A crash after the pipeline committed the last message but
		// before its record: forget that record (the message has no
		// Message-ID of its own).
		execSQL(t, dbURL, `DELETE FROM fetch_seen WHERE uid = `+fmt.Sprint(last))
		h.add(t, hostedPost("ann@example.net", "while down", "down@example.net"))

		e2 := startIMAP2(t, dbURL, withFetch)
		team, err := e2.st.GetList(ctx, "team@lists.example.org")
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the post that came while down", func() bool { return len(fetchedSubjects(t, e2.st, team)) == 5 })
		waitFor(t, "the forgotten message recorded again", func() bool {
			o, err := e2.st.Fetched(ctx, src.Key, validity, uint32(last))
			return err == nil && o == "duplicate"
		})
		got := fetchedSubjects(t, e2.st, team)
		want := []string{"waiting one", "waiting without id", "waiting three", "while idling", "while down"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("archive = %q, want each once: %q", got, want)
		}
		if o, err := e2.st.Fetched(ctx, src.Key, validity, 1); err != nil || !strings.HasPrefix(o, "refused: Message has more than one From") {
			t.Errorf("refused message recorded as %q, %v", o, err)
		}
		waitFor(t, "all marked seen", func() bool { return *h.status(t).NumUnseen == 0 })
	})
}

// startIMAP2 starts a second server on an existing store whose lists
// already exist.
func startIMAP2(t *testing.T, dbURL string, mut ...func(*server.Config)) *env {
	t.Helper()
	return start(t, dbURL, append([]func(*server.Config){func(c *server.Config) { c.IMAP = "127.0.0.1:0" }}, mut...)...)
}

// execSQL runs one statement on the test's database directly (to
// simulate what a crash leaves behind).
func execSQL(t *testing.T, dbURL, q string) {
	t.Helper()
	ctx := context.Background()
	if strings.HasPrefix(dbURL, "postgres") {
		c, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
		return
	}
	db, err := sql.Open("sqlite", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, q); err != nil {
		t.Fatal(err)
	}
}
