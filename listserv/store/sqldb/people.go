package sqldb

import (
	"context"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

const personCols = `id, address, name, org_name, org_website, org_region, org_focus, in_directory, format,
	newsletter, sections, created_at, updated_at`

func scanPerson(r row) (*store.Person, error) {
	var p store.Person
	var dir, nl int
	var sections string
	var c, u int64
	err := r.Scan(&p.ID, &p.Address, &p.Name, &p.OrgName, &p.OrgWebsite, &p.OrgRegion, &p.OrgFocus, &dir,
		&p.Format, &nl, &sections, &c, &u)
	if err != nil {
		return nil, err
	}
	p.InDirectory, p.Newsletter = dir == 1, nl == 1
	if sections != "" {
		p.Sections = strings.Split(sections, ",")
	}
	p.Created, p.Updated = time.UnixMilli(c), time.UnixMilli(u)
	return &p, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// GetPerson finds a profile by address.
func (db *DB) GetPerson(ctx context.Context, address string) (*store.Person, error) {
	p, err := scanPerson(db.d.queryRow(ctx, `SELECT `+personCols+` FROM people WHERE address_key = $1`,
		store.NormalizeAddress(address)))
	return p, wrap("get person", err)
}

// SavePerson upserts a profile. The display name is also written to the
// person's memberships, which is where owners and the CLI see names.
func (db *DB) SavePerson(ctx context.Context, p *store.Person) error {
	now := time.Now()
	if p.Created.IsZero() {
		p.Created = now
	}
	p.Updated = now
	if p.Format == "" {
		p.Format = store.FormatHTML
	}
	key := store.NormalizeAddress(p.Address)
	err := db.d.tx(ctx, func(q querier) error {
		err := q.queryRow(ctx, `INSERT INTO people (address_key, address, name, org_name, org_key, org_website,
			org_region, org_focus, in_directory, format, newsletter, sections, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)
			ON CONFLICT (address_key) DO UPDATE SET address = excluded.address, name = excluded.name,
			org_name = excluded.org_name, org_key = excluded.org_key, org_website = excluded.org_website,
			org_region = excluded.org_region, org_focus = excluded.org_focus, in_directory = excluded.in_directory,
			format = excluded.format, newsletter = excluded.newsletter, sections = excluded.sections,
			updated_at = excluded.updated_at
			RETURNING id`,
			key, strings.TrimSpace(p.Address), p.Name, p.OrgName, strings.ToLower(p.OrgName), p.OrgWebsite,
			p.OrgRegion, p.OrgFocus, b2i(p.InDirectory), p.Format, b2i(p.Newsletter), strings.Join(p.Sections, ","),
			p.Created.UnixMilli(), p.Updated.UnixMilli()).Scan(&p.ID)
		if err != nil {
			return err
		}
		_, err = q.exec(ctx, `UPDATE members SET name = $1 WHERE address_key = $2`, p.Name, key)
		return err
	})
	return wrap("save person", err)
}

// Directory pages through opted-in organisations ordered by name. The
// partial index people_directory holds only opted-in rows.
func (db *DB) Directory(ctx context.Context, f store.DirectoryFilter, after *store.Person, limit int) ([]*store.Person, error) {
	key, id := "", int64(0)
	if after != nil {
		key, id = strings.ToLower(after.OrgName), after.ID
	}
	rs, err := db.d.query(ctx, `SELECT `+personCols+` FROM people
		WHERE in_directory = 1 AND org_name <> ''
		AND (CAST($1 AS TEXT) = '' OR org_region = $1) AND (CAST($2 AS TEXT) = '' OR org_focus = $2)
		AND (org_key > $3 OR (org_key = $3 AND id > $4))
		ORDER BY org_key, id LIMIT $5`, f.Region, f.Focus, key, id, limit)
	if err != nil {
		return nil, wrap("directory", err)
	}
	return collect(rs, scanPerson)
}
