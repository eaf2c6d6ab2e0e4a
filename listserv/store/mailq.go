package store

import (
	"context"
	"time"
)

// SharedMail is the bulk side of the mail queue: mails that share one
// stored body (digests) are claimed, loaded and finished in batches, as
// fan-out chunks are.
type SharedMail interface {
	// MailBody loads a shared body (QueuedMail.SharedID).
	MailBody(ctx context.Context, id int64) ([]byte, error)
	// FinishMails records a claimed batch's outcomes in one transaction:
	// sent mail is deleted, a temporary failure rescheduled, a permanent
	// one recorded, a skipped one released for the next claim. Rows no
	// longer held by their claim's owner are left alone.
	FinishMails(ctx context.Context, rs []MailResult) error
	// SweepMailBodies deletes shared bodies created before before that no
	// queued mail uses; it returns how many.
	SweepMailBodies(ctx context.Context, before time.Time) (int64, error)
}
