package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// digestJob is one part's members in a committed batch, before insert.
type digestJob struct {
	listID  int64
	part    *store.DigestPart
	members []int64
}

// digestJobSize is the most members a job has: a fan-out chunk's size,
// so a large digest run is shared by the delivery workers as a fan-out is.
const digestJobSize = 200

// digestJobsOf groups the moved members' parts into jobs: members whose
// part is the same rendering (the same Shared slice) share one job, of
// at most digestJobSize members.
func digestJobsOf(cs []store.DigestCommit, moved func(int) bool) []*digestJob {
	by := map[*byte]*digestJob{}
	var out []*digestJob
	for i, c := range cs {
		if !moved(i) {
			continue
		}
		for k := range c.Outcome.Parts {
			p := &c.Outcome.Parts[k]
			if len(p.Shared) == 0 {
				continue
			}
			j := by[&p.Shared[0]]
			if j == nil || len(j.members) == digestJobSize {
				j = &digestJob{listID: c.State.Member.ListID, part: p}
				by[&p.Shared[0]] = j
				out = append(out, j)
			}
			j.members = append(j.members, c.State.MemberID)
		}
	}
	return out
}

// insertDigestJobs stores each job's body once and the job as one row.
func insertDigestJobs(ctx context.Context, q querier, jobs []*digestJob, now time.Time) error {
	for _, j := range jobs {
		body, err := putBody(ctx, q, j.part.Shared, now.UnixMilli())
		if err != nil {
			return err
		}
		if _, err := q.exec(ctx, `INSERT INTO digest_jobs (list_id, body_id, part, first_uid, last_uid, last_msg_id, members,
			created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, j.listID, body, j.part.Part, j.part.FirstUID, j.part.LastUID,
			j.part.LastMsgID, joinIDs(j.members), now.UnixMilli()); err != nil {
			return fmt.Errorf("insert digest job: %w", err)
		}
	}
	return nil
}

// joinIDs and splitIDs keep a job's member ids as ascending text.
func joinIDs(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

func splitIDs(s string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]int64, len(parts))
	for i, p := range parts {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("digest job members: %w", err)
		}
		out[i] = id
	}
	return out, nil
}

// ClaimDigestJob leases an unleased job, oldest first, else one whose
// lease ran out (a dead node's).
func (db *DB) ClaimDigestJob(ctx context.Context, owner string, lease time.Duration) (*store.DigestJob, error) {
	now := time.Now()
	var j *store.DigestJob
	err := db.d.tx(ctx, func(q querier) error {
		var id int64
		var prev string
		err := q.queryRow(ctx, `SELECT id, owner FROM digest_jobs WHERE lease_until < $1 ORDER BY lease_until, id LIMIT 1`+
			db.d.skipLocked(), now.UnixMilli()).Scan(&id, &prev)
		if err != nil {
			return err
		}
		if _, err := q.exec(ctx, `UPDATE digest_jobs SET owner = $1, lease_until = $2 WHERE id = $3`,
			owner, now.Add(lease).UnixMilli(), id); err != nil {
			return err
		}
		j, err = scanDigestJob(q.queryRow(ctx, `SELECT id, list_id, body_id, part, first_uid, last_uid, last_msg_id, members,
			sent_upto, owner, created_at FROM digest_jobs WHERE id = $1`, id))
		if j != nil {
			j.Taken = prev != ""
		}
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.ErrNotFound
	}
	return j, wrap("claim digest job", err)
}

func scanDigestJob(r row) (*store.DigestJob, error) {
	var j store.DigestJob
	var members string
	var created int64
	if err := r.Scan(&j.ID, &j.ListID, &j.BodyID, &j.Part, &j.FirstUID, &j.LastUID, &j.LastMsgID, &members,
		&j.SentUpto, &j.Owner, &created); err != nil {
		return nil, err
	}
	j.CreatedAt = time.UnixMilli(created)
	var err error
	j.Members, err = splitIDs(members)
	return &j, err
}

// DigestJobMembers reads the members after the checkpoint. A job's
// members are usually close together (a digest run claims members by due
// time, then id), so they are read as one range of the list's members
// when that range is at most twice their number, else by key.
func (db *DB) DigestJobMembers(ctx context.Context, j *store.DigestJob) ([]*store.Member, error) {
	var ids []int64
	for _, id := range j.Members {
		if id > j.SentUpto {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if span := ids[len(ids)-1] - ids[0] + 1; span <= 2*int64(len(ids)) {
		rs, err := db.d.query(ctx, `SELECT `+memberCols+` FROM members WHERE list_id = $1 AND id >= $2 AND id <= $3 ORDER BY id`,
			j.ListID, ids[0], ids[len(ids)-1])
		if err != nil {
			return nil, wrap("digest job members", err)
		}
		ms, err := collect(rs, scanMember)
		return only(ms, ids), wrap("digest job members", err)
	}
	var out []*store.Member
	for len(ids) > 0 {
		n := min(len(ids), idsPerStatement)
		in, args := idList(db.ph(), ids[:n], 1)
		rs, err := db.d.query(ctx, `SELECT `+memberCols+` FROM members WHERE list_id = $1 AND id IN (`+in+`) ORDER BY id`,
			append([]any{j.ListID}, args...)...)
		if err != nil {
			return nil, wrap("digest job members", err)
		}
		ms, err := collect(rs, scanMember)
		if err != nil {
			return nil, wrap("digest job members", err)
		}
		out, ids = append(out, ms...), ids[n:]
	}
	return out, nil
}

// only keeps the members (in id order) whose ids are in ids (ascending).
func only(ms []*store.Member, ids []int64) []*store.Member {
	out := ms[:0]
	k := 0
	for _, m := range ms {
		for k < len(ids) && ids[k] < m.ID {
			k++
		}
		if k < len(ids) && ids[k] == m.ID {
			out = append(out, m)
		}
	}
	return out
}

// CheckpointDigestJob records progress and renews the lease.
func (db *DB) CheckpointDigestJob(ctx context.Context, j *store.DigestJob, lease time.Duration, res store.DigestJobResult) error {
	now := time.Now()
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE digest_jobs SET sent_upto = $1, lease_until = $2 WHERE id = $3 AND owner = $4`,
			j.SentUpto, now.Add(lease).UnixMilli(), j.ID, j.Owner)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrLeaseLost
		}
		return fileDigestFailures(ctx, q, j, res, now)
	})
	return wrap("checkpoint digest job", err)
}

// CompleteDigestJob files the last failures and deletes the job.
func (db *DB) CompleteDigestJob(ctx context.Context, j *store.DigestJob, res store.DigestJobResult) error {
	now := time.Now()
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `DELETE FROM digest_jobs WHERE id = $1 AND owner = $2`, j.ID, j.Owner)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrLeaseLost
		}
		return fileDigestFailures(ctx, q, j, res, now)
	})
	return wrap("complete digest job", err)
}

// fileDigestFailures queues a temporarily refused copy as mail (the
// member's own fields before the job's body), retried by the mail
// queue, and records a permanent refusal against the member.
func fileDigestFailures(ctx context.Context, q querier, j *store.DigestJob, res store.DigestJobResult, now time.Time) error {
	for i := range res.Failures {
		f := &res.Failures[i]
		if !f.Temporary {
			if err := recordFailure(ctx, q, &f.Failure, now); err != nil {
				return err
			}
			continue
		}
		if _, err := q.exec(ctx, `INSERT INTO mailq (mail_from, rcpt, raw, body_id, attempts, next_attempt, last_error, created_at)
			VALUES ($1,$2,$3,$4,1,$5,$6,$7)`, f.From, f.Rcpt, f.Head, j.BodyID, f.Next.UnixMilli(), failureText(&f.Failure),
			j.CreatedAt.UnixMilli()); err != nil {
			return fmt.Errorf("queue digest retry: %w", err)
		}
	}
	return nil
}
