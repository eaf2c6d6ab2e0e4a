package main

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// mailRow is one queued mail (digests go out through the mail queue).
type mailRow struct {
	id, rcpt, owner string
	leased          bool
}

// readMailq reads what is queued and not yet sent: the mail queue, and
// each digest job's members after its checkpoint, as mails.
func readMailq(ctx context.Context, s *storeRef) ([]mailRow, error) {
	db, err := openDB(s)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	out, err := readDigestJobs(ctx, db)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT rcpt, owner, lease_until, raw FROM mailq`)
	if err != nil {
		return nil, fmt.Errorf("read mailq: %w", err)
	}
	defer rows.Close()
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

// readDigestJobs lists each digest job's members after its checkpoint,
// each with the Message-ID their copy carries (delivery.DigestCopy).
func readDigestJobs(ctx context.Context, db *sql.DB) ([]mailRow, error) {
	rows, err := db.QueryContext(ctx, `SELECT j.part, j.first_uid, j.last_uid, j.members, j.sent_upto, j.owner,
		j.lease_until, l.address FROM digest_jobs j JOIN lists l ON l.id = j.list_id`)
	if err != nil {
		return nil, fmt.Errorf("read digest jobs: %w", err)
	}
	type job struct {
		part                     int
		first, last, upto, lease int64
		members, owner, list     string
	}
	var jobs []job
	for rows.Next() {
		var j job
		if err := rows.Scan(&j.part, &j.first, &j.last, &j.members, &j.upto, &j.owner, &j.lease, &j.list); err != nil {
			rows.Close()
			return nil, err
		}
		jobs = append(jobs, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []mailRow
	for _, j := range jobs {
		_, domain, _ := strings.Cut(j.list, "@")
		for _, f := range strings.Split(j.members, ",") {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil || id <= j.upto {
				continue
			}
			var addr string
			if err := db.QueryRowContext(ctx, `SELECT address FROM members WHERE id = $1`, id).Scan(&addr); err != nil {
				continue // left the list: nothing is sent
			}
			mid := fmt.Sprintf("digest.%s.%s-%s.%d@%s", strconv.FormatInt(id, 36), strconv.FormatInt(j.first, 36),
				strconv.FormatInt(j.last, 36), j.part, domain)
			out = append(out, mailRow{id: mid, rcpt: strings.ToLower(addr), owner: j.owner, leased: j.lease != 0})
		}
	}
	return out, nil
}
