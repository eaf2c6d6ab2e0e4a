package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
)

// modSignIn returns a web client signed in as addr through a login link.
func modSignIn(t *testing.T, e *env, addr string) *webClient {
	t.Helper()
	link, err := signinLink(context.Background(), e.st, baseURL, addr, "/moderate")
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, e)
	_, page := b.get(localPath(link))
	noFollow := *b.c // same cookie jar; stop at the redirect, whatever /moderate says
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.PostForm(b.base+localPath(link), url.Values{"csrf": {csrfOf(t, page)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", addr, resp.StatusCode)
	}
	return b
}

// TestModerationRace: moderators act on one held post at once through the
// web, email replies and the CLI. Exactly one action takes effect, every
// other caller is told it was already handled, the post goes out at most
// once per member and its sender gets at most one notice. Three rounds give
// the CLI, then the CLI and web a late start, so each path gets to win.
func TestModerationRace(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := modStart(t, db)
		e.list(t, &store.List{Address: "team@lists.example.org"}, append(modTeam,
			store.NewMember{Address: "mod2@example.net", Role: store.RoleModerator},
			store.NewMember{Address: "mod3@example.net", Role: store.RoleModerator})...)
		clients := []*webClient{modSignIn(t, e, "mod@example.net"), modSignIn(t, e, "mod2@example.net")}
		winners := map[string]bool{}
		for round, late := range []map[string]time.Duration{
			{},
			{"cli": 30 * time.Millisecond},
			{"cli": 300 * time.Millisecond, "web": 300 * time.Millisecond},
		} {
			winners[modRace(t, e, clients, fmt.Sprintf("contested %d", round), late)] = true
		}
		t.Logf("paths that won a round: %v", winners)
	})
}

var raceMods = []string{"mod@example.net", "owner@example.net", "mod2@example.net", "mod3@example.net"}

// modRace holds a post and lets 4 web, 4 email and 4 CLI callers act on it
// at once (each path after its delay); it checks one effect and returns
// the winning path.
func modRace(t *testing.T, e *env, clients []*webClient, subject string, late map[string]time.Duration) string {
	ctx := context.Background()
	e.sink.Reset()
	e.mustSend(t, "stranger@else.example", []string{"team@lists.example.org"},
		post("stranger@else.example", subject, strings.ReplaceAll(subject, " ", ".")+"@x", ""))
	h := modHeldWith(t, e, subject)
	modSettle(t, e)
	var replyTo []string
	for _, m := range raceMods {
		a, _ := modReplyTo(t, e, m)
		replyTo = append(replyTo, a)
	}
	csrf := make([]string, len(clients))
	for i, c := range clients {
		_, page := c.get(fmt.Sprintf("/moderate/%d", h.ID))
		csrf[i] = csrfOf(t, page)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, lost := map[string]int{}, 0
	record := func(path string, ok bool) {
		mu.Lock()
		defer mu.Unlock()
		if ok {
			won[path]++
		} else {
			lost++
		}
	}
	gun := make(chan struct{})
	wait := func(path string) { <-gun; time.Sleep(late[path]) }
	for i := range 4 {
		wg.Go(func() { // web
			wait("web")
			c := clients[i%2]
			resp, err := c.c.PostForm(c.base+fmt.Sprintf("/moderate/%d", h.ID),
				url.Values{"csrf": {csrf[i%2]}, "action": {[]string{"approve", "reject"}[i%2]}, "reason": {"web says no"}})
			if err != nil {
				t.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch page := string(body); {
			case strings.Contains(page, "was already"):
				record("web", false)
			case strings.Contains(page, " was approved.") || strings.Contains(page, " was rejected"):
				record("web", true)
			default:
				t.Errorf("web action %d: %d\n%s", i, resp.StatusCode, page)
			}
		})
		wg.Go(func() { // email
			wait("email")
			cmd := []string{"approve", "reject email says no"}[i%2]
			if err := e.send(t, raceMods[i], []string{replyTo[i]}, modReply(raceMods[i], replyTo[i], cmd)); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() { // CLI
			wait("cli")
			// What `listserv held` calls.
			out, err := moderation.Act(ctx, e.st, h.ID, []moderation.Action{moderation.Approve, moderation.Reject}[i%2], "cli:test", "cli says no")
			if err != nil {
				t.Error(err)
			}
			record("cli", err == nil && out.Done)
		})
	}
	close(gun)
	wg.Wait()
	for _, m := range raceMods {
		waitFor(t, "answer to "+m, func() bool {
			return len(modNotices(e, m, "Done:"))+len(modNotices(e, m, "Already handled:")) == 1
		})
		record("email", len(modNotices(e, m, "Done:")) == 1)
	}
	e.srv.Engine.Wake()
	modSettle(t, e)

	if len(won) != 1 || lost != 11 {
		t.Fatalf("%s: won %v, %d lost: want exactly one winner among 12", subject, won, lost)
	}
	got, _ := e.st.GetHeld(ctx, h.ID)
	audit, _ := e.st.ListAudit(ctx, h.ListID, 0, 50)
	n := 0
	for _, a := range audit {
		if a.Target == fmt.Sprintf("held:%d", h.ID) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%s: %d audit entries, want 1", subject, n)
	}
	rejections := len(modNotices(e, "stranger@else.example", "rejected"))
	switch got.State {
	case string(store.Approve):
		modDelivered(t, e, subject, modTeamEach...)
		if rejections != 0 {
			t.Errorf("%s approved, yet %d rejections sent", subject, rejections)
		}
	case string(store.Reject):
		if rejections != 1 {
			t.Errorf("%s rejected: %d rejection notices, want 1", subject, rejections)
		}
		if n := len(modCopiesWith(e, "ann@example.net", subject)); n != 0 {
			t.Errorf("%s rejected, yet %d copies sent", subject, n)
		}
	default:
		t.Errorf("%s: state %s", subject, got.State)
	}
	var path string
	for p := range won {
		path = p
	}
	t.Logf("%s: %s by %s via %s", subject, got.State, got.HandledBy, path)
	return path
}
