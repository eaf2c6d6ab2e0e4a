package fetch

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	message "github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/demnet-uk/listserv/listserv/pipeline"
	"github.com/demnet-uk/listserv/listserv/smtpin"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Intake is the pipeline, the one way in for every transport.
type Intake interface {
	Resolve(ctx context.Context, address string) (*pipeline.Recipient, error)
	Deliver(ctx context.Context, env pipeline.Envelope, rcpts []*pipeline.Recipient, raw []byte) ([]pipeline.Outcome, []error)
}

// Outcomes recorded for messages that did not become a post.
const (
	OutcomeRefused = "refused" // checks or parsing refused it; it stays in the mailbox, marked \Seen
	OutcomeGone    = "gone"    // expunged from the mailbox before it was read
)

// drain takes every message above the last one recorded, in UID order.
func (f *Fetcher) drain(ctx context.Context, c *imapclient.Client, validity uint32) error {
	last, err := f.st.LastFetched(ctx, f.src.Key, validity)
	if err != nil {
		return err
	}
	uids, err := newUIDs(c, last)
	if err != nil {
		return err
	}
	for _, uid := range uids {
		if err := f.take(ctx, c, validity, uid); err != nil {
			return fmt.Errorf("message UID %d: %w", uid, err)
		}
	}
	return nil
}

// newUIDs asks for UIDs last+1:* (which names the highest message even
// when it is below last+1, so those are filtered out).
func newUIDs(c *imapclient.Client, last uint32) ([]imap.UID, error) {
	var set imap.UIDSet
	set.AddRange(imap.UID(last+1), 0)
	d, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("search new messages: %w", err)
	}
	var out []imap.UID
	for _, u := range d.AllUIDs() {
		if uint32(u) > last {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out, nil
}

// take reads one message, hands it to the pipeline, records it, then
// marks it \Seen in the mailbox. A temporary failure returns an error
// and nothing is recorded: the message is tried again after the backoff.
func (f *Fetcher) take(ctx context.Context, c *imapclient.Client, validity uint32, uid imap.UID) error {
	if _, err := f.st.Fetched(ctx, f.src.Key, validity, uint32(uid)); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	outcome := OutcomeGone
	if len(msgs) > 0 {
		if outcome, err = f.enter(ctx, validity, uid, msgs[0].FindBodySection(section)); err != nil {
			return err
		}
	}
	if err := f.st.MarkFetched(ctx, f.src.Key, validity, uint32(uid), outcome); err != nil {
		return err
	}
	f.log.Info("IMAP ingestion took a message", "uid", uid, "outcome", outcome)
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
	if err := c.Store(imap.UIDSetNum(uid), store, nil).Close(); err != nil {
		f.log.Warn("IMAP ingestion: could not mark a message \\Seen", "uid", uid, "err", err)
	}
	return nil
}

// enter runs one message through the intake checks and the pipeline and
// returns the outcome to record ("accepted", "held", "duplicate", ...).
func (f *Fetcher) enter(ctx context.Context, validity uint32, uid imap.UID, raw []byte) (string, error) {
	raw, err := smtpin.Check(raw)
	if err != nil {
		f.log.Info("IMAP ingestion refused a message", "uid", uid, "reason", err)
		return OutcomeRefused + ": " + err.Error(), nil
	}
	raw = f.ensureMessageID(raw, validity, uid)
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return OutcomeRefused + ": unreadable header", nil
	}
	rcpts, err := f.recipients(ctx, mail.Header{Header: message.Header{Header: h}})
	if err != nil {
		return "", err
	}
	if len(rcpts) == 0 {
		f.log.Warn("IMAP ingestion: message names no list here", "uid", uid)
		return OutcomeRefused + ": names no list served here (add ?list=ADDRESS to the URL)", nil
	}
	env := pipeline.Envelope{From: envelopeFrom(mail.Header{Header: message.Header{Header: h}}), Transport: "imap", Remote: f.src.Key}
	outs, errs := f.in.Deliver(ctx, env, rcpts, raw)
	var states []string
	for i, err := range errs {
		switch {
		case errors.Is(err, pipeline.ErrMalformed):
			states = append(states, OutcomeRefused+": "+err.Error())
		case err != nil:
			return "", err
		default:
			states = append(states, outs[i].State)
		}
	}
	return strings.Join(slices.Compact(states), ","), nil
}

// recipients is the URL's list, or the lists the header names.
func (f *Fetcher) recipients(ctx context.Context, h mail.Header) ([]*pipeline.Recipient, error) {
	if f.src.List != "" {
		r, err := f.in.Resolve(ctx, f.src.List)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", f.src.List, err)
		}
		return []*pipeline.Recipient{r}, nil
	}
	var out []*pipeline.Recipient
	seen := map[string]bool{}
	for _, key := range []string{"Delivered-To", "X-Original-To", "To", "Cc"} {
		as, _ := h.AddressList(key)
		for _, a := range as {
			addr := strings.ToLower(a.Address)
			if seen[addr] {
				continue
			}
			seen[addr] = true
			r, err := f.in.Resolve(ctx, addr)
			if errors.Is(err, pipeline.ErrUnknownRecipient) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// envelopeFrom is the Return-Path the mailbox's server recorded, else the
// author.
func envelopeFrom(h mail.Header) string {
	if rp := strings.Trim(strings.TrimSpace(h.Get("Return-Path")), "<>"); rp != "" {
		return rp
	}
	if as, err := h.AddressList("From"); err == nil && len(as) > 0 {
		return as[0].Address
	}
	return ""
}

// ensureMessageID adds a Message-ID made from the mailbox, UIDVALIDITY
// and UID when the message has none, so that a crash between the
// pipeline's commit and MarkFetched cannot post it twice.
func (f *Fetcher) ensureMessageID(raw []byte, validity uint32, uid imap.UID) []byte {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil || h.Get("Message-Id") != "" {
		return raw
	}
	sum := sha256.Sum256([]byte(f.src.Key))
	host, _, _ := net.SplitHostPort(f.src.Addr)
	id := fmt.Sprintf("Message-ID: <fetch.%d.%d.%s@%s>\r\n", validity, uid, hex.EncodeToString(sum[:6]), host)
	return append([]byte(id), raw...)
}
