package subscribe

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/token"
)

// TestInviteManyAuditFailureSendsNothing: the audit row commits with the
// invitations, so when it cannot be written no invitation goes out either.
// The fault is a real one: a trigger makes the database refuse audit rows.
func TestInviteManyAuditFailureSendsNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l := &store.List{Address: "team@lists.example.org", Name: "Team"}
	if err := db.CreateList(ctx, l); err != nil {
		t.Fatal(err)
	}
	e := New(db, token.New([]byte("secret")), nil, Options{BaseURL: "https://lists.example.org/", SiteAddress: "site@lists.example.org"})

	sent, err := e.InviteMany(ctx, l, []string{"a@x.org", "b@x.org"}, "owner@x.org")
	if err != nil || sent != 2 {
		t.Fatalf("control: InviteMany = %d, %v", sent, err)
	}
	if as, err := db.ListAudit(ctx, l.ID, 0, 10); err != nil || len(as) != 1 || as[0].Detail != "2 of 2 invited" {
		t.Fatalf("control: audit = %+v %v", as, err)
	}
	if ms, err := db.ClaimMail(ctx, "t", time.Minute, 100); err != nil || len(ms) != 2 {
		t.Fatalf("control: %d mails queued, %v", len(ms), err)
	}

	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit refused'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.InviteMany(ctx, l, []string{"c@x.org"}, "owner@x.org"); err == nil {
		t.Fatal("InviteMany succeeded although its audit row was refused")
	}
	if ms, err := db.ClaimMail(ctx, "t", time.Minute, 100); err != nil || len(ms) != 0 {
		t.Errorf("%d invitations mailed without an audit row (%v)", len(ms), err)
	}
	if cs, err := db.ListConsent(ctx, "c@x.org"); err != nil || len(cs) != 0 {
		t.Errorf("consent recorded without an audit row: %+v %v", cs, err)
	}
}
