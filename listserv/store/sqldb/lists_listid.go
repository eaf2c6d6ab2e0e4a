package sqldb

import (
	"context"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// maxListID is the longest list id worth looking up: an address is at
// most 254 bytes (RFC 5321 4.5.3.1.3).
const maxListID = 254

// GetListByListID finds a list by its RFC 2919 id with the expression index
// lists_list_id (migration 0009). Two lists can share an id (a.b@c.d and
// a@b.c.d); the one with the shortest local part wins, as the web always
// resolved it.
func (db *DB) GetListByListID(ctx context.Context, listID string) (*store.List, error) {
	listID = store.NormalizeAddress(listID)
	if listID == "" || len(listID) > maxListID {
		return nil, wrap("get list by id", store.ErrNotFound)
	}
	rs, err := db.d.query(ctx, `SELECT `+listCols+` FROM lists WHERE replace(address, '@', '.') = $1 LIMIT 16`, listID)
	if err != nil {
		return nil, wrap("get list by id", err)
	}
	ls, err := collect(rs, scanList)
	if err != nil {
		return nil, err
	}
	var best *store.List
	for _, l := range ls {
		if best == nil || strings.IndexByte(l.Address, '@') < strings.IndexByte(best.Address, '@') {
			best = l
		}
	}
	if best == nil {
		return nil, wrap("get list by id "+listID, store.ErrNotFound)
	}
	return best, nil
}
