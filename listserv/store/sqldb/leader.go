package sqldb

import (
	"context"
	"errors"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// leadTTL is how long a SQLite leadership lease lasts without renewal;
// PostgreSQL leadership ends the moment its session does.
const leadTTL = 15 * time.Second

// Lead blocks until this process holds the named leadership, runs fn with a
// context that ends if leadership is lost, and tries again until ctx ends.
// On PostgreSQL leadership is a session advisory lock on one dedicated
// connection (taken and released on the same connection, API-NOTES §4).
// Between attempts it waits a second, also after fn returned on its own,
// so a failing store or an fn that returns at once cannot make it spin.
func (db *DB) Lead(ctx context.Context, name, owner string, fn func(ctx context.Context)) error {
	for ctx.Err() == nil {
		// An error only means "not leading now": the next attempt retries.
		if p, ok := db.d.(*pgDB); ok {
			_ = leadPostgres(ctx, p.pool, name, fn)
		} else {
			_ = db.leadLease(ctx, name, owner, fn)
		}
		sleepCtx(ctx, leadRetry)
	}
	return nil
}

// leadRetry is the pause between leadership attempts.
const leadRetry = time.Second

func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("listserv-leader:" + name))
	return int64(h.Sum64() >> 1)
}

func leadPostgres(ctx context.Context, pool *pgxpool.Pool, name string, fn func(context.Context)) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	key := lockKey(name)
	for {
		var got bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
			return err
		}
		if got {
			break
		}
		if !sleepCtx(ctx, 2*time.Second) {
			return ctx.Err()
		}
	}
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { // leadership lasts as long as the session: watch it
		for sleepCtx(lctx, 2*time.Second) {
			if err := conn.Ping(lctx); err != nil {
				cancel()
				return
			}
		}
	}()
	fn(lctx)
	cancel()
	_, err = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key)
	return err
}

// leadLease is leadership by a renewed row, for SQLite.
func (db *DB) leadLease(ctx context.Context, name, owner string, fn func(context.Context)) error {
	for {
		ok, err := db.tryLease(ctx, name, owner)
		if err != nil {
			return err
		}
		if ok {
			break
		}
		if !sleepCtx(ctx, leadTTL/3) {
			return ctx.Err()
		}
	}
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for sleepCtx(lctx, leadTTL/3) {
			if ok, err := db.tryLease(lctx, name, owner); err != nil || !ok {
				cancel()
				return
			}
		}
	}()
	fn(lctx)
	cancel()
	_, err := db.d.exec(context.WithoutCancel(ctx), `DELETE FROM leaders WHERE name = $1 AND owner = $2`, name, owner)
	return err
}

func (db *DB) tryLease(ctx context.Context, name, owner string) (bool, error) {
	now := time.Now()
	n, err := db.d.exec(ctx, `INSERT INTO leaders (name, owner, until) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
		WHERE leaders.until < $4 OR leaders.owner = excluded.owner`,
		name, owner, now.Add(leadTTL).UnixMilli(), now.UnixMilli())
	if err != nil {
		return false, errors.Join(errors.New("leader lease"), err)
	}
	return n == 1, nil
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Housekeep deletes the chunks of fan-outs that are completely sent, so the
// queue tables stay small. It runs on the leader.
func (db *DB) Housekeep(ctx context.Context) (int64, error) {
	old := time.Now().Add(-time.Hour).UnixMilli()
	n, err := db.d.exec(ctx, `DELETE FROM chunks WHERE fanout_id IN (
		SELECT f.id FROM fanouts f WHERE f.state = 'cut' AND f.created_at < $1 AND NOT EXISTS (
			SELECT 1 FROM chunks c WHERE c.fanout_id = f.id AND c.state = 'claimed'))`, old)
	if err != nil {
		return 0, wrap("housekeep", err)
	}
	_, err = db.d.exec(ctx, `UPDATE fanouts SET state = 'done' WHERE state = 'cut' AND created_at < $1 AND NOT EXISTS (
		SELECT 1 FROM chunks c WHERE c.fanout_id = fanouts.id)`, old)
	if err != nil {
		return n, wrap("housekeep", err)
	}
	return n, wrap("housekeep", db.forgetExpired(ctx))
}

// forgetExpired deletes expired sessions, and sign-in tokens a day after
// they expired (kept that long so throttling can count them).
func (db *DB) forgetExpired(ctx context.Context) error {
	now := time.Now()
	if _, err := db.d.exec(ctx, `DELETE FROM sessions WHERE expires_at < $1`, now.UnixMilli()); err != nil {
		return err
	}
	_, err := db.d.exec(ctx, `DELETE FROM login_tokens WHERE expires_at < $1`, now.Add(-24*time.Hour).UnixMilli())
	return err
}

// workChannel is the PostgreSQL NOTIFY channel that wakes other nodes'
// delivery engines when work is queued.
const workChannel = "listserv_work"

// WatchWork calls fn whenever another node queues outbound work. On SQLite
// it returns at once: nodes there find work by polling.
func (db *DB) WatchWork(ctx context.Context, fn func()) error {
	p, ok := db.d.(*pgDB)
	if !ok {
		return nil
	}
	for ctx.Err() == nil {
		if err := watchOnce(ctx, p.pool, fn); err != nil && ctx.Err() == nil {
			sleepCtx(ctx, time.Second) // notifications are only wake-ups; polling covers the gap
		}
	}
	return nil
}

func watchOnce(ctx context.Context, pool *pgxpool.Pool, fn func()) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+workChannel); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "UNLISTEN "+workChannel)
	for {
		if _, err := conn.Conn().WaitForNotification(ctx); err != nil {
			return err
		}
		fn()
	}
}

// notifyWork wakes other nodes when the transaction q commits.
func (db *DB) notifyWork(ctx context.Context, q querier) error {
	if db.d.name() != "postgres" {
		return nil
	}
	_, err := q.exec(ctx, `SELECT pg_notify($1, '')`, workChannel)
	return err
}
