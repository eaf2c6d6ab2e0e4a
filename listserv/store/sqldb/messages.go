package sqldb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// The intake statements, prepared once on SQLite (see sqliteDB.warm).
const (
	insertMessageSQL = `INSERT INTO messages (list_id, envelope_from, from_addr, from_name, subject, message_id,
		in_reply_to, refs, sent_at, size, raw, state, reason, uid, received_at, dedup_key)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)
		ON CONFLICT (list_id, dedup_key) DO NOTHING RETURNING id`
	insertHeldSQL = `INSERT INTO held (list_id, kind, message_id, reason, created_at)
		VALUES ($1, 'post', $2, $3, $4) RETURNING id`
	allocUIDSQL     = `UPDATE lists SET uid_next = uid_next + 1 WHERE id = $1 RETURNING uid_next - 1`
	insertFanoutSQL = `INSERT INTO fanouts (message_id, list_id, audience, created_at) VALUES ($1, $2, $3, $4)`
)

// SaveIntake stores a batch in one transaction: one commit (one fsync) for
// every post that arrived while the previous commit was running.
func (db *DB) SaveIntake(ctx context.Context, items []*store.Intake) error {
	now := time.Now()
	if p, ok := db.d.(*pgDB); ok {
		return wrap("save intake", db.saveIntakePG(ctx, p, items, now))
	}
	err := db.d.tx(ctx, func(q querier) error {
		for _, it := range items {
			if err := saveOne(ctx, q, it, now); err != nil {
				return err
			}
		}
		return db.notifyWork(ctx, q)
	})
	return wrap("save intake", err)
}

func saveOne(ctx context.Context, q querier, it *store.Intake, now time.Time) error {
	m := it.Message
	m.Received = now
	m.Size = int64(len(m.Raw))
	var uid any
	if m.State == store.StateAccepted {
		u, err := allocUID(ctx, q, m.ListID)
		if err != nil {
			return err
		}
		m.UID, uid = u, u
	}
	err := q.queryRow(ctx, insertMessageSQL,
		m.ListID, m.EnvelopeFrom, m.FromAddr, m.FromName, m.Subject, m.MessageID, m.InReplyTo, m.References,
		m.SentAt.UnixMilli(), m.Size, m.Raw, m.State, m.Reason, uid, now.UnixMilli(), dedupKey(it)).Scan(&m.ID)
	if errors.Is(err, store.ErrNotFound) {
		// The list has this Message-ID: nothing stored. The UID taken
		// above stays unused; IMAP allows gaps.
		it.Duplicate, m.ID, m.UID = true, 0, 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	switch {
	case m.State == store.StateAccepted || it.Audience == "owners":
		return insertFanout(ctx, q, m.ID, m.ListID, it.Audience, now)
	case m.State == store.StateHeld:
		return q.queryRow(ctx, insertHeldSQL, m.ListID, m.ID, m.Reason, now.UnixMilli()).Scan(&it.HeldID)
	}
	return nil
}

// dedupKey is messages.dedup_key (see migration 0007): posts and owner mail
// are deduplicated apart, and a message without a Message-ID is never
// (NULL does not conflict).
func dedupKey(it *store.Intake) any {
	id := it.Message.MessageID
	switch {
	case id == "":
		return nil
	case it.Audience == "owners":
		return "owners " + id
	}
	return "members " + id
}

// allocUID takes the list's next archive UID under the list row's lock, so
// UIDs become visible in commit order (IMAP clients sync from the last UID).
func allocUID(ctx context.Context, q querier, listID int64) (int64, error) {
	var uid int64
	err := q.queryRow(ctx, allocUIDSQL, listID).Scan(&uid)
	if err != nil {
		return 0, fmt.Errorf("allocate uid: %w", err)
	}
	return uid, nil
}

func insertFanout(ctx context.Context, q querier, msgID, listID int64, audience string, now time.Time) error {
	if audience == "" {
		audience = "members"
	}
	_, err := q.exec(ctx, insertFanoutSQL, msgID, listID, audience, now.UnixMilli())
	if err != nil {
		return fmt.Errorf("queue fan-out: %w", err)
	}
	return nil
}

const messageCols = `id, list_id, envelope_from, from_addr, from_name, subject, message_id, in_reply_to, refs,
	sent_at, size, raw, state, reason, COALESCE(uid, 0), received_at`

func scanMessage(r row) (*store.Message, error) {
	var m store.Message
	var sent, recv int64
	err := r.Scan(&m.ID, &m.ListID, &m.EnvelopeFrom, &m.FromAddr, &m.FromName, &m.Subject, &m.MessageID,
		&m.InReplyTo, &m.References, &sent, &m.Size, &m.Raw, &m.State, &m.Reason, &m.UID, &recv)
	if err != nil {
		return nil, err
	}
	m.SentAt, m.Received = time.UnixMilli(sent), time.UnixMilli(recv)
	return &m, nil
}

// GetMessage loads one stored message with its raw bytes.
func (db *DB) GetMessage(ctx context.Context, id int64) (*store.Message, error) {
	m, err := scanMessage(db.d.queryRow(ctx, `SELECT `+messageCols+` FROM messages WHERE id = $1`, id))
	return m, wrap("get message", err)
}

const heldSelect = `SELECT h.id, h.list_id, l.address, h.kind, COALESCE(h.message_id, 0), COALESCE(m.from_addr, h.from_addr),
	COALESCE(m.subject, h.subject), COALESCE(m.size, 0), h.reason, h.state, h.handled_by, h.handled_at, h.note, h.created_at, h.data
	FROM held h JOIN lists l ON l.id = h.list_id LEFT JOIN messages m ON m.id = h.message_id `

func scanHeld(r row) (*store.Held, error) {
	var h store.Held
	var handled, created int64
	err := r.Scan(&h.ID, &h.ListID, &h.ListAddress, &h.Kind, &h.MessageID, &h.From, &h.Subject, &h.Size,
		&h.Reason, &h.State, &h.HandledBy, &handled, &h.Note, &created, &h.Data)
	if err != nil {
		return nil, err
	}
	h.Created = time.UnixMilli(created)
	if handled > 0 {
		h.HandledAt = time.UnixMilli(handled)
	}
	return &h, nil
}

// ListHeld returns pending items, oldest first; listID 0 means every list.
func (db *DB) ListHeld(ctx context.Context, listID int64) ([]*store.Held, error) {
	rs, err := db.d.query(ctx, heldSelect+`WHERE h.state = 'pending' AND ($1 = 0 OR h.list_id = $2) ORDER BY h.id`, listID, listID)
	if err != nil {
		return nil, wrap("list held", err)
	}
	return collect(rs, scanHeld)
}

// GetHeld loads one held item in any state.
func (db *DB) GetHeld(ctx context.Context, id int64) (*store.Held, error) {
	h, err := scanHeld(db.d.queryRow(ctx, heldSelect+`WHERE h.id = $1`, id))
	return h, wrap("get held", err)
}

// ResolveHeld moves a pending item to its final state exactly once: the
// conditional UPDATE is the arbiter between concurrent moderators.
func (db *DB) ResolveHeld(ctx context.Context, id int64, action store.HeldAction, by, note string) (*store.Held, error) {
	now := time.Now()
	handled := false
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE held SET state = $1, handled_by = $2, handled_at = $3, note = $4
			WHERE id = $5 AND state = 'pending'`, string(action), by, now.UnixMilli(), note, id)
		if err != nil || n == 0 {
			return err
		}
		handled = true
		listID, err := resolveMessage(ctx, q, id, action, now)
		if err != nil {
			return err
		}
		// The audit entry commits with the action: no action without a record.
		if err := addAudit(ctx, q, &store.Audit{At: now, Actor: by, Action: string(action), ListID: listID,
			Target: fmt.Sprintf("held:%d", id), Detail: note}); err != nil {
			return err
		}
		return db.notifyWork(ctx, q)
	})
	if err != nil {
		return nil, wrap("resolve held", err)
	}
	h, err := db.GetHeld(ctx, id)
	if err != nil {
		return nil, err
	}
	if !handled {
		return h, fmt.Errorf("held %d is %s by %s: %w", id, h.State, h.HandledBy, store.ErrAlreadyHandled)
	}
	return h, nil
}

func resolveMessage(ctx context.Context, q querier, heldID int64, action store.HeldAction, now time.Time) (int64, error) {
	var msgID, listID int64
	var kind, data string
	if err := q.queryRow(ctx, `SELECT COALESCE(message_id, 0), list_id, kind, data FROM held WHERE id = $1`, heldID).
		Scan(&msgID, &listID, &kind, &data); err != nil {
		return 0, err
	}
	if kind == "subscription" {
		return listID, resolveSubscription(ctx, q, listID, action, data, now)
	}
	if kind == store.HeldKindItem {
		return listID, resolveItem(ctx, q, action, data, now)
	}
	if msgID == 0 {
		return listID, nil
	}
	if action != store.Approve {
		_, err := q.exec(ctx, `UPDATE messages SET state = $1 WHERE id = $2`, string(action), msgID)
		return listID, err
	}
	uid, err := allocUID(ctx, q, listID)
	if err != nil {
		return 0, err
	}
	if _, err := q.exec(ctx, `UPDATE messages SET state = 'accepted', uid = $1 WHERE id = $2`, uid, msgID); err != nil {
		return 0, err
	}
	return listID, insertFanout(ctx, q, msgID, listID, "members", now)
}

// SaveInbox keeps administrative mail.
func (db *DB) SaveInbox(ctx context.Context, in *store.InboxItem) error {
	err := db.d.queryRow(ctx, `INSERT INTO inbox (list_id, kind, token, envelope_from, raw, created_at)
		VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`,
		in.ListID, in.Kind, in.Token, in.EnvelopeFrom, in.Raw, time.Now().UnixMilli()).Scan(&in.ID)
	return wrap("save inbox", err)
}
