package sqldb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// HoldItem stores a submission as a pending item with its held row (and
// the acknowledgement) in one transaction, once per onceKey.
func (db *DB) HoldItem(ctx context.Context, it *store.Item, reason, onceKey string, ack *store.QueuedMail) (*store.Held, error) {
	it.State = store.ItemPending
	var heldID int64
	err := db.d.tx(ctx, func(q querier) error {
		now := time.Now()
		if onceKey != "" {
			n, err := q.exec(ctx, `INSERT INTO moderation_once (key, created_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
				onceKey, now.UnixMilli())
			if err != nil {
				return err
			}
			if n == 0 {
				return store.ErrExists
			}
		}
		if err := addItemIn(ctx, q, it); err != nil {
			return err
		}
		data, err := json.Marshal(map[string]int64{"item": it.ID})
		if err != nil {
			return err
		}
		subject := fmt.Sprintf("%s: %s", kindWord(it.Kind), it.Title)
		if err := q.queryRow(ctx, `INSERT INTO held (list_id, kind, reason, data, subject, from_addr, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, it.ListID, store.HeldKindItem, reason, string(data),
			subject, it.Submitter, now.UnixMilli()).Scan(&heldID); err != nil {
			return err
		}
		if ack != nil {
			return enqueueMail(ctx, q, ack)
		}
		return nil
	})
	if err != nil {
		return nil, wrap("hold item", err)
	}
	return db.GetHeld(ctx, heldID)
}

// kindWord names an item kind in the queue's subject column.
func kindWord(kind string) string {
	switch kind {
	case store.ItemEvent:
		return "Event"
	case store.ItemResearch:
		return "Research"
	case store.ItemAsk:
		return "Ask"
	case store.ItemOffer:
		return "Offer"
	}
	return kind
}

// EditHeldItem saves a waiting item's fields and audits the edit.
func (db *DB) EditHeldItem(ctx context.Context, heldID int64, it *store.Item, by string) error {
	err := db.d.tx(ctx, func(q querier) error {
		var listID int64
		var state, kind, data string
		if err := q.queryRow(ctx, `SELECT list_id, state, kind, data FROM held WHERE id = $1`+db.d.forUpdate(), heldID).
			Scan(&listID, &state, &kind, &data); err != nil {
			return err
		}
		if state != "pending" {
			return store.ErrAlreadyHandled
		}
		if id := store.HeldItemID(&store.Held{Kind: kind, Data: data}); id == 0 || id != it.ID {
			return fmt.Errorf("held %d is not item %d: %w", heldID, it.ID, store.ErrNotFound)
		}
		changed, err := db.updateItemIn(ctx, q, it)
		if err != nil || !changed {
			return err
		}
		if _, err := q.exec(ctx, `UPDATE held SET subject = $1 WHERE id = $2`,
			fmt.Sprintf("%s: %s", kindWord(it.Kind), it.Title), heldID); err != nil {
			return err
		}
		return addAudit(ctx, q, &store.Audit{Actor: by, Action: "edited", ListID: listID,
			Target: fmt.Sprintf("held:%d", heldID), Detail: "item " + fmt.Sprint(it.ID) + ": " + it.Title})
	})
	return wrap("edit held item", err)
}

// resolveItem moves a held item's newsletter item with the moderator's
// decision: approved, or rejected (reject and discard alike).
func resolveItem(ctx context.Context, q querier, action store.HeldAction, data string, now time.Time) error {
	id := store.HeldItemID(&store.Held{Kind: store.HeldKindItem, Data: data})
	if id == 0 {
		return errors.New("held item: no item id in its data")
	}
	if action == store.Approve {
		_, err := q.exec(ctx, `UPDATE items SET state = 'approved', approved_at = $1 WHERE id = $2 AND state = 'pending'`,
			now.UnixMilli(), id)
		return err
	}
	_, err := q.exec(ctx, `UPDATE items SET state = 'rejected' WHERE id = $1 AND state = 'pending'`, id)
	return err
}
