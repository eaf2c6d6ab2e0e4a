package sqldb

import (
	"context"
	"strconv"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// itemWhere builds a WHERE clause with numbered parameters.
type itemWhere struct {
	conds []string
	args  []any
}

// add appends a condition; each ? in cond becomes the next $N.
func (w *itemWhere) add(cond string, args ...any) {
	for _, a := range args {
		w.args = append(w.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(w.args)), 1)
	}
	w.conds = append(w.conds, cond)
}

// in adds "col IN (...)" for non-empty vals.
func (w *itemWhere) in(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	ps := make([]string, len(vals))
	for i, v := range vals {
		w.args = append(w.args, v)
		ps[i] = "$" + strconv.Itoa(len(w.args))
	}
	w.conds = append(w.conds, col+" IN ("+strings.Join(ps, ",")+")")
}

func (w *itemWhere) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// ListItems pages through items: newest first by id, or events by start
// time (keyset on (starts_at, id), found by the items_events index).
func (db *DB) ListItems(ctx context.Context, f store.ItemFilter, limit int) ([]*store.Item, error) {
	var w itemWhere
	if f.ListID != 0 {
		w.add("list_id = ?", f.ListID)
	}
	w.in("kind", f.Kinds)
	w.in("state", f.States)
	if f.Topic != "" {
		w.add("topics LIKE ?", "%,"+strings.ToLower(strings.TrimSpace(f.Topic))+",%")
	}
	if f.Region != "" {
		w.add("region = ?", f.Region)
	}
	if f.OrgName != "" {
		w.add("org_name = ?", f.OrgName)
	}
	if f.Submitter != "" {
		w.add("submitter_key = ?", store.NormalizeAddress(f.Submitter))
	}
	if !f.StartsFrom.IsZero() {
		w.add("(CASE WHEN ends_at > starts_at THEN ends_at ELSE starts_at END) >= ?", f.StartsFrom.UnixMilli())
	}
	if !f.StartsBefore.IsZero() {
		w.add("starts_at < ?", f.StartsBefore.UnixMilli())
	}
	if !f.ClosesAfter.IsZero() {
		w.add("(closes_at = 0 OR closes_at > ?)", f.ClosesAfter.UnixMilli())
	}
	if !f.ClosesBefore.IsZero() {
		w.add("(closes_at > 0 AND closes_at < ?)", f.ClosesBefore.UnixMilli())
	}
	if !f.ApprovedFrom.IsZero() {
		w.add("approved_at >= ?", f.ApprovedFrom.UnixMilli())
	}
	order := " ORDER BY id DESC"
	if f.Order == store.OrderStarts {
		order = " ORDER BY starts_at, id"
		if f.AfterID != 0 {
			w.add("(starts_at > ? OR (starts_at = ? AND id > ?))", ms(f.AfterStart), ms(f.AfterStart), f.AfterID)
		}
	} else if f.AfterID != 0 {
		w.add("id < ?", f.AfterID)
	}
	if limit <= 0 {
		limit = 100
	}
	w.args = append(w.args, limit)
	q := `SELECT ` + itemCols + ` FROM items` + w.String() + order + ` LIMIT $` + strconv.Itoa(len(w.args))
	rs, err := db.d.query(ctx, q, w.args...)
	if err != nil {
		return nil, wrap("list items", err)
	}
	return collect(rs, scanItem)
}
