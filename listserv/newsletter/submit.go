package newsletter

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/demnet-uk/listserv/listserv/notice"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Submission sources and the queue's "why held" for each.
const (
	SourceWeb   = "web"
	SourceEmail = "email"
	SourceList  = "list"

	ReasonWeb   = "submitted on the web"
	ReasonEmail = "submitted by email"
)

// ReasonList is the reason of an item proposed from a discussion list.
func ReasonList(l *store.List) string { return "proposed from a post to " + l.Address }

// Submit checks a submitted item and puts it in the newsletter's
// moderation queue as pending. With ack, its submitter is thanked by
// mail in the same transaction; with onceKey, a repeated call (an inbox
// retry) changes nothing and returns store.ErrExists. ErrInvalid (and
// nothing stored) when the item cannot be used.
func (e *Engine) Submit(ctx context.Context, l *store.List, it *store.Item, reason, onceKey string, ack bool) (*store.Held, error) {
	if l.Kind != store.KindNewsletter {
		return nil, invalid("%s is not a newsletter", l.Address)
	}
	it.ListID, it.State = l.ID, store.ItemPending
	it.Submitter = store.NormalizeAddress(it.Submitter)
	if err := Normalize(it, e.cfg.Now()); err != nil {
		return nil, err
	}
	if it.Submitter != "" && it.OrgName == "" {
		p, err := e.st.GetPerson(ctx, it.Submitter)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if err == nil && p.InDirectory {
			it.OrgName = p.OrgName
		}
	}
	var q *store.QueuedMail
	if ack && it.Submitter != "" {
		var err error
		if q, err = e.thanks(l, it); err != nil {
			e.log.Warn("submission thanks", "to", it.Submitter, "err", err)
			q = nil
		}
	}
	h, err := e.st.HoldItem(ctx, it, reason, onceKey, q)
	if err != nil {
		return nil, err
	}
	e.log.Info("item submitted", "newsletter", l.Address, "item", it.ID, "held", h.ID, "kind", it.Kind, "by", it.Submitter, "source", it.Source)
	return h, nil
}

// letter is a short mail from the newsletter's editors' address.
func (e *Engine) letter(l *store.List, to, subject, body, inReplyTo string) (*store.QueuedMail, error) {
	return notice.Mail{From: l.SubAddress("owner"), FromName: Name(l) + " editors", Envelope: l.SubAddress("bounces"),
		To: to, Subject: subject, Body: body, InReplyTo: inReplyTo, AutoReplied: inReplyTo != "", Loop: l.Address,
		Tag: "newsletter"}.Build()
}

func (e *Engine) thanks(l *store.List, it *store.Item) (*store.QueuedMail, error) {
	body := fmt.Sprintf("Thank you: your %s “%s” reached %s and waits for its editors.\n\n"+
		"Once they approve it, it will be in the next issue and on its own page.\n", strings.ToLower(KindLabel(it.Kind)),
		it.Title, Name(l))
	return e.letter(l, it.Submitter, "Received: "+it.Title, body, "")
}

// EditHeldItem saves an editor's changes to a waiting item (checked like
// a submission), audited as by.
func (e *Engine) EditHeldItem(ctx context.Context, heldID int64, it *store.Item, by string) error {
	if err := Normalize(it, e.cfg.Now()); err != nil {
		return err
	}
	return e.st.EditHeldItem(ctx, heldID, it, by)
}
