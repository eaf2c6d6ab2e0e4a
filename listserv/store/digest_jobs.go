package store

import (
	"context"
	"time"
)

// DigestPart is one rendered part of a member's digest, as the engine
// hands it to CommitDigests: members whose parts share the same Shared
// slice are queued as one DigestJob, the way a post's fan-out is one
// message to many members (no row per copy).
type DigestPart struct {
	Shared    []byte // the rendering: header fields and body; one slice for everyone who shares it
	Part      int    // 1-based, for the per-member Message-ID
	FirstUID  int64  // the range of posts, for the per-member Message-ID
	LastUID   int64
	LastMsgID int64 // the newest post's message id, for the VERP sender
}

// DigestJob is one rendered digest part leased for sending to its
// members, like a fan-out chunk: each copy is the part's shared body
// after the member's own fields (Message-ID, List-Unsubscribe), made at
// send time.
type DigestJob struct {
	ID        int64
	ListID    int64
	BodyID    int64 // mail_bodies
	Part      int
	FirstUID  int64
	LastUID   int64
	LastMsgID int64
	Members   []int64 // ascending
	SentUpto  int64   // members up to this id are done: the checkpoint
	Owner     string
	Taken     bool // re-leased after another owner's lease expired
	CreatedAt time.Time
}

// DigestJobs is the queue of digest parts (delivery's side).
type DigestJobs interface {
	// ClaimDigestJob leases the oldest unleased or expired job to owner.
	// ErrNotFound: none.
	ClaimDigestJob(ctx context.Context, owner string, lease time.Duration) (*DigestJob, error)
	// DigestJobMembers are the job's members after its checkpoint that
	// are still on the list, in id order.
	DigestJobMembers(ctx context.Context, j *DigestJob) ([]*Member, error)
	// CheckpointDigestJob moves the checkpoint to j.SentUpto, renews the
	// lease and files res's failures in one transaction: a temporary
	// failure becomes queued mail (the member's fields before the shared
	// body) that the mail queue retries. ErrLeaseLost when another owner
	// has the job.
	CheckpointDigestJob(ctx context.Context, j *DigestJob, lease time.Duration, res DigestJobResult) error
	// CompleteDigestJob files res and deletes the job.
	CompleteDigestJob(ctx context.Context, j *DigestJob, res DigestJobResult) error
}

// DigestJobResult is what became of a job's copies since the last
// checkpoint.
type DigestJobResult struct {
	Sent     int
	Failures []DigestJobFailure
}

// DigestJobFailure is one refused copy; a temporary one is queued again
// as mail with the member's own fields (Head) and the job's body.
type DigestJobFailure struct {
	Failure
	From string
	Head []byte
	Next time.Time
}
