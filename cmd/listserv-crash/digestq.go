package main

import (
	"context"
	"fmt"
	"strings"
)

// mailRow is one queued mail (digests go out through the mail queue).
type mailRow struct {
	id, rcpt, owner string
	leased          bool
}

// readMailq reads the mail queue: what is queued and not yet sent.
func readMailq(ctx context.Context, s *storeRef) ([]mailRow, error) {
	db, err := openDB(s)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT rcpt, owner, lease_until, raw FROM mailq`)
	if err != nil {
		return nil, fmt.Errorf("read mailq: %w", err)
	}
	defer rows.Close()
	var out []mailRow
	for rows.Next() {
		var r mailRow
		var lease int64
		var raw []byte
		if err := rows.Scan(&r.rcpt, &r.owner, &lease, &raw); err != nil {
			return nil, err
		}
		r.id, r.rcpt, r.leased = messageID(raw), strings.ToLower(r.rcpt), lease != 0
		out = append(out, r)
	}
	return out, rows.Err()
}

// mailInFlight counts the queued mails leased by an owner ours accepts
// whose copy the sink already holds: the store does not record them as
// sent, so a takeover sends them once more. seen works as in inFlight.
func mailInFlight(q []mailRow, t tally, ours func(string) bool, seen map[string]int) int {
	n := 0
	for _, r := range q {
		c := t[r.id][r.rcpt]
		key := r.id + " " + r.rcpt
		if !r.leased || !ours(r.owner) || c == 0 || seen[key] == c {
			continue
		}
		seen[key] = c
		n++
	}
	return n
}
