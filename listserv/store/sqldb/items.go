package sqldb

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

const itemCols = `id, list_id, kind, state, title, summary, url, by_name, starts_at, ends_at, tz, all_day,
	location, region, online_url, booking_url, published_at, topics, respond, closes_at, submitter, org_name,
	source, sequence, created_at, last_modified, approved_at, reminded_at`

// ms is a time as stored: milliseconds, 0 for the zero time.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS is the reverse of ms.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

func joinTopics(ts []string) string {
	ts = store.NormalizeTopics(ts)
	if len(ts) == 0 {
		return ""
	}
	return "," + strings.Join(ts, ",") + ","
}

func splitTopics(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func scanItem(r row) (*store.Item, error) {
	var it store.Item
	var starts, ends, pub, closes, created, mod, appr, rem int64
	var allDay int
	var topics string
	err := r.Scan(&it.ID, &it.ListID, &it.Kind, &it.State, &it.Title, &it.Summary, &it.URL, &it.By, &starts, &ends,
		&it.Zone, &allDay, &it.Location, &it.Region, &it.OnlineURL, &it.BookingURL, &pub, &topics, &it.Respond,
		&closes, &it.Submitter, &it.OrgName, &it.Source, &it.Sequence, &created, &mod, &appr, &rem)
	if err != nil {
		return nil, err
	}
	it.Starts, it.Ends, it.Published, it.Closes = fromMS(starts), fromMS(ends), fromMS(pub), fromMS(closes)
	it.Created, it.LastModified, it.Approved, it.Reminded = fromMS(created), fromMS(mod), fromMS(appr), fromMS(rem)
	it.AllDay = allDay != 0
	it.Topics = splitTopics(topics)
	return &it, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AddItem stores a new item.
func (db *DB) AddItem(ctx context.Context, it *store.Item) error {
	return wrap("add item", addItemIn(ctx, db.d, it))
}

// addItemIn inserts it through q (the database or a transaction).
func addItemIn(ctx context.Context, q querier, it *store.Item) error {
	now := time.Now().Truncate(time.Millisecond)
	if it.State == "" {
		it.State = store.ItemPending
	}
	if it.Source == "" {
		it.Source = "operator"
	}
	it.Created, it.LastModified = now, now
	if it.State == store.ItemApproved && it.Approved.IsZero() {
		it.Approved = now
	}
	it.Submitter = store.NormalizeAddress(it.Submitter)
	it.Topics = store.NormalizeTopics(it.Topics)
	return q.queryRow(ctx, `INSERT INTO items (list_id, kind, state, title, summary, url, by_name, starts_at, ends_at,
		tz, all_day, location, region, online_url, booking_url, published_at, topics, respond, closes_at, submitter,
		submitter_key, org_name, source, sequence, created_at, last_modified, approved_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27) RETURNING id`,
		it.ListID, it.Kind, it.State, it.Title, it.Summary, it.URL, it.By, ms(it.Starts), ms(it.Ends), it.Zone,
		boolInt(it.AllDay), it.Location, it.Region, it.OnlineURL, it.BookingURL, ms(it.Published), joinTopics(it.Topics),
		it.Respond, ms(it.Closes), it.Submitter, it.Submitter, it.OrgName, it.Source, it.Sequence, ms(now), ms(now),
		ms(it.Approved)).Scan(&it.ID)
}

// GetItem returns one item.
func (db *DB) GetItem(ctx context.Context, id int64) (*store.Item, error) {
	it, err := scanItem(db.d.queryRow(ctx, `SELECT `+itemCols+` FROM items WHERE id = $1`, id))
	return it, wrap("get item", err)
}

// UpdateItem saves the fields; sequence and last_modified move only when
// one of them differs from what is stored (compared in SQL, so an
// unchanged save is not a new calendar revision).
func (db *DB) UpdateItem(ctx context.Context, it *store.Item) error {
	err := db.d.tx(ctx, func(q querier) error {
		_, err := db.updateItemIn(ctx, q, it)
		return err
	})
	return wrap("update item", err)
}

// updateItemIn is UpdateItem inside a transaction; it reports whether
// anything changed.
func (db *DB) updateItemIn(ctx context.Context, q querier, it *store.Item) (bool, error) {
	now := time.Now().UnixMilli()
	it.Topics = store.NormalizeTopics(it.Topics)
	old, err := scanItem(q.queryRow(ctx, `SELECT `+itemCols+` FROM items WHERE id = $1`+db.d.forUpdate(), it.ID))
	if err != nil {
		return false, err
	}
	if !itemChanged(old, it) {
		*it = *old
		return false, nil
	}
	_, err = q.exec(ctx, `UPDATE items SET kind=$1, title=$2, summary=$3, url=$4, by_name=$5, starts_at=$6, ends_at=$7,
		tz=$8, all_day=$9, location=$10, region=$11, online_url=$12, booking_url=$13, published_at=$14, topics=$15,
		respond=$16, closes_at=$17, org_name=$18, sequence = sequence + 1, last_modified=$19 WHERE id=$20`,
		it.Kind, it.Title, it.Summary, it.URL, it.By, ms(it.Starts), ms(it.Ends), it.Zone, boolInt(it.AllDay),
		it.Location, it.Region, it.OnlineURL, it.BookingURL, ms(it.Published), joinTopics(it.Topics), it.Respond,
		ms(it.Closes), it.OrgName, now, it.ID)
	if err != nil {
		return false, err
	}
	n, err := scanItem(q.queryRow(ctx, `SELECT `+itemCols+` FROM items WHERE id = $1`, it.ID))
	if err == nil {
		*it = *n
	}
	return true, err
}

func itemChanged(a, b *store.Item) bool {
	return a.Kind != b.Kind || a.Title != b.Title || a.Summary != b.Summary || a.URL != b.URL || a.By != b.By ||
		ms(a.Starts) != ms(b.Starts) || ms(a.Ends) != ms(b.Ends) || a.Zone != b.Zone || a.AllDay != b.AllDay ||
		a.Location != b.Location || a.Region != b.Region || a.OnlineURL != b.OnlineURL || a.BookingURL != b.BookingURL ||
		ms(a.Published) != ms(b.Published) || joinTopics(a.Topics) != joinTopics(b.Topics) || a.Respond != b.Respond ||
		ms(a.Closes) != ms(b.Closes) || a.OrgName != b.OrgName
}

// SetItemState moves an item between states exactly once.
func (db *DB) SetItemState(ctx context.Context, id int64, from []string, state string) (*store.Item, error) {
	var out *store.Item
	err := db.d.tx(ctx, func(q querier) error {
		it, err := scanItem(q.queryRow(ctx, `SELECT `+itemCols+` FROM items WHERE id = $1`+db.d.forUpdate(), id))
		if err != nil {
			return err
		}
		out = it
		ok := false
		for _, f := range from {
			ok = ok || it.State == f
		}
		if !ok {
			return store.ErrAlreadyHandled
		}
		now := time.Now().UnixMilli()
		appr := ms(it.Approved)
		if state == store.ItemApproved && appr == 0 {
			appr = now
		}
		if _, err := q.exec(ctx, `UPDATE items SET state = $1, approved_at = $2 WHERE id = $3`, state, appr, id); err != nil {
			return err
		}
		it.State, it.Approved = state, fromMS(appr)
		return nil
	})
	if errors.Is(err, store.ErrAlreadyHandled) {
		return out, wrap("item state", err)
	}
	if err != nil {
		return nil, wrap("item state", err)
	}
	return out, nil
}

// ExpireItems archives asks and offers past their closing date.
func (db *DB) ExpireItems(ctx context.Context, now time.Time) (int64, error) {
	n, err := db.d.exec(ctx, `UPDATE items SET state = 'expired' WHERE closes_at > 0 AND closes_at <= $1
		AND kind IN ('ask','offer') AND state IN ('approved','published')`, now.UnixMilli())
	return n, wrap("expire items", err)
}

// RemindItem marks the reminder for closes as sent and queues m, once.
func (db *DB) RemindItem(ctx context.Context, id int64, closes time.Time, m *store.QueuedMail) (bool, error) {
	done := false
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE items SET reminded_at = $1 WHERE id = $2 AND reminded_at <> $1 AND closes_at = $1`,
			ms(closes), id)
		if err != nil || n == 0 {
			return err
		}
		done = true
		if m == nil {
			return nil
		}
		return enqueueMail(ctx, q, m)
	})
	return done, wrap("remind item", err)
}

// ExtendItem moves the closing date of a live or expired ask or offer
// and makes it live again.
func (db *DB) ExtendItem(ctx context.Context, id int64, closes time.Time) (*store.Item, error) {
	var out *store.Item
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE items SET closes_at = $1, last_modified = $2, sequence = sequence + 1,
			state = CASE WHEN state = 'expired' THEN 'published' ELSE state END
			WHERE id = $3 AND kind IN ('ask','offer') AND state IN ('approved','published','expired')`,
			ms(closes), time.Now().UnixMilli(), id)
		if err != nil {
			return err
		}
		it, err := scanItem(q.queryRow(ctx, `SELECT `+itemCols+` FROM items WHERE id = $1`, id))
		out = it
		if err == nil && n == 0 {
			err = store.ErrAlreadyHandled
		}
		return err
	})
	return out, wrap("extend item", err)
}

// MatchItems records an ask–offer pair and queues its notices, once.
func (db *DB) MatchItems(ctx context.Context, askID, offerID int64, mails []*store.QueuedMail) (bool, error) {
	done := false
	err := db.d.tx(ctx, func(q querier) error {
		var got int64
		err := q.queryRow(ctx, `INSERT INTO item_matches (ask_id, offer_id, at) VALUES ($1,$2,$3)
			ON CONFLICT DO NOTHING RETURNING ask_id`, askID, offerID, time.Now().UnixMilli()).Scan(&got)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		done = true
		for _, m := range mails {
			if err := enqueueMail(ctx, q, m); err != nil {
				return err
			}
		}
		return nil
	})
	return done, wrap("match items", err)
}
