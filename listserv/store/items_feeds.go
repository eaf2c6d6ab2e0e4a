package store

import (
	"context"
	"time"
)

// How one takes part in an event, for EventFilter.Attend.
const (
	AttendOnline   = "online"    // the event has an online link
	AttendInPerson = "in-person" // the event has a place
)

// EventFilter chooses events for the calendar feeds and the events page;
// zero fields match everything. Events come by start time, then id.
type EventFilter struct {
	ListID  int64    // 0: every newsletter
	States  []string // empty: every state
	Regions []string // any of these, compared case-insensitively
	Attend  string   // AttendOnline, AttendInPerson or "" for both
	OrgName string
	// EndsFrom keeps events ending at or after it (zero: any).
	EndsFrom time.Time
	// Keyset: the last event of the previous page (AfterID 0: first page).
	AfterStart time.Time
	AfterID    int64
}

// ItemFeeds are the reads behind the calendar, the feeds and the pages
// that browse items.
type ItemFeeds interface {
	// ListEvents pages through events in start order (the items_events
	// index), at most limit.
	ListEvents(ctx context.Context, f EventFilter, limit int) ([]*Item, error)
	// DirectoryOrg is the first directory entry of the organisation
	// named name (case-insensitive); ErrNotFound unless one is listed.
	DirectoryOrg(ctx context.Context, name string) (*Person, error)
}
