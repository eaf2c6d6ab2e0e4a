package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// auditedTests check the methods that write a change together with its
// record: an audit row, or a session for a used sign-in token. After
// success both exist; after a failure neither does.
var auditedTests = []storeTest{
	{"RedeemLogin", testRedeemLogin},
	{"RedeemLoginFails", testRedeemLoginFails},
	{"InviteAudited", testInviteAudited},
	{"InviteFailsUnaudited", testInviteFailsUnaudited},
}

func testRedeemLogin(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	must(t, s.CreateToken(ctx, &store.Token{Hash: "tok", Address: "A@x.org", Purpose: "login", Data: "/me",
		Expires: now.Add(time.Minute)}), "CreateToken")
	must(t, s.CreateToken(ctx, &store.Token{Hash: "old", Address: "a@x.org", Purpose: "login", Expires: now.Add(-time.Second)}), "CreateToken")
	tk, err := s.RedeemLogin(ctx, "tok", "sess", now, now.Add(time.Hour))
	must(t, err, "RedeemLogin")
	if tk.Address != "a@x.org" || tk.Data != "/me" {
		t.Errorf("redeemed %+v", tk)
	}
	if a, err := s.GetSession(ctx, "sess", now); err != nil || a != "a@x.org" {
		t.Errorf("session after redeeming: %q %v", a, err)
	}
	_, err = s.RedeemLogin(ctx, "tok", "sess2", now, now.Add(time.Hour))
	wantErr(t, err, store.ErrNotFound, "redeeming a used token")
	_, err = s.RedeemLogin(ctx, "old", "sess3", now, now.Add(time.Hour))
	wantErr(t, err, store.ErrNotFound, "redeeming an expired token")
	for _, h := range []string{"sess2", "sess3"} {
		if _, err := s.GetSession(ctx, h, now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a refused token opened session %s (%v)", h, err)
		}
	}
}

// testRedeemLoginFails: when the session cannot be stored (here its hash
// is taken), the token stays unused for another try.
func testRedeemLoginFails(t *testing.T, s store.Store) {
	ctx := context.Background()
	now := time.Now()
	must(t, s.CreateSession(ctx, "taken", "other@x.org", now.Add(time.Hour)), "CreateSession")
	must(t, s.CreateToken(ctx, &store.Token{Hash: "tok", Address: "a@x.org", Purpose: "login", Expires: now.Add(time.Minute)}), "CreateToken")
	if _, err := s.RedeemLogin(ctx, "tok", "taken", now, now.Add(time.Hour)); err == nil {
		t.Fatal("RedeemLogin succeeded although the session could not be stored")
	}
	if _, err := s.PeekToken(ctx, "tok", "login", now); err != nil {
		t.Errorf("the token was used up by a failed sign-in: %v", err)
	}
	if a, err := s.GetSession(ctx, "taken", now); err != nil || a != "other@x.org" {
		t.Errorf("the existing session changed: %q %v", a, err)
	}
	if _, err := s.RedeemLogin(ctx, "tok", "fresh", now, now.Add(time.Hour)); err != nil {
		t.Errorf("retry after the failure: %v", err)
	}
}

func invitation(l *store.List, hash, addr string) *store.Invitation {
	now := time.Now()
	return &store.Invitation{
		Token:   &store.SubToken{Hash: hash, Kind: store.TokenInvite, Address: addr, Created: now, Expires: now.Add(time.Hour)},
		Consent: &store.Consent{Address: addr, Action: "invited", How: "invite", Origin: "owner@x.org"},
		Mail:    &store.QueuedMail{From: l.SubAddress("bounces"), To: addr, Raw: []byte("Subject: invite\r\n\r\n" + hash + "\r\n")},
	}
}

var inviteLimit = store.TokenLimits{PerList: 1, ListWindow: time.Hour}

func testInviteAudited(t *testing.T, s store.Store) {
	ctx := context.Background()
	l := subList(t, s, "inv@example.org", store.NewMember{Address: "member@x.org"})
	invs := []*store.Invitation{invitation(l, "h1", "new@x.org"), invitation(l, "h2", "Member@x.org"), invitation(l, "h3", "b@x.org")}
	a := &store.Audit{Actor: "owner@x.org", Action: "invite", ListID: l.ID, Target: "list"}
	sent, err := s.Invite(ctx, l.ID, invs, inviteLimit, a)
	must(t, err, "Invite")
	if sent != 2 {
		t.Errorf("sent %d, want 2 (the member skipped)", sent)
	}
	as, err := s.ListAudit(ctx, l.ID, 0, 10)
	must(t, err, "ListAudit")
	if len(as) != 1 || as[0].Action != "invite" || as[0].Actor != "owner@x.org" || as[0].Detail != "2 of 3 invited" {
		t.Fatalf("audit after inviting: %+v", as)
	}
	if _, err := s.GetSubToken(ctx, "h2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a member got an invitation token (%v)", err)
	}
	for _, h := range []string{"h1", "h3"} {
		if tk, err := s.GetSubToken(ctx, h); err != nil || tk.ListID != l.ID {
			t.Errorf("token %s: %+v %v", h, tk, err)
		}
	}
	if cs, err := s.ListConsent(ctx, "new@x.org"); err != nil || len(cs) != 1 || cs[0].Action != "invited" || cs[0].ListID != l.ID {
		t.Errorf("consent of the invitee: %+v %v", cs, err)
	}
	if ms := claimAllMail(t, s); len(ms) != 2 {
		t.Errorf("%d invitation mails queued, want 2", len(ms))
	}
	// Invited again within the window: nothing is stored, the row says so.
	sent, err = s.Invite(ctx, l.ID, []*store.Invitation{invitation(l, "h4", "new@x.org")}, inviteLimit,
		&store.Audit{Actor: "owner@x.org", Action: "invite", ListID: l.ID})
	must(t, err, "Invite again")
	if sent != 0 {
		t.Errorf("a second invitation within the window was sent")
	}
	if as, _ := s.ListAudit(ctx, l.ID, 0, 10); len(as) != 2 || as[0].Detail != "0 of 1 invited" {
		t.Errorf("audit after the repeat: %+v", as)
	}
}

// testInviteFailsUnaudited: one invitation that cannot be stored (its
// token hash is taken) leaves no invitation, mail or audit row at all.
func testInviteFailsUnaudited(t *testing.T, s store.Store) {
	ctx := context.Background()
	l := subList(t, s, "invfail@example.org")
	must(t, s.CreateSubToken(ctx, &store.SubToken{Hash: "taken", Kind: store.TokenInvite, Address: "x@x.org", ListID: l.ID,
		Created: time.Now(), Expires: time.Now().Add(time.Hour)}, store.TokenLimits{}), "CreateSubToken")
	invs := []*store.Invitation{invitation(l, "ok", "a@x.org"), invitation(l, "taken", "z@x.org")}
	if _, err := s.Invite(ctx, l.ID, invs, inviteLimit, &store.Audit{Actor: "owner@x.org", Action: "invite", ListID: l.ID}); err == nil {
		t.Fatal("Invite succeeded with a clashing token")
	}
	if as, err := s.ListAudit(ctx, l.ID, 0, 10); err != nil || len(as) != 0 {
		t.Errorf("audit rows after a failed invite: %+v %v", as, err)
	}
	if _, err := s.GetSubToken(ctx, "ok"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the other invitation was kept (%v)", err)
	}
	if cs, _ := s.ListConsent(ctx, "a@x.org"); len(cs) != 0 {
		t.Errorf("consent kept after a failed invite: %+v", cs)
	}
	if ms := claimAllMail(t, s); len(ms) != 0 {
		t.Errorf("%d mails queued by a failed invite", len(ms))
	}
}

func claimAllMail(t *testing.T, s store.Store) []*store.QueuedMail {
	t.Helper()
	ms, err := s.ClaimMail(context.Background(), "test", time.Minute, 100)
	must(t, err, "ClaimMail")
	return ms
}
