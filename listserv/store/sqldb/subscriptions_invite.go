package sqldb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Invite stores the invitations and their audit row together, so the log
// never misses invitations that went out nor records ones that did not.
func (db *DB) Invite(ctx context.Context, listID int64, invs []*store.Invitation, lim store.TokenLimits, a *store.Audit) (int, error) {
	// One lock order for every caller: PostgreSQL's per-address advisory
	// locks cannot deadlock two overlapping batches.
	sorted := slices.SortedFunc(slices.Values(invs), func(x, y *store.Invitation) int {
		return cmp.Compare(store.NormalizeAddress(x.Token.Address), store.NormalizeAddress(y.Token.Address))
	})
	sent := 0
	err := db.d.tx(ctx, func(q querier) error {
		sent = 0
		for _, inv := range sorted {
			ok, err := db.invite(ctx, q, listID, inv, lim)
			if err != nil {
				return err
			}
			if ok {
				sent++
			}
		}
		a.Detail = fmt.Sprintf("%d of %d invited", sent, len(invs))
		return addAudit(ctx, q, a)
	})
	if err != nil {
		return 0, wrap("invite", err)
	}
	return sent, nil
}

// invite stores one invitation; false when the address is a member or
// has been invited enough.
func (db *DB) invite(ctx context.Context, q querier, listID int64, inv *store.Invitation, lim store.TokenLimits) (bool, error) {
	var n int
	if err := q.queryRow(ctx, `SELECT COUNT(*) FROM members WHERE list_id = $1 AND address_key = $2`,
		listID, store.NormalizeAddress(inv.Token.Address)).Scan(&n); err != nil || n > 0 {
		return false, err
	}
	t := inv.Token
	t.ListID = listID
	if t.Created.IsZero() {
		t.Created = time.Now()
	}
	if err := db.insertSubToken(ctx, q, t, lim); errors.Is(err, store.ErrThrottled) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	inv.Consent.ListID = listID
	if err := addConsent(ctx, q, inv.Consent); err != nil {
		return false, err
	}
	return true, enqueueMail(ctx, q, inv.Mail)
}
