package sqldb

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

const memberCols = `id, list_id, address, name, role, mode, status, bounce_score, source, created_at`

func scanMember(r row) (*store.Member, error) {
	var m store.Member
	var created int64
	err := r.Scan(&m.ID, &m.ListID, &m.Address, &m.Name, &m.Role, &m.Mode, &m.Status, &m.BounceScore, &m.Source, &created)
	if err != nil {
		return nil, err
	}
	m.Created = time.UnixMilli(created)
	return &m, nil
}

func withDefaults(m store.NewMember) store.NewMember {
	m.Address = strings.TrimSpace(m.Address)
	if m.Role == "" {
		m.Role = store.RoleMember
	}
	if m.Mode == "" {
		m.Mode = store.ModeEach
	}
	if m.Source == "" {
		m.Source = "operator"
	}
	return m
}

// AddMembers inserts members in one transaction, skipping addresses already
// on the list. Large batches go through the dialect's bulk path.
func (db *DB) AddMembers(ctx context.Context, listID int64, ms []store.NewMember) (added, skipped int, err error) {
	now := time.Now().UnixMilli()
	err = db.d.tx(ctx, func(q querier) error {
		n, err := db.d.copyMembers(ctx, q, listID, ms, now)
		added = n
		return err
	})
	if err == nil {
		err = db.analyzeAfterImport(ctx, added)
	}
	return added, len(ms) - added, wrap("add members", err)
}

// SQLite treats $N as a named parameter and looks names up linearly, which
// makes a 4,000-parameter insert quadratic; anonymous ? is positional.
func sqlitePlaceholder(int) string { return "?" }

func pgPlaceholder(n int) string { return "$" + strconv.Itoa(n) }

// insertMembersMultiRow is the portable bulk insert: 500 rows a statement.
func insertMembersMultiRow(ctx context.Context, q querier, listID int64, ms []store.NewMember, now int64, ph func(int) string) (int, error) {
	const per = 100
	total := 0
	var sb strings.Builder
	for start := 0; start < len(ms); start += per {
		end := min(start+per, len(ms))
		sb.Reset()
		sb.WriteString(`INSERT INTO members (list_id, address, address_key, name, role, mode, source, created_at) VALUES `)
		args := make([]any, 0, (end-start)*8)
		for i, m := range ms[start:end] {
			m = withDefaults(m)
			if i > 0 {
				sb.WriteByte(',')
			}
			n := len(args)
			sb.WriteString("(")
			for k := 1; k <= 8; k++ {
				if k > 1 {
					sb.WriteByte(',')
				}
				sb.WriteString(ph(n + k))
			}
			sb.WriteString(")")
			args = append(args, listID, m.Address, store.NormalizeAddress(m.Address), m.Name, m.Role, m.Mode, m.Source, now)
		}
		sb.WriteString(` ON CONFLICT (list_id, address_key) DO NOTHING`)
		n, err := q.exec(ctx, sb.String(), args...)
		if err != nil {
			return total, err
		}
		total += int(n)
	}
	return total, nil
}

// RemoveMembers deletes the given addresses from a list.
func (db *DB) RemoveMembers(ctx context.Context, listID int64, addresses []string) (int, error) {
	total := 0
	err := db.d.tx(ctx, func(q querier) error {
		for _, a := range addresses {
			n, err := q.exec(ctx, `DELETE FROM members WHERE list_id = $1 AND address_key = $2`, listID, store.NormalizeAddress(a))
			if err != nil {
				return err
			}
			total += int(n)
		}
		return nil
	})
	return total, wrap("remove members", err)
}

// RemoveMemberByID deletes one membership.
func (db *DB) RemoveMemberByID(ctx context.Context, id int64) error {
	n, err := db.d.exec(ctx, `DELETE FROM members WHERE id = $1`, id)
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return wrap("remove member", err)
}

// GetMember finds a member of a list by address.
func (db *DB) GetMember(ctx context.Context, listID int64, address string) (*store.Member, error) {
	m, err := scanMember(db.d.queryRow(ctx, `SELECT `+memberCols+` FROM members WHERE list_id = $1 AND address_key = $2`,
		listID, store.NormalizeAddress(address)))
	return m, wrap("get member", err)
}

// GetMemberByID finds a member by id.
func (db *DB) GetMemberByID(ctx context.Context, id int64) (*store.Member, error) {
	m, err := scanMember(db.d.queryRow(ctx, `SELECT `+memberCols+` FROM members WHERE id = $1`, id))
	return m, wrap("get member", err)
}

// ListMembers pages by id.
func (db *DB) ListMembers(ctx context.Context, listID, after int64, limit int) ([]*store.Member, error) {
	rs, err := db.d.query(ctx, `SELECT `+memberCols+` FROM members WHERE list_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		listID, after, limit)
	if err != nil {
		return nil, wrap("list members", err)
	}
	return collect(rs, scanMember)
}

// CountMembers counts a list's members.
func (db *DB) CountMembers(ctx context.Context, listID int64) (int64, error) {
	var n int64
	err := db.d.queryRow(ctx, `SELECT COUNT(*) FROM members WHERE list_id = $1`, listID).Scan(&n)
	return n, wrap("count members", err)
}
