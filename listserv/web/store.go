package web

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/admin"
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
	// The archive (archive*.go).
	GetArchivedPost(ctx context.Context, listID, uid int64) (*store.ArchivePost, error)
	FindArchiveUID(ctx context.Context, listID int64, messageID string) (int64, error)
	FindMovedUID(ctx context.Context, listID, uid int64) (int64, error)
	ListArchivePosts(ctx context.Context, p store.ArchivePage) ([]*store.ArchivePost, error)
	ListArchiveMonths(ctx context.Context, listID int64) ([]store.ArchiveMonth, error)
	ListArchiveThreads(ctx context.Context, listID int64, before store.ArchiveKey, limit int) ([]*store.ArchiveThread, error)
	GetArchiveThread(ctx context.Context, id int64) (*store.ArchiveThread, error)
	ListThreadPosts(ctx context.Context, threadID int64, after store.ArchiveKey, limit int) ([]*store.ArchivePost, error)
	SearchArchive(ctx context.Context, listID int64, q store.ArchiveQuery, after store.SearchCursor, limit int) ([]*store.ArchiveHit, error)
	ItemReader
	GetItem(ctx context.Context, id int64) (*store.Item, error)
	AllLists(ctx context.Context) ([]*store.List, error)
	GetNewsletter(ctx context.Context, listID int64) (*store.Newsletter, error)
	// The owners' and site administrators' pages (owners*.go, admin*.go).
	GetMember(ctx context.Context, listID int64, address string) (*store.Member, error)
	ListMembers(ctx context.Context, listID, after int64, limit int) ([]*store.Member, error)
	SearchMembers(ctx context.Context, listID int64, q store.MemberQuery) ([]*store.Member, error)
	CountMemberModes(ctx context.Context, listID int64) ([]*store.ModeCount, error)
	GetListDigest(ctx context.Context, listID int64) (*store.ListDigest, error)
	ModerationSettings(ctx context.Context, listID int64) (*store.ListModeration, error)
	GetSite(ctx context.Context) (*store.Site, error)
	GetSiteAdmin(ctx context.Context, address string) (*store.SiteAdmin, error)
	ListSiteAdmins(ctx context.Context) ([]*store.SiteAdmin, error)
	CountMembers(ctx context.Context, listID int64) (int64, error)
	ListFootprint(ctx context.Context, listID int64) (*store.ListFootprint, error)
	Pending(ctx context.Context) (store.QueueStats, error)
	ListIssues(ctx context.Context, listID int64, before, limit int) ([]*store.NewsletterIssue, error)
}

// Engines are what the pages act through.
type Engines struct {
	Signin     *signin.Engine
	Subscribe  *subscribe.Engine
	Moderation Moderator
	Digest     DigestSettings
	Bounces    Reenabler
	// AppPasswords (optional) makes and revokes IMAP app passwords.
	AppPasswords AppPasswords
	// Newsletters renders archived issues (optional).
	Newsletters Newsletters
	// Owners are the owners' and site administrators' actions; without
	// them those pages are not served.
	Owners OwnerActions
}

// OwnerActions are the changes owners and site administrators make, the
// same functions as the CLI's (the server wires admin.Actions).
type OwnerActions interface {
	UpdateList(ctx context.Context, l *store.List, set map[string]string, by string) ([]string, error)
	UpdateModeration(ctx context.Context, listID int64, c moderation.Change, by string) (*store.ListModeration, error)
	AddMembers(ctx context.Context, l *store.List, ms []store.NewMember, by string) (added, skipped int, err error)
	SetMember(ctx context.Context, l *store.List, address string, c admin.MemberChange, by string) (*store.Member, error)
	RemoveMember(ctx context.Context, l *store.List, address, by string) (*store.Member, error)
	EnableMember(ctx context.Context, l *store.List, address, by string) (*store.Member, error)
	CreateList(ctx context.Context, l *store.List, by string) error
	RemoveList(ctx context.Context, l *store.List, purge bool, by string) (*store.ListFootprint, error)
	SaveSite(ctx context.Context, s *store.Site, by string) error
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
