package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// List kinds: a newsletter is a list whose subscribers get issues
// compiled from submitted items instead of posts.
const (
	KindDiscussion = "discussion"
	KindNewsletter = "newsletter"
)

// Item kinds.
const (
	ItemEvent    = "event"
	ItemResearch = "research"
	ItemAsk      = "ask"
	ItemOffer    = "offer"
)

// ItemKinds are every kind, in the order a newsletter shows them.
var ItemKinds = []string{ItemEvent, ItemResearch, ItemAsk, ItemOffer}

// Item states: pending (waiting for an editor), approved (in the next
// issue), published (was in an issue; events, asks and offers stay
// shown while current), rejected, expired (an ask or offer past its
// closing date) and withdrawn (by its poster or an operator).
const (
	ItemPending   = "pending"
	ItemApproved  = "approved"
	ItemRejected  = "rejected"
	ItemPublished = "published"
	ItemExpired   = "expired"
	ItemWithdrawn = "withdrawn"
)

// Issue states.
const (
	IssueSending = "sending"
	IssueSent    = "sent"
)

// Newsletter is a newsletter list's own settings.
type Newsletter struct {
	ListID   int64
	Schedule string    // "Mon 08:00 Europe/London"
	Weeks    int       // how many weeks of events an issue shows (default 6)
	Intro    string    // the editor's introduction for the next issue
	NextDue  time.Time // zero: not scheduled
}

// Item is one submitted event, piece of research, ask or offer. Fields a
// kind does not use stay empty.
type Item struct {
	ID      int64
	ListID  int64
	Kind    string
	State   string
	Title   string
	Summary string // description, short summary, or what is needed/offered
	URL     string // the research's link, an ask's or offer's page
	By      string // organiser, authors or organisation, or by whom

	// Events: start and end (all-day events use midnight of the dates in
	// Zone), the time zone, place with UK nation or region, online link
	// and booking link.
	Starts, Ends time.Time
	Zone         string
	AllDay       bool
	Location     string
	Region       string
	OnlineURL    string
	BookingURL   string

	Published time.Time // research: publication date
	Topics    []string  // research, asks and offers: lower case
	Respond   string    // asks and offers: how to respond (to the poster)
	Closes    time.Time // asks and offers: closing date (midnight UTC of it)

	Submitter string // address of who submitted it ("" for an operator)
	OrgName   string // their organisation in the directory, when any
	Source    string // operator, web, email, list

	Sequence     int // RFC 5545 SEQUENCE: bumped when a published field changes
	Created      time.Time
	LastModified time.Time
	Approved     time.Time // zero until approved
	Reminded     time.Time // the Closes a "still open?" mail went out for
}

// Live reports whether an item may appear in an issue or on the web.
func (it *Item) Live() bool { return it.State == ItemApproved || it.State == ItemPublished }

// NormalizeTopics lower-cases, trims and de-duplicates topics, dropping
// empty ones and commas (they separate topics in storage).
func NormalizeTopics(ts []string) []string {
	var out []string
	for _, t := range ts {
		t = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(t, ",", " ")))
		if t == "" {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == t
		}
		if !dup {
			out = append(out, t)
		}
	}
	return out
}

// Item orders for ListItems.
const (
	OrderNewest = "newest" // id descending (keyset: AfterID)
	OrderStarts = "starts" // start time, then id (keyset: AfterStart, AfterID)
)

// ItemFilter chooses items; zero fields match everything.
type ItemFilter struct {
	ListID       int64    // 0: every newsletter
	Kinds        []string // empty: every kind
	States       []string // empty: every state
	Topic        string   // one topic, exact
	Region       string
	OrgName      string
	Submitter    string
	StartsFrom   time.Time // events ending at or after (zero: any)
	StartsBefore time.Time // events starting before (zero: any)
	ClosesAfter  time.Time // asks and offers open after this time (closes_at 0 counts as open)
	ClosesBefore time.Time // asks and offers closing before this time (closes_at 0 never does)
	ApprovedFrom time.Time // approved at or after
	Order        string    // OrderNewest (default) or OrderStarts
	AfterID      int64     // keyset: the last row of the previous page
	AfterStart   time.Time
}

// NewsletterIssue is one issue of a newsletter.
type NewsletterIssue struct {
	ID        int64
	ListID    int64
	Number    int
	State     string // IssueSending, IssueSent
	Intro     string
	ItemIDs   []int64   // frozen at compile time
	Date      time.Time // the issue's date (its due time)
	Cursor    int64     // last member id whose copy is queued
	SentCount int64
	Created   time.Time
	Sent      time.Time
}

// Subscriber is one newsletter member with what personalises their copy.
type Subscriber struct {
	Member   *Member
	Format   string   // FormatHTML or FormatPlain
	Sections []string // events, research, asks, offers; empty: all
}

// Items keep newsletters, their items and issues.
type Items interface {
	// SetNewsletter creates or replaces a newsletter's settings.
	SetNewsletter(ctx context.Context, n *Newsletter) error
	// GetNewsletter returns them; ErrNotFound for a list without.
	GetNewsletter(ctx context.Context, listID int64) (*Newsletter, error)
	// DueNewsletters are newsletters whose next issue is due at now.
	DueNewsletters(ctx context.Context, now time.Time) ([]*Newsletter, error)
	// NextNewsletterDue is the earliest due time, false when none.
	NextNewsletterDue(ctx context.Context) (time.Time, bool, error)

	// AddItem stores a new item (ID, Created, LastModified set);
	// Approved is set when it is created approved.
	AddItem(ctx context.Context, it *Item) error
	GetItem(ctx context.Context, id int64) (*Item, error)
	// UpdateItem saves an item's fields (not its state), bumping Sequence
	// and LastModified when anything changed.
	UpdateItem(ctx context.Context, it *Item) error
	// SetItemState moves an item from one of the states in from to
	// state; ErrAlreadyHandled (and the item) when it is in none of them.
	SetItemState(ctx context.Context, id int64, from []string, state string) (*Item, error)
	// ListItems pages through items in the filter's order.
	ListItems(ctx context.Context, f ItemFilter, limit int) ([]*Item, error)
	// ExpireItems archives asks and offers whose closing date has passed.
	ExpireItems(ctx context.Context, now time.Time) (int64, error)
	// RemindItem records that the "still open?" mail for the item's
	// current closing date is queued, with the mail, once: false when it
	// was already.
	RemindItem(ctx context.Context, id int64, closes time.Time, m *QueuedMail) (bool, error)
	// ExtendItem moves an open ask's or offer's closing date.
	ExtendItem(ctx context.Context, id int64, closes time.Time) (*Item, error)
	// MatchItems records that an ask's and an offer's posters were told
	// of each other and queues the notices, once: false when they were.
	MatchItems(ctx context.Context, askID, offerID int64, ms []*QueuedMail) (bool, error)

	// NewsletterSubscribers pages through a newsletter's members who get
	// mail (enabled, not on holiday), ids above after.
	NewsletterSubscribers(ctx context.Context, listID, after int64, limit int) ([]*Subscriber, error)
	// CreateIssue numbers and stores a new issue in state sending,
	// clearing the newsletter's introduction and setting its next due
	// time; ErrExists (and the open issue) when one is being sent.
	CreateIssue(ctx context.Context, is *NewsletterIssue, nextDue time.Time) (*NewsletterIssue, error)
	// SendingIssue is the issue being sent; ErrNotFound when none.
	SendingIssue(ctx context.Context, listID int64) (*NewsletterIssue, error)
	GetIssue(ctx context.Context, listID int64, number int) (*NewsletterIssue, error)
	// LastIssue is the newest issue; ErrNotFound when none.
	LastIssue(ctx context.Context, listID int64) (*NewsletterIssue, error)
	// ListIssues pages newest first: numbers below before (0: newest).
	ListIssues(ctx context.Context, listID int64, before, limit int) ([]*NewsletterIssue, error)
	// QueueIssue queues a batch of an issue's copies and moves its cursor
	// from from to upto in one transaction; ErrLeaseLost (nothing queued)
	// when the cursor is no longer at from.
	QueueIssue(ctx context.Context, issueID, from, upto int64, ms []*QueuedMail) error
	// FinishIssue marks an issue sent and its approved items published.
	FinishIssue(ctx context.Context, issueID int64, at time.Time) error

	// HoldItem stores a submitted item as pending and puts it in its
	// newsletter's moderation queue (a held row of kind HeldKindItem),
	// queuing ack when given, in one transaction. With a onceKey, a
	// second call with the same key changes nothing: ErrExists.
	HoldItem(ctx context.Context, it *Item, reason, onceKey string, ack *QueuedMail) (*Held, error)
	// EditHeldItem saves a held item's fields while it waits, audited as
	// by against the held row in the same transaction; ErrAlreadyHandled
	// when the held row is no longer pending.
	EditHeldItem(ctx context.Context, heldID int64, it *Item, by string) error
}

// HeldKindItem is the held-queue kind of a submitted newsletter item;
// the held row's Data is {"item":ID}. Approving it approves the item,
// rejecting or discarding it rejects the item.
const HeldKindItem = "item"

// HeldItemID is the item a held row of kind item stands for (0: none).
func HeldItemID(h *Held) int64 {
	if h == nil || h.Kind != HeldKindItem {
		return 0
	}
	var d struct {
		Item int64 `json:"item"`
	}
	if json.Unmarshal([]byte(h.Data), &d) != nil {
		return 0
	}
	return d.Item
}
