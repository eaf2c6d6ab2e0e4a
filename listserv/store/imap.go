package store

import (
	"context"
	"time"
)

// IMAP is what the read-only IMAP server and IMAP ingestion keep: app
// passwords, each reader's \Seen and \Flagged, and which messages of a
// hosted mailbox were taken in. The archive itself is messages with a UID.
type IMAP interface {
	// CreateAppPassword stores p (Address normalised, Hash an argon2id
	// PHC string) and sets its ID and Created.
	CreateAppPassword(ctx context.Context, p *AppPassword) error
	// ListAppPasswords returns an address's app passwords, oldest first,
	// with their hashes.
	ListAppPasswords(ctx context.Context, address string) ([]*AppPassword, error)
	// DeleteAppPassword removes one of address's app passwords;
	// ErrNotFound when address has none with that id.
	DeleteAppPassword(ctx context.Context, address string, id int64) error
	// TouchAppPassword records a successful sign-in.
	TouchAppPassword(ctx context.Context, id int64, at time.Time) error

	// ArchiveStatus counts a list's archived posts and their bytes and
	// gives the next UID.
	ArchiveStatus(ctx context.Context, listID int64) (*ArchiveStatus, error)
	// ArchiveUIDs pages through a list's archive UIDs above after, in
	// order (keyset on the messages_uid index).
	ArchiveUIDs(ctx context.Context, listID, after int64, limit int) ([]int64, error)
	// ArchiveMessages loads archived posts by UID, in UID order; UIDs
	// that are not (or no longer) in the archive are left out. Without
	// raw, Message.Raw stays nil (sizes and dates only).
	ArchiveMessages(ctx context.Context, listID int64, uids []int64, raw bool) ([]*Message, error)
	// SearchUIDs returns the UIDs of a list's archived posts that
	// match every field f sets, in order.
	SearchUIDs(ctx context.Context, listID int64, f ArchiveFilter) ([]int64, error)

	// IMAPFlags returns address's flags on a list's posts with UIDs in
	// [from, to] (only posts with a flag set have a row).
	IMAPFlags(ctx context.Context, address string, listID, from, to int64) ([]*IMAPFlags, error)
	// SetIMAPFlags stores the flags of each post in fs (both false
	// removes the row).
	SetIMAPFlags(ctx context.Context, address string, listID int64, fs []*IMAPFlags) error
	// CountIMAPSeen counts the archived posts of a list address has seen.
	CountIMAPSeen(ctx context.Context, address string, listID int64) (int64, error)

	// Fetched reports whether ingestion already took the message (and
	// how it went); ErrNotFound when it did not.
	Fetched(ctx context.Context, source string, uidValidity, uid uint32) (string, error)
	// MarkFetched records that ingestion took a message, once; a second
	// mark of the same message keeps the first outcome.
	MarkFetched(ctx context.Context, source string, uidValidity, uid uint32, outcome string) error
	// LastFetched is the highest UID taken from source under uidValidity
	// (0 when none).
	LastFetched(ctx context.Context, source string, uidValidity uint32) (uint32, error)
	// SetListFetch sets the hosted mailbox URL a list reads ("" stops it).
	SetListFetch(ctx context.Context, listID int64, url string) error
	// ListFetches returns every list's hosted mailbox URL, by list id.
	ListFetches(ctx context.Context) ([]*ListFetch, error)
}

// AppPassword is one password a person's mail client signs in with.
type AppPassword struct {
	ID       int64
	Address  string // normalised
	Name     string
	Hash     string // argon2id PHC string; never the password
	Created  time.Time
	LastUsed time.Time // zero: never used
}

// ArchiveStatus is what IMAP STATUS and SELECT tell about a list's archive.
type ArchiveStatus struct {
	Count   int64
	Size    int64
	UIDNext int64
}

// ArchiveFilter narrows SearchUIDs; zero fields match everything.
// Text fields match case-insensitively anywhere in the field.
type ArchiveFilter struct {
	From    string // from_addr or from_name
	Subject string
	// Since and Before compare the day received (IMAP's internal date);
	// SentSince and SentBefore the Date field.
	Since, Before         time.Time
	SentSince, SentBefore time.Time
	Larger, Smaller       int64 // size in bytes, exclusive
}

// IMAPFlags are one reader's flags on one archived post.
type IMAPFlags struct {
	UID     int64
	Seen    bool
	Flagged bool
}

// ListFetch is a list that reads a hosted mailbox.
type ListFetch struct {
	ListID int64
	URL    string
}
