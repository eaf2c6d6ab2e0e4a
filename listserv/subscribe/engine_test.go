package subscribe

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/token"
)

func newEngine(t *testing.T) (*Engine, store.Store, *store.List) {
	t.Helper()
	db, err := sqldb.Open(t.Context(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l := &store.List{Address: "team@lists.example.org", Name: "Team"}
	if err := db.CreateList(t.Context(), l); err != nil {
		t.Fatal(err)
	}
	return New(db, token.New([]byte("secret")), nil, Options{BaseURL: "https://lists.example.org/", SiteAddress: "site@lists.example.org"}), db, l
}

var linkRe = regexp.MustCompile(`/confirm/([a-z2-7]+)`)

// lastToken is the token of the newest queued mail to addr.
func lastToken(t *testing.T, st store.Store, addr string) string {
	t.Helper()
	ms, err := st.ClaimMail(context.Background(), "t", time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].To == addr {
			if m := linkRe.FindStringSubmatch(string(ms[i].Raw)); m != nil {
				return m[1]
			}
		}
	}
	t.Fatalf("no confirmation mail to %s", addr)
	return ""
}

func TestTokenExpiresAfterTTL(t *testing.T) {
	e, st, l := newEngine(t)
	ctx := context.Background()
	if err := e.RequestJoin(ctx, l, Request{Address: "a@x.org", How: "web", Origin: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	tok := lastToken(t, st, "a@x.org")
	now := time.Now()
	e.Now = func() time.Time { return now.Add(DefaultTokenTTL + time.Minute) }
	if p, err := e.Peek(ctx, tok); err != nil || p.Usable || p.List.ID != l.ID {
		t.Errorf("peek of an expired token: %+v %v", p, err)
	}
	if _, err := e.Confirm(ctx, tok, "web", "192.0.2.1"); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("confirm after the TTL: %v", err)
	}
	e.Now = func() time.Time { return now.Add(time.Hour) }
	res, err := e.Confirm(ctx, tok, "web", "192.0.2.1")
	if err != nil || res.Member == nil {
		t.Fatalf("confirm within the TTL: %+v %v", res, err)
	}
	if _, err := e.Confirm(ctx, tok, "web", "192.0.2.1"); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("second use: %v", err)
	}
}

func TestDeliveryChoices(t *testing.T) {
	e, st, l := newEngine(t)
	ctx := context.Background()
	st.AddMembers(ctx, l.ID, []store.NewMember{{Address: "m@x.org"}})
	get := func() (*store.Member, *store.MemberPrefs) {
		m, _ := st.GetMember(ctx, l.ID, "m@x.org")
		p, _ := st.GetMemberPrefs(ctx, m.ID)
		return m, p
	}
	m, _ := get()
	for _, c := range []struct{ choice, mode, digest string }{
		{DeliverWeekly, store.ModeDigest, store.DigestWeekly},
		{DeliverDaily, store.ModeDigest, store.DigestDaily},
		{DeliverEach, store.ModeEach, store.DigestDaily},
	} {
		if err := e.SetDelivery(ctx, m, c.choice, time.Time{}, true); err != nil {
			t.Fatal(err)
		}
		m, p := get()
		if m.Mode != c.mode || p.Digest != c.digest || Choice(m, p) != c.choice {
			t.Errorf("%s: mode %s digest %s choice %s", c.choice, m.Mode, p.Digest, Choice(m, p))
		}
	}
	e.SetDelivery(ctx, m, DeliverWeekly, time.Time{}, true)
	m, _ = get()
	if err := e.SetDelivery(ctx, m, DeliverNoMail, time.Now().Add(-time.Hour), true); !errors.Is(err, ErrBadChoice) {
		t.Errorf("nomail until a past date: %v", err)
	}
	if err := e.SetDelivery(ctx, m, "sometimes", time.Time{}, true); !errors.Is(err, ErrBadChoice) {
		t.Errorf("unknown choice: %v", err)
	}
	until := time.Now().Add(48 * time.Hour)
	if err := e.SetDelivery(ctx, m, DeliverNoMail, until, false); err != nil {
		t.Fatal(err)
	}
	st.ResumeNoMail(ctx, until.Add(time.Minute))
	if m, p := get(); m.Mode != store.ModeDigest || p.Digest != store.DigestWeekly || p.OwnPosts {
		t.Errorf("after the holiday: %s %+v, want the weekly digest back", m.Mode, p)
	}
}

func TestEraseFollowsListPolicy(t *testing.T) {
	e, st, l := newEngine(t)
	ctx := context.Background()
	keep := &store.List{Address: "record@lists.example.org"}
	st.CreateList(ctx, keep)
	st.SetListAccess(ctx, &store.ListAccess{ListID: keep.ID, Visibility: store.VisibilityPublic, Join: store.JoinConfirm, Erasure: store.ErasureKeep}, "test")
	raw := "From: Gone <gone@x.org>\r\nReply-To: gone@x.org\r\nSubject: s\r\n\r\nbody stays\r\n"
	a := &store.Message{ListID: l.ID, FromAddr: "gone@x.org", Raw: []byte(raw), State: store.StateAccepted}
	b := &store.Message{ListID: keep.ID, FromAddr: "gone@x.org", Raw: []byte(raw), State: store.StateAccepted}
	st.SaveIntake(ctx, []*store.Intake{{Message: a}, {Message: b}})
	if err := e.Erase(ctx, "gone@x.org"); err != nil {
		t.Fatal(err)
	}
	ma, _ := st.GetMessage(ctx, a.ID)
	if strings.Contains(string(ma.Raw), "gone@x.org") || !strings.HasSuffix(string(ma.Raw), "\r\n\r\nbody stays\r\n") || ma.FromName != FormerMember {
		t.Errorf("anonymised post:\n%s", ma.Raw)
	}
	if mb, _ := st.GetMessage(ctx, b.ID); string(mb.Raw) != raw {
		t.Errorf("a post on a keep list was changed:\n%s", mb.Raw)
	}
}
