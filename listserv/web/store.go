package web

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/signin"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/subscribe"
)

// Store is what the pages read. It has no method that changes anything:
// every change goes through Engines, which check it and audit it in the
// same transaction (TestWebWritesOnlyThroughEngines keeps it so).
type Store interface {
	GetList(ctx context.Context, address string) (*store.List, error)
	GetListByID(ctx context.Context, id int64) (*store.List, error)
	GetListByListID(ctx context.Context, listID string) (*store.List, error)
	GetListAccess(ctx context.Context, listID int64) (*store.ListAccess, error)
	ListSummaries(ctx context.Context, listID int64, since time.Time) ([]*store.ListSummary, error)
	Directory(ctx context.Context, f store.DirectoryFilter, after *store.Person, limit int) ([]*store.Person, error)
	Memberships(ctx context.Context, address string) ([]*store.Member, error)
	GetMemberByID(ctx context.Context, id int64) (*store.Member, error)
	GetMemberPrefs(ctx context.Context, memberID int64) (*store.MemberPrefs, error)
	GetDigestState(ctx context.Context, memberID int64) (*store.DigestState, error)
	ListStaff(ctx context.Context, listID int64) ([]*store.Staff, error)
	GetMessage(ctx context.Context, id int64) (*store.Message, error)
	GetHeld(ctx context.Context, id int64) (*store.Held, error)
	HeldNote(ctx context.Context, heldID int64) (*store.HeldNote, error)
	ListQueue(ctx context.Context, listIDs []int64, after int64, limit int) ([]*store.QueueItem, error)
	ListAudit(ctx context.Context, listID, before int64, limit int) ([]*store.Audit, error)
	ListOutbox(ctx context.Context, before int64, limit int) ([]*store.Captured, error)
	GetCaptured(ctx context.Context, id int64) (*store.Captured, error)
	GetItem(ctx context.Context, id int64) (*store.Item, error)
	AllLists(ctx context.Context) ([]*store.List, error)
	GetNewsletter(ctx context.Context, listID int64) (*store.Newsletter, error)
	ListIssues(ctx context.Context, listID int64, before, limit int) ([]*store.NewsletterIssue, error)
}

// Engines are what the pages act through.
type Engines struct {
	Signin     *signin.Engine
	Subscribe  *subscribe.Engine
	Moderation Moderator
	Digest     DigestSettings
	Bounces    Reenabler
	// Newsletters renders archived issues (optional).
	Newsletters Newsletters
}

// Moderator is the moderation engine's actions the pages offer (the
// server wires moderation.Act and SetNotify over its store).
type Moderator interface {
	Act(ctx context.Context, heldID int64, act moderation.Action, by, reason string) (*moderation.Outcome, error)
	SetNotify(ctx context.Context, listID int64, address, notify string) error
}

// Reenabler turns a member's delivery back on after bounces disabled it
// (the server wires the bounce engine).
type Reenabler interface {
	Enable(ctx context.Context, memberID int64) (*store.Member, error)
}

// DigestSettings saves a member's digest hour, weekday, zone and format
// (the server wires digest.SaveSettings over its store).
type DigestSettings interface {
	SaveSettings(ctx context.Context, s store.DigestSettings) error
}
