package sqldb

import (
	"context"
	"strconv"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ListEvents pages through events by (starts_at, id), the items_events
// index's order, so a page costs the same however many events there are.
func (db *DB) ListEvents(ctx context.Context, f store.EventFilter, limit int) ([]*store.Item, error) {
	var w itemWhere
	w.add("kind = ?", store.ItemEvent)
	if f.ListID != 0 {
		w.add("list_id = ?", f.ListID)
	}
	w.in("state", f.States)
	var regions []string
	for _, r := range f.Regions {
		if r = strings.ToLower(strings.TrimSpace(r)); r != "" {
			regions = append(regions, r)
		}
	}
	w.in("LOWER(region)", regions)
	switch f.Attend {
	case store.AttendOnline:
		w.add("online_url <> ?", "")
	case store.AttendInPerson:
		w.add("location <> ?", "")
	}
	if f.OrgName != "" {
		w.add("org_name = ?", f.OrgName)
	}
	if !f.EndsFrom.IsZero() {
		w.add("(CASE WHEN ends_at > starts_at THEN ends_at ELSE starts_at END) >= ?", f.EndsFrom.UnixMilli())
	}
	if f.AfterID != 0 {
		w.add("(starts_at > ? OR (starts_at = ? AND id > ?))", ms(f.AfterStart), ms(f.AfterStart), f.AfterID)
	}
	if limit <= 0 {
		limit = 100
	}
	w.args = append(w.args, limit)
	q := `SELECT ` + itemCols + ` FROM items` + w.String() + ` ORDER BY starts_at, id LIMIT $` + strconv.Itoa(len(w.args))
	rs, err := db.d.query(ctx, q, w.args...)
	if err != nil {
		return nil, wrap("list events", err)
	}
	return collect(rs, scanItem)
}

// DirectoryOrg finds a listed organisation by its key (people_directory).
func (db *DB) DirectoryOrg(ctx context.Context, name string) (*store.Person, error) {
	p, err := scanPerson(db.d.queryRow(ctx, `SELECT `+personCols+` FROM people
		WHERE in_directory = 1 AND org_key = $1 AND org_name <> '' ORDER BY id LIMIT 1`,
		strings.ToLower(strings.TrimSpace(name))))
	return p, wrap("directory org", err)
}
