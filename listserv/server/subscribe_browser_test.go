package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/browser"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestSubscribeInBrowser drives tests/browser/subscribe.mjs in headless
// Chromium with JavaScript off: join through the form, confirm with the
// link from the mail in the sink, sign in from /me, change delivery,
// newsletter sections and profile, find the organisation in the
// directory, and leave through a delivered copy's List-Unsubscribe page.
// The scenario calls back to a helper server here for links from mail and
// for store checks after each step. Every page is audited with axe-core
// (WCAG 2.1 AA) and for reflow at 320 px.
func TestSubscribeInBrowser(t *testing.T) {
	browser.Available(t)
	e := start(t, t.TempDir()+"/db")
	l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team Talk", Description: "Day-to-day talk."}, teamMembers...)
	e.list(t, &store.List{Address: "news@lists.example.org", Name: "News", Description: "Announcements."})
	const who = "newbie@example.org"
	ctx := context.Background()
	base := "http://" + e.srv.Addr("http")
	member := func() (*store.Member, *store.MemberPrefs, error) {
		m, err := e.st.GetMember(ctx, l.ID, who)
		if err != nil {
			return nil, nil, err
		}
		p, err := e.st.GetMemberPrefs(ctx, m.ID)
		return m, p, err
	}
	checks := map[string]func() error{
		"requested": func() error {
			if _, _, err := member(); err == nil {
				return errors.New("joined before confirming")
			}
			if cs, _ := e.st.ListConsent(ctx, who); len(cs) != 1 || cs[0].Action != "requested" {
				return fmt.Errorf("consent after the form: %+v", cs)
			}
			return nil
		},
		"joined": func() error {
			m, _, err := member()
			if err != nil || m.Name != "New Person" || m.Mode != store.ModeEach {
				return fmt.Errorf("member after confirming: %+v %v", m, err)
			}
			return nil
		},
		"weekly": func() error {
			m, p, err := member()
			if err != nil || m.Mode != store.ModeDigest || p.Digest != store.DigestWeekly {
				return fmt.Errorf("after choosing a weekly digest: %+v %+v %v", m, p, err)
			}
			return nil
		},
		"sections": func() error {
			p, err := e.st.GetPerson(ctx, who)
			if err != nil || !p.Newsletter || strings.Join(p.Sections, ",") != "events,research" || p.Format != store.FormatPlain {
				return fmt.Errorf("newsletter choices: %+v %v", p, err)
			}
			return nil
		},
		"profile": func() error {
			p, err := e.st.GetPerson(ctx, who)
			if err != nil || p.OrgName != "Democracy Lab" || p.OrgRegion != "wales" || !p.InDirectory {
				return fmt.Errorf("profile: %+v %v", p, err)
			}
			return nil
		},
		"left": func() error {
			if _, _, err := member(); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("still a member after unsubscribing: %v", err)
			}
			return nil
		},
	}
	helper := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var out string
		var err error
		switch r.URL.Path {
		case "/check":
			if fn, ok := checks[q.Get("step")]; !ok {
				err = errors.New("no such check")
			} else {
				err = fn()
			}
			out = "ok"
		case "/mail":
			out, err = linkFromMail(e, q.Get("to"), q.Get("subject"), q.Get("re"))
		case "/post":
			out, err = postAndTakeUnsubscribe(e, who)
		}
		if err != nil {
			t.Errorf("step %s %s: %v", r.URL.Path, r.URL.RawQuery, err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, strings.Replace(out, baseURL, base, 1))
	}))
	defer helper.Close()
	ownerLink, err := signinLink(ctx, e.st, base, "owner@example.net", "/lists/team.lists.example.org/joining")
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Pages []browser.Page
		Steps []string
	}
	browser.Run(t, "subscribe.mjs", map[string]any{"base": base, "helper": helper.URL, "who": who, "ownerLink": ownerLink}, &report)
	browser.CheckPages(t, report.Pages)
	t.Logf("steps: %s", strings.Join(report.Steps, " → "))
	if got, want := strings.Join(report.Steps, " "), "requested joined weekly sections profile left owner"; got != want {
		t.Errorf("steps = %s, want %s", got, want)
	}
	for step, fn := range map[string]func() error{"left": checks["left"], "profile": checks["profile"]} {
		if err := fn(); err != nil {
			t.Errorf("at the end, %s: %v", step, err)
		}
	}
}

// linkFromMail waits for a message to addr whose subject starts with
// subject and returns the first match of re in it.
func linkFromMail(e *env, addr, subject, re string) (string, error) {
	rx, err := regexp.Compile(re)
	if err != nil {
		return "", err
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(30 * time.Millisecond) {
		if ms := e.mailsTo(addr, subject); len(ms) > 0 {
			if m := rx.FindString(string(ms[len(ms)-1].Data)); m != "" {
				return m, nil
			}
			return "", fmt.Errorf("no %q in the mail", re)
		}
	}
	return "", fmt.Errorf("no mail %q to %s", subject, addr)
}

// postAndTakeUnsubscribe posts to the list and returns the https
// List-Unsubscribe URL of the copy delivered to addr.
func postAndTakeUnsubscribe(e *env, addr string) (string, error) {
	c, err := smtpDial(e)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if err := c.SendMail("ann@example.net", []string{"team@lists.example.org"},
		strings.NewReader(post("ann@example.net", "Hello newcomer", "browser@x", ""))); err != nil {
		return "", err
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(30 * time.Millisecond) {
		for _, m := range e.copiesTo(addr) {
			if h := m.Header("List-Unsubscribe"); h != "" {
				return regexp.MustCompile(`<(https://[^>]+)>`).FindStringSubmatch(h)[1], nil
			}
		}
	}
	return "", errors.New("no copy of the post arrived")
}
