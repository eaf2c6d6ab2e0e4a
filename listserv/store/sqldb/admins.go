package sqldb

import (
	"context"
	"errors"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Site settings live in the settings table under these keys.
const (
	settingSiteName    = "site_name"
	settingSiteIntro   = "site_intro"
	settingSiteContact = "site_contact"
)

// AddSiteAdmin inserts an administrator with the audit row.
func (db *DB) AddSiteAdmin(ctx context.Context, address string, a *store.Audit) error {
	err := db.d.tx(ctx, func(q querier) error {
		var key string
		err := q.queryRow(ctx, `INSERT INTO site_admins (address_key, address, added_by, added_at) VALUES ($1,$2,$3,$4)
			ON CONFLICT (address_key) DO NOTHING RETURNING address_key`,
			store.NormalizeAddress(address), address, a.Actor, time.Now().UnixMilli()).Scan(&key)
		if errors.Is(err, store.ErrNotFound) {
			return store.ErrExists
		}
		if err != nil {
			return err
		}
		return addAudit(ctx, q, a)
	})
	return wrap("add site admin", err)
}

// RemoveSiteAdmin deletes an administrator with the audit row.
func (db *DB) RemoveSiteAdmin(ctx context.Context, address string, a *store.Audit) error {
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `DELETE FROM site_admins WHERE address_key = $1`, store.NormalizeAddress(address))
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		return addAudit(ctx, q, a)
	})
	return wrap("remove site admin", err)
}

func scanSiteAdmin(r row) (*store.SiteAdmin, error) {
	var s store.SiteAdmin
	var at int64
	if err := r.Scan(&s.Address, &s.AddedBy, &at); err != nil {
		return nil, err
	}
	s.Added = time.UnixMilli(at)
	return &s, nil
}

// ListSiteAdmins returns the administrators by address.
func (db *DB) ListSiteAdmins(ctx context.Context) ([]*store.SiteAdmin, error) {
	rs, err := db.d.query(ctx, `SELECT address, added_by, added_at FROM site_admins ORDER BY address_key`)
	if err != nil {
		return nil, wrap("site admins", err)
	}
	return collect(rs, scanSiteAdmin)
}

// GetSiteAdmin finds one administrator.
func (db *DB) GetSiteAdmin(ctx context.Context, address string) (*store.SiteAdmin, error) {
	s, err := scanSiteAdmin(db.d.queryRow(ctx, `SELECT address, added_by, added_at FROM site_admins WHERE address_key = $1`,
		store.NormalizeAddress(address)))
	return s, wrap("site admin", err)
}

// GetSite reads the three site settings in one query.
func (db *DB) GetSite(ctx context.Context) (*store.Site, error) {
	rs, err := db.d.query(ctx, `SELECT key, value FROM settings WHERE key IN ($1, $2, $3)`,
		settingSiteName, settingSiteIntro, settingSiteContact)
	if err != nil {
		return nil, wrap("site", err)
	}
	defer rs.Close()
	s := &store.Site{}
	for rs.Next() {
		var k string
		var v []byte
		if err := rs.Scan(&k, &v); err != nil {
			return nil, wrap("site", err)
		}
		switch k {
		case settingSiteName:
			s.Name = string(v)
		case settingSiteIntro:
			s.Intro = string(v)
		case settingSiteContact:
			s.Contact = string(v)
		}
	}
	return s, wrap("site", rs.Err())
}

// SaveSite stores the site settings with the audit row.
func (db *DB) SaveSite(ctx context.Context, s *store.Site, a *store.Audit) error {
	err := db.d.tx(ctx, func(q querier) error {
		for k, v := range map[string]string{settingSiteName: s.Name, settingSiteIntro: s.Intro, settingSiteContact: s.Contact} {
			if _, err := q.exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, []byte(v)); err != nil {
				return err
			}
		}
		return addAudit(ctx, q, a)
	})
	return wrap("save site", err)
}

// CreateListAudited creates a list and its site-wide audit row together.
func (db *DB) CreateListAudited(ctx context.Context, l *store.List, a *store.Audit) error {
	err := db.d.tx(ctx, func(q querier) error {
		if err := createList(ctx, q, l); err != nil {
			return err
		}
		return addAudit(ctx, q, a)
	})
	return wrap("create list", err)
}
