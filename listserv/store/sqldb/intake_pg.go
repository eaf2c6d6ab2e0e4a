package sqldb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/demnet-uk/listserv/listserv/store"
)

// saveIntakePG stores a batch in one transaction and two round trips: all
// UID allocations in one pgx batch, then every insert (each message with
// its fan-out or held row in one statement) in a second. Per-statement
// round trips, not fsyncs, are what limit intake on PostgreSQL.
func (db *DB) saveIntakePG(ctx context.Context, p *pgDB, items []*store.Intake, now time.Time) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if err := allocUIDsPG(ctx, tx, items); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, it := range items {
			queueInsertPG(b, it, now)
		}
		b.Queue(`SELECT pg_notify($1, '')`, workChannel)
		br := tx.SendBatch(ctx, b)
		for _, it := range items {
			m := it.Message
			err := br.QueryRow().Scan(&m.ID, &it.HeldID)
			if errors.Is(err, pgx.ErrNoRows) {
				// The list has this Message-ID (ON CONFLICT DO NOTHING):
				// nothing stored; its UID stays unused (IMAP allows gaps).
				it.Duplicate, m.ID, m.UID = true, 0, 0
				continue
			}
			if err != nil {
				br.Close()
				return fmt.Errorf("insert message: %w", err)
			}
		}
		return br.Close()
	})
}

// allocUIDsPG reserves a block of archive UIDs per list under the list
// row's lock, so UIDs become visible in commit order.
func allocUIDsPG(ctx context.Context, tx pgx.Tx, items []*store.Intake) error {
	need := map[int64]int64{}
	var order []int64
	for _, it := range items {
		m := it.Message
		m.Size = int64(len(m.Raw))
		if m.State != store.StateAccepted {
			continue
		}
		if need[m.ListID] == 0 {
			order = append(order, m.ListID)
		}
		need[m.ListID]++
	}
	next := map[int64]int64{}
	for _, id := range order { // the caller sorted items by list: one lock order
		var first int64
		if err := tx.QueryRow(ctx, `UPDATE lists SET uid_next = uid_next + $1 WHERE id = $2 RETURNING uid_next - $1`,
			need[id], id).Scan(&first); err != nil {
			return fmt.Errorf("allocate uids: %w", err)
		}
		next[id] = first
	}
	for _, it := range items {
		if m := it.Message; m.State == store.StateAccepted {
			m.UID = next[m.ListID]
			next[m.ListID]++
		}
	}
	return nil
}

const insertMessagePG = `INSERT INTO messages (list_id, envelope_from, from_addr, from_name, subject, message_id,
	in_reply_to, refs, sent_at, size, raw, state, reason, uid, received_at, dedup_key)
	VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)
	ON CONFLICT (list_id, dedup_key) DO NOTHING RETURNING id`

func queueInsertPG(b *pgx.Batch, it *store.Intake, now time.Time) {
	m := it.Message
	m.Received = now
	var uid any
	if m.UID > 0 {
		uid = m.UID
	}
	args := []any{m.ListID, m.EnvelopeFrom, m.FromAddr, m.FromName, m.Subject, m.MessageID, m.InReplyTo, m.References,
		m.SentAt.UnixMilli(), m.Size, m.Raw, m.State, m.Reason, uid, now.UnixMilli(), dedupKey(it)}
	switch {
	case m.State == store.StateAccepted || it.Audience == "owners":
		audience := it.Audience
		if audience == "" {
			audience = "members"
		}
		b.Queue(`WITH m AS (`+insertMessagePG+`) INSERT INTO fanouts (message_id, list_id, audience, created_at)
			SELECT id, $1, $17, $15 FROM m RETURNING message_id, 0::BIGINT`, append(args, audience)...)
	case m.State == store.StateHeld:
		b.Queue(`WITH m AS (`+insertMessagePG+`) INSERT INTO held (list_id, kind, message_id, reason, created_at)
			SELECT $1, 'post', id, $13, $15 FROM m RETURNING message_id, id`, args...)
	default:
		b.Queue(`WITH m AS (`+insertMessagePG+`) SELECT id, 0::BIGINT FROM m`, args...)
	}
}
