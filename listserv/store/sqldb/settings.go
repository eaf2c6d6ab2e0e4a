package sqldb

import (
	"context"
	"errors"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Setting returns the text stored under key (row.Scan maps no rows to
// store.ErrNotFound).
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v []byte
	err := db.d.queryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	return string(v), wrap("setting "+key, err)
}

// SetSetting upserts key.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := db.d.exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, []byte(value))
	return wrap("set setting "+key, err)
}
