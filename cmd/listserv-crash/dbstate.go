package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver
	_ "modernc.org/sqlite"             // "sqlite" driver
)

// openDB opens the store's database directly (read-only use). For SQLite
// it must only be used while no server runs, or alongside one.
func openDB(s *storeRef) (*sql.DB, error) {
	if s.kind == "postgres" {
		return sql.Open("pgx", s.url)
	}
	return sql.Open("sqlite", "file:"+s.url+"?_pragma=busy_timeout(10000)")
}

// progress is what the store records of a fan-out at one moment.
type progress struct {
	chunks  []chunkRow
	retries []retryRow
	members map[int64]string // member id -> address (fan-out audience)
}

type chunkRow struct {
	post                  string // Message-ID
	first, last, sentUpto int64
	state, owner          string
}

type retryRow struct {
	post   string
	member int64
	owner  string
	leased bool
}

// readProgress reads the chunks, pending retries and members of the list.
func readProgress(ctx context.Context, s *storeRef) (*progress, error) {
	db, err := openDB(s)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	p := &progress{members: map[int64]string{}}
	rows, err := db.QueryContext(ctx, `SELECT m.message_id, c.first_member, c.last_member, c.sent_upto, c.state, c.owner
		FROM chunks c JOIN fanouts f ON f.id = c.fanout_id JOIN messages m ON m.id = f.message_id`)
	if err != nil {
		return nil, fmt.Errorf("read chunks: %w", err)
	}
	for rows.Next() {
		var c chunkRow
		if err := rows.Scan(&c.post, &c.first, &c.last, &c.sentUpto, &c.state, &c.owner); err != nil {
			rows.Close()
			return nil, err
		}
		c.post = strings.Trim(c.post, "<>")
		p.chunks = append(p.chunks, c)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT m.message_id, r.member_id, r.owner, r.lease_until
		FROM retries r JOIN messages m ON m.id = r.message_id`)
	if err != nil {
		return nil, fmt.Errorf("read retries: %w", err)
	}
	for rows.Next() {
		var r retryRow
		var lease int64
		if err := rows.Scan(&r.post, &r.member, &r.owner, &lease); err != nil {
			rows.Close()
			return nil, err
		}
		r.post, r.leased = strings.Trim(r.post, "<>"), lease != 0
		p.retries = append(p.retries, r)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT mb.id, mb.address FROM members mb JOIN lists l ON l.id = mb.list_id
		WHERE l.address = $1 AND mb.mode = 'each' AND mb.status = 'enabled'`, listAddr)
	if err != nil {
		return nil, fmt.Errorf("read members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var addr string
		if err := rows.Scan(&id, &addr); err != nil {
			return nil, err
		}
		p.members[id] = strings.ToLower(addr)
	}
	return p, rows.Err()
}

// inFlight counts the copies in flight at a kill: copies the sink
// accepted that the store does not record as sent, so a takeover sends
// them again. Those are, for chunks still claimed (by an owner ours
// accepts), the members after the checkpoint (sent_upto, last_member]
// that have a copy, and for retries leased but not finished, their member
// if it has a copy. Each such post x member is sent once more at most.
//
// seen carries the pairs counted at earlier kills with the sink's count
// then: a pair whose chunk was not re-sent before this kill (its count has
// not changed) is the same copy in flight, not a new one.
func (p *progress) inFlight(t tally, ours func(owner string) bool, seen map[string]int) int {
	n := 0
	count := func(post, addr string) {
		c := t[post][addr]
		key := post + " " + addr
		if c == 0 || seen[key] == c {
			return
		}
		seen[key] = c
		n++
	}
	for _, c := range p.chunks {
		if c.state != "claimed" || !ours(c.owner) {
			continue
		}
		for id := c.sentUpto + 1; id <= c.last; id++ {
			if addr, ok := p.members[id]; ok {
				count(c.post, addr)
			}
		}
	}
	for _, r := range p.retries {
		if addr, ok := p.members[r.member]; ok && r.leased && ours(r.owner) {
			count(r.post, addr)
		}
	}
	return n
}

// covered counts, per post, the members the store records as sent
// (done chunks fully, claimed chunks up to sent_upto).
func (p *progress) covered() map[string]int {
	out := map[string]int{}
	for _, c := range p.chunks {
		upto := c.sentUpto
		if c.state == "done" {
			upto = c.last
		}
		for id := c.first; id <= upto; id++ {
			if _, ok := p.members[id]; ok {
				out[c.post]++
			}
		}
	}
	return out
}

// sentByOwner is how many copies each lease owner's chunks record as
// sent. A chunk taken over carries its whole count to the new owner.
func sentByOwner(ctx context.Context, s *storeRef) (map[string]int64, error) {
	db, err := openDB(s)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT owner, SUM(sent) FROM chunks GROUP BY owner`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var owner string
		var sent int64
		if err := rows.Scan(&owner, &sent); err != nil {
			return nil, err
		}
		out[owner] = sent
	}
	return out, rows.Err()
}

func anyOwner(string) bool { return true }
