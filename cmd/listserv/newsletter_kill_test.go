package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/smtp"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/postfix"
	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/listserv/store"
)

var (
	nlCSRFRe   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	nlIssueRe  = regexp.MustCompile(`queued issue (\d+) of weekly@lists\.example\.org to (\d+) subscribers`)
	nlHeldIDRe = regexp.MustCompile(`"id":\s*(\d+)`)
)

// TestNewsletterSendKilled: a real `listserv serve` process; items of all
// four kinds arrive by the CLI (an event and research), the web form (an
// ask, from a signed-in member) and email (an offer, [offer] in the
// subject); the editors approve the two submissions with `held approve`;
// `digest send --now` queues the issue; while the server delivers it,
// it is killed with SIGKILL, then started again and finishes. In the
// SMTP sink every subscriber has the issue exactly once (one Message-ID),
// with their sections in their format. A copy the relay had accepted at
// the instant of the kill but the server had not yet recorded may come
// again with the same Message-ID (as for every list mail: see README,
// "Crash harness"); the test counts those and bounds them by the
// connections in flight. The ask and the offer match: each poster gets
// one notice of the other.
func TestNewsletterSendKilled(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			testNewsletterSendKilled(t, b)
		})
	}
}

func testNewsletterSendKilled(t *testing.T, b backend) {
	const subscribers, workers = 300, 2
	const mailCheckpoint = 25 // delivery files queued mail outcomes every 25 copies
	c := b.newCLI(t)
	nl := "weekly@lists.example.org"
	c.ok("newsletter", "create", nl, "--name", "Network weekly")
	var csv strings.Builder
	csv.WriteString("address\n")
	for i := range subscribers {
		fmt.Fprintf(&csv, "s%03d@example.net\n", i)
	}
	c.ok("member", "import", nl, writeFile(t, "subs.csv", csv.String()))
	c.ok("member", "add", nl, "ann@example.net")
	c.ok("member", "add", nl, "--role", "owner", "editor@example.net")
	db := c.open()
	defer db.Close()
	plain := store.DefaultPerson("s007@example.net")
	plain.Format, plain.Sections = store.FormatPlain, []string{"asks", "offers"}
	if err := db.SavePerson(t.Context(), plain); err != nil {
		t.Fatal(err)
	}
	starts := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
	c.ok("item", "add", nl, "--kind", "event", "--title", "Spring assembly", "--starts", starts, "--location", "Glasgow")
	c.ok("item", "add", nl, "--kind", "research", "--title", "Heat pumps in tenements", "--by", "University of Stirling")

	var delivered atomic.Int64
	sink := smtpsink.Start(t, smtpsink.Options{Data: func(string, []string, []byte) error {
		delivered.Add(1)
		time.Sleep(3 * time.Millisecond) // a relay that takes its time, so the kill lands mid-send
		return nil
	}})
	smtpAddr, httpAddr := postfix.FreeAddr(t), postfix.FreeAddr(t)
	args := []string{"--smtp", smtpAddr, "--imap", "off", "--lmtp", "off", "--relay", sink.URL(), "--workers", fmt.Sprint(workers),
		"--hostname", "lists.example.org", "--base-url", "https://lists.example.org", "--retry-base", "1s"}
	srv := c.startServe(httpAddr, args...)

	// By email: an offer.
	offer := "From: Bob <bob@example.com>\r\nTo: " + nl + "\r\nSubject: [offer] Meeting room in Leeds\r\nMessage-ID: <offer@example.com>\r\n\r\n" +
		"Respond: bob@example.com\r\nCloses: " + time.Now().AddDate(0, 0, 20).Format(time.DateOnly) + "\r\n\r\nSeats 30.\r\n"
	if err := smtp.SendMail(smtpAddr, nil, "bob@example.com", []string{nl}, []byte(offer)); err != nil {
		t.Fatalf("email submission: %v", err)
	}
	// By the web form: an ask, from a signed-in member.
	webSubmit(t, c, httpAddr, "ann@example.net", url.Values{"kind": {"ask"}, "newsletter": {nl}, "action": {"submit"},
		"title": {"Need a room for 30 people"}, "respond": {"Email ann@example.net"}})
	// The editors approve both.
	approveSubmissions(t, c, 2)

	out := c.ok("digest", "send", nl, "--now")
	m := nlIssueRe.FindStringSubmatch(out)
	if m == nil || m[1] != "1" || m[2] != fmt.Sprint(subscribers+2) {
		t.Fatalf("digest send --now said %q", out)
	}
	want := subscribers + 2
	deadline := time.Now().Add(60 * time.Second)
	for delivered.Load() < int64(want/3) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d copies delivered in 60 s", delivered.Load())
		}
		time.Sleep(time.Millisecond)
	}
	if err := srv.cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown, no flush
		t.Fatal(err)
	}
	<-srv.exited
	atKill := delivered.Load()
	t.Logf("killed serve after %d of %d copies", atKill, want)
	if atKill >= int64(want) {
		t.Fatal("the send finished before the kill; the test proved nothing")
	}
	// In flight at the kill: copies the relay had but the store had not yet
	// filed as sent (outcomes are filed every few copies, as fan-out
	// checkpoints); only those may come again, never one already filed.
	pending, err := c.open().Pending(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	inFlight := int(atKill) - (want - int(pending.Mail))
	if inFlight < 0 {
		inFlight = 0
	}
	if limit := workers * (mailCheckpoint + 1); inFlight > limit {
		t.Errorf("%d copies were sent but not filed at the kill; filing every %d copies allows at most %d", inFlight, mailCheckpoint, limit)
	}
	srv = c.startServe(httpAddr, args...)
	deadline = time.Now().Add(120 * time.Second)
	for {
		ids := issueCopies(sink)
		if len(ids) >= want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart only %d of %d subscribers have the issue", len(ids), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The ask and the offer share a title word: each poster is told of
	// the other once (by the engine's round at start, killed or not).
	matches := func(to string) int {
		n := 0
		for _, m := range sink.Messages() {
			if len(m.To) == 1 && m.To[0] == to && strings.HasPrefix(m.Header("Subject"), "A possible match for") {
				n++
			}
		}
		return n
	}
	for matches("ann@example.net") == 0 || matches("bob@example.com") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no match notices")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // the positive controls are above: every copy and notice arrived; now nothing more may
	srv.stop()
	if a, b := matches("ann@example.net"), matches("bob@example.com"); a != 1 || b != 1 {
		t.Errorf("match notices: ann %d, bob %d; want one each", a, b)
	}

	ids, raw := issueCopies(sink), 0
	for rcpt, set := range ids {
		if len(set) != 1 {
			t.Errorf("%s got %d different issues: %v", rcpt, len(set), set)
		}
	}
	for _, msg := range sink.Messages() {
		if strings.HasPrefix(msg.Header("Subject"), "Network weekly: Issue 1") {
			raw++
		}
	}
	if len(ids) != want {
		t.Errorf("%d recipients, want %d", len(ids), want)
	}
	if dup := raw - want; dup > inFlight {
		t.Errorf("%d copies arrived twice; at most the %d in flight (sent, not yet filed) at the kill may", dup, inFlight)
	} else {
		t.Logf("copies %d for %d subscribers: %d resent after the kill (of %d in flight, same Message-ID)", raw, want, dup, inFlight)
	}
	checkNewsletterCopies(t, sink)
}

// webSubmit signs in with a printed login link and posts /submit.
func webSubmit(t *testing.T, c *cli, httpAddr, addr string, form url.Values) {
	t.Helper()
	link := strings.TrimSpace(c.ok("login-link", "--base-url", "https://lists.example.org", "--next", "/submit", addr))
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	base := "http://" + httpAddr
	path := strings.TrimPrefix(link, "https://lists.example.org")
	page := httpDo(t, hc, http.MethodGet, base+path, nil)
	httpDo(t, hc, http.MethodPost, base+path, url.Values{"csrf": {nlCSRF(t, page)}, "next": {"/submit"}})
	page = httpDo(t, hc, http.MethodGet, base+"/submit?kind=ask", nil)
	form.Set("csrf", nlCSRF(t, page))
	if page = httpDo(t, hc, http.MethodPost, base+"/submit", form); !strings.Contains(page, "waits for the editors") {
		t.Fatalf("web submission:\n%s", page)
	}
}

func httpDo(t *testing.T, hc *http.Client, method, u string, form url.Values) string {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodGet {
		resp, err = hc.Get(u)
	} else {
		resp, err = hc.PostForm(u, form)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func nlCSRF(t *testing.T, page string) string {
	t.Helper()
	m := nlCSRFRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in:\n%s", page)
	}
	return m[1]
}

// approveSubmissions waits for n held items and approves each.
func approveSubmissions(t *testing.T, c *cli, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var ids [][]string
	for {
		ids = nlHeldIDRe.FindAllStringSubmatch(c.ok("held", "ls", "--json"), -1)
		if len(ids) >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d submissions held, want %d", len(ids), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, id := range ids {
		c.ok("held", "approve", id[1])
	}
}

// issueCopies maps each recipient of issue 1 to its distinct Message-IDs.
func issueCopies(sink *smtpsink.Sink) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, m := range sink.Messages() {
		if !strings.HasPrefix(m.Header("Subject"), "Network weekly: Issue 1") {
			continue
		}
		for _, r := range m.To {
			if out[r] == nil {
				out[r] = map[string]bool{}
			}
			out[r][m.Header("Message-ID")] = true
		}
	}
	return out
}

// checkNewsletterCopies: a subscriber of every section in html got all
// four kinds in a multipart mail; the plain asks-and-offers subscriber
// only those, in text.
func checkNewsletterCopies(t *testing.T, sink *smtpsink.Sink) {
	t.Helper()
	var all, plain string
	for _, m := range sink.Messages() {
		switch {
		case len(m.To) == 1 && m.To[0] == "s001@example.net" && all == "":
			all = string(m.Data)
		case len(m.To) == 1 && m.To[0] == "s007@example.net" && plain == "":
			plain = string(m.Data)
		}
	}
	for _, w := range []string{"Spring assembly", "Heat pumps in tenements", "Need a room for 30 people", "Meeting room in Leeds", "text/html"} {
		if !strings.Contains(strings.ReplaceAll(all, "=\r\n", ""), w) {
			t.Errorf("s001's copy lacks %q", w)
		}
	}
	p := strings.ReplaceAll(plain, "=\r\n", "")
	if strings.Contains(p, "text/html") || strings.Contains(p, "Spring assembly") || !strings.Contains(p, "Need a room for 30 people") ||
		!strings.Contains(p, "Meeting room in Leeds") {
		t.Errorf("s007 (plain, asks and offers) got:\n%s", plain)
	}
}
