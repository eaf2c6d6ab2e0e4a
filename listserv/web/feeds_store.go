package web

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ItemReader is what the calendar, the feeds and the pages that browse
// items read (part of Store; reads only).
type ItemReader interface {
	GetItem(ctx context.Context, id int64) (*store.Item, error)
	ListItems(ctx context.Context, f store.ItemFilter, limit int) ([]*store.Item, error)
	ListEvents(ctx context.Context, f store.EventFilter, limit int) ([]*store.Item, error)
	ListIssues(ctx context.Context, listID int64, before, limit int) ([]*store.NewsletterIssue, error)
	DirectoryOrg(ctx context.Context, name string) (*store.Person, error)
}
