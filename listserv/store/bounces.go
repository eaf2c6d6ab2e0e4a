package store

import (
	"context"
	"time"
)

// Bounces keep each member's recent bounces and the score they add up to
// (as Mailman scores: a permanent bounce 1.0, a temporary one 0.5).
type Bounces interface {
	// RecordBounce counts one bounce: at most one of each class per member
	// per day (UTC); bounces older than b.At - b.Window stop counting. It
	// stores the new score in members.bounce_score and, when the score
	// reaches b.Threshold, sets the status disabled-bounces. ErrNotFound
	// when the member is gone.
	RecordBounce(ctx context.Context, b BounceEvent) (*BounceOutcome, error)
	// EnableDelivery gives a member back an enabled status and a zero
	// score, forgetting their bounces; ErrNotFound when the member is gone.
	EnableDelivery(ctx context.Context, memberID int64) (*Member, error)
	// ExpireBounces forgets bounces before cutoff and lowers the scores
	// they counted in; it returns how many members' scores changed.
	ExpireBounces(ctx context.Context, cutoff time.Time) (int, error)
}

// BounceEvent is one bounce of one member.
type BounceEvent struct {
	MemberID  int64
	MessageID int64 // the post that bounced, when the VERP token says
	Permanent bool
	At        time.Time
	Window    time.Duration
	Threshold float64
}

// BounceOutcome is what RecordBounce did.
type BounceOutcome struct {
	Member   *Member // after the change
	Counted  bool    // false: one of this class was already counted today
	Disabled bool    // this bounce disabled delivery (true once)
}
