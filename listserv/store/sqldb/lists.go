package sqldb

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

const listCols = `id, address, name, description, kind, policy, archive, subject_prefix, reply_to, max_size, uid_validity, created_at, footer`

func scanList(r row) (*store.List, error) {
	var l store.List
	var uv, created int64
	err := r.Scan(&l.ID, &l.Address, &l.Name, &l.Description, &l.Kind, &l.Policy, &l.Archive,
		&l.SubjectPrefix, &l.ReplyTo, &l.MaxSize, &uv, &created, &l.Footer)
	if err != nil {
		return nil, err
	}
	l.UIDValidity = uint32(uv)
	l.Created = time.UnixMilli(created)
	return &l, nil
}

// CreateList stores a new list; ErrExists when the address is taken.
func (db *DB) CreateList(ctx context.Context, l *store.List) error {
	return wrap("create list", createList(ctx, db.d, l))
}

// createList is CreateList inside a transaction or out of one.
func createList(ctx context.Context, q querier, l *store.List) error {
	l.Address = store.NormalizeAddress(l.Address)
	setListDefaults(l)
	var b [4]byte
	rand.Read(b[:])
	l.UIDValidity = binary.BigEndian.Uint32(b[:])>>1 | 1 // non-zero, fits int32 too
	l.Created = time.Now()
	err := q.queryRow(ctx, `INSERT INTO lists (address, name, description, kind, policy, archive, subject_prefix,
		reply_to, max_size, uid_validity, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
		ON CONFLICT (address) DO NOTHING RETURNING id`,
		l.Address, l.Name, l.Description, l.Kind, l.Policy, l.Archive, l.SubjectPrefix, l.ReplyTo, l.MaxSize,
		int64(l.UIDValidity), l.Created.UnixMilli()).Scan(&l.ID)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s: %w", l.Address, store.ErrExists)
	}
	return err
}

func setListDefaults(l *store.List) {
	if l.Kind == "" {
		l.Kind = "discussion"
	}
	if l.Policy == "" {
		l.Policy = store.PolicyMembers
	}
	if l.Archive == "" {
		l.Archive = "public"
	}
	if l.ReplyTo == "" {
		l.ReplyTo = "list"
	}
}

// GetList finds a list by address.
func (db *DB) GetList(ctx context.Context, address string) (*store.List, error) {
	l, err := scanList(db.d.queryRow(ctx, `SELECT `+listCols+` FROM lists WHERE address = $1`, store.NormalizeAddress(address)))
	return l, wrap("get list "+address, err)
}

// GetListByID finds a list by id.
func (db *DB) GetListByID(ctx context.Context, id int64) (*store.List, error) {
	l, err := scanList(db.d.queryRow(ctx, `SELECT `+listCols+` FROM lists WHERE id = $1`, id))
	return l, wrap("get list", err)
}

// AllLists returns every list by address.
func (db *DB) AllLists(ctx context.Context) ([]*store.List, error) {
	rs, err := db.d.query(ctx, `SELECT `+listCols+` FROM lists WHERE removed_at IS NULL ORDER BY address`)
	if err != nil {
		return nil, wrap("lists", err)
	}
	return collect(rs, scanList)
}

// UpdateList saves a list's settings.
func (db *DB) UpdateList(ctx context.Context, l *store.List) error {
	setListDefaults(l)
	n, err := db.d.exec(ctx, `UPDATE lists SET name=$1, description=$2, kind=$3, policy=$4, archive=$5,
		subject_prefix=$6, reply_to=$7, max_size=$8 WHERE id=$9`,
		l.Name, l.Description, l.Kind, l.Policy, l.Archive, l.SubjectPrefix, l.ReplyTo, l.MaxSize, l.ID)
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return wrap("update list", err)
}

// collect scans every row with scan and closes rs.
func collect[T any](rs rows, scan func(row) (T, error)) ([]T, error) {
	defer rs.Close()
	var out []T
	for rs.Next() {
		v, err := scan(rs)
		if err != nil {
			return nil, wrap("scan", err)
		}
		out = append(out, v)
	}
	return out, wrap("rows", rs.Err())
}
