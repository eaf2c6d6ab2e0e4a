package store

import (
	"context"
	"errors"
	"time"
)

// Archive is what the web archive (and IMAP search) reads and what the
// archive indexer writes. Every listing is a keyset page: its cost does
// not grow with the archive.
type Archive interface {
	// GetArchivedPost returns one archived post of a list by UID, with its
	// raw bytes; ErrNotFound when the UID names no post.
	GetArchivedPost(ctx context.Context, listID, uid int64) (*ArchivePost, error)
	// FindArchiveUID finds the post with a Message-ID (without
	// angle brackets) in a list's archive; ErrNotFound when none.
	FindArchiveUID(ctx context.Context, listID int64, messageID string) (int64, error)
	// FindMovedUID returns where an expunged UID's post went (0 when it
	// is gone); ErrNotFound when uid was never expunged.
	FindMovedUID(ctx context.Context, listID, uid int64) (int64, error)
	// ListExpungedUIDs returns the UIDs that left a list's archive at or
	// after since, oldest first (IMAP sessions announce them as EXPUNGE).
	ListExpungedUIDs(ctx context.Context, listID int64, since time.Time) ([]ExpungedUID, error)
	// ListArchivePosts pages through a list's posts by arrival (see ArchivePage).
	ListArchivePosts(ctx context.Context, p ArchivePage) ([]*ArchivePost, error)
	// ListArchiveMonths counts a list's posts per month, newest month first.
	ListArchiveMonths(ctx context.Context, listID int64) ([]ArchiveMonth, error)
	// ListArchiveThreads pages through a list's threads by latest post,
	// newest first: threads before the key (zero key: from the newest).
	ListArchiveThreads(ctx context.Context, listID int64, before ArchiveKey, limit int) ([]*ArchiveThread, error)
	// GetArchiveThread returns one thread; ErrNotFound when none.
	GetArchiveThread(ctx context.Context, id int64) (*ArchiveThread, error)
	// ListThreadPosts pages through a thread's posts by arrival, oldest first.
	ListThreadPosts(ctx context.Context, threadID int64, after ArchiveKey, limit int) ([]*ArchivePost, error)
	// SearchArchive returns a list's posts matching q, best first, after
	// the cursor (zero: from the best), ranked among the newest 2,000
	// matches. A query without a word to find is ErrBadQuery.
	SearchArchive(ctx context.Context, listID int64, q ArchiveQuery, after SearchCursor, limit int) ([]*ArchiveHit, error)
	// SearchArchiveAll returns every post matching q, unranked, in post
	// id order after afterID (IMAP SEARCH needs all, not the best). Page
	// until an empty page: a page can be short before the end.
	SearchArchiveAll(ctx context.Context, listID int64, q ArchiveQuery, afterID int64, limit int) ([]*ArchivePost, error)
}

// ArchiveIndex is the archive indexer's side: posts still to thread and
// index, and the write that does it.
type ArchiveIndex interface {
	// ListUnindexedPosts returns archived posts (with raw bytes) not yet
	// indexed, oldest first.
	ListUnindexedPosts(ctx context.Context, limit int) ([]*Message, error)
	// IndexArchive threads each document's post (by its parents'
	// Message-IDs, else by subject), counts it in its month and puts its
	// text in the full-text index, in one transaction. A post indexed
	// meanwhile (by another node) is left as it is.
	IndexArchive(ctx context.Context, docs []*ArchiveDoc) error
}

// ErrBadQuery: a search without a word to look for.
var ErrBadQuery = errors.New("search needs at least one word to look for")

// ArchivePost is one archived post without its bytes (Raw only from
// GetArchivedPost and ArchivePage.Raw).
type ArchivePost struct {
	ID        int64
	ListID    int64
	UID       int64
	ThreadID  int64 // 0 until indexed
	FromName  string
	FromAddr  string
	Subject   string
	MessageID string
	InReplyTo string
	SentAt    time.Time
	Received  time.Time
	Size      int64
	Raw       []byte
}

// Key is the post's place in arrival order.
func (p *ArchivePost) Key() ArchiveKey { return ArchiveKey{At: p.Received, ID: p.ID} }

// ArchiveKey is a keyset position: a time and an id breaking ties.
type ArchiveKey struct {
	At time.Time
	ID int64
}

// IsZero reports the start of a listing.
func (k ArchiveKey) IsZero() bool { return k.ID == 0 }

// ArchivePage asks for a list's posts received in [From, To) (zero: no
// bound), after the key in the listing's order: oldest first, or newest
// first with Desc. Raw loads the bytes too (mbox export, feeds).
type ArchivePage struct {
	ListID   int64
	From, To time.Time
	After    ArchiveKey
	Desc     bool
	Raw      bool
	Limit    int
}

// ExpungedUID is a UID that no longer names a post: NewUID is where the
// rewritten post went (erasure), 0 when it is gone.
type ExpungedUID struct {
	UID, NewUID int64
	At          time.Time
}

// ArchiveMonth is how many posts a list received in one UTC month.
type ArchiveMonth struct {
	Year  int
	Month time.Month
	Posts int64
}

// ArchiveThread is one conversation in a list's archive.
type ArchiveThread struct {
	ID      int64
	ListID  int64
	RootID  int64 // messages.id of the first post
	Subject string
	Posts   int64
	First   time.Time
	Last    time.Time
}

// Key is the thread's place in the thread listing.
func (t *ArchiveThread) Key() ArchiveKey { return ArchiveKey{At: t.Last, ID: t.ID} }

// ArchiveQuery is a parsed search: every Term must match (a Phrase's
// words in order, a Prefix term as a word start), no Not term may.
// Field limits it to "subject", "author" or "body" ("" is all three).
type ArchiveQuery struct {
	Terms []SearchTerm
	Field string
}

// SearchTerm is one word or phrase of a query; Words are lower-case
// letters and digits only.
type SearchTerm struct {
	Words  []string
	Not    bool
	Prefix bool
}

// SearchCursor is the last hit of a page: its rank (lower is better) and
// post id. The zero cursor starts at the best hit.
type SearchCursor struct {
	Rank float64
	ID   int64
}

// ArchiveHit is one search result.
type ArchiveHit struct {
	Post *ArchivePost
	Rank float64 // lower is better; only comparable within one query
}

// Cursor is where the next page starts.
func (h *ArchiveHit) Cursor() SearchCursor { return SearchCursor{Rank: h.Rank, ID: h.Post.ID} }

// ArchiveDoc is what the indexer extracted from one post.
type ArchiveDoc struct {
	MessageID int64 // messages.id
	ListID    int64
	Received  time.Time
	// Subject as shown; SubjectKey for the subject fallback ("" never
	// matches); Reply when the subject said Re: (or similar).
	Subject, SubjectKey string
	Reply               bool
	// Parents are Message-IDs, nearest first: In-Reply-To, then
	// References from the last.
	Parents []string
	Author  string // name and address
	Body    string // plain text of the readable parts
}
