package newsletter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/demnet-uk/listserv/listserv/inbox"
	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/notice"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Inbox kinds the pipeline stores submissions under: mail to a
// newsletter's address with a subject tag, and a discussion-list post
// tagged #event, #research, #ask or #offer (the post itself is
// distributed as usual; this is a copy for the newsletter).
const (
	KindSubmit  = "submit"
	KindPropose = "propose"
)

// SettingNewsletterFor + a list's address names the newsletter its
// tagged posts are proposed to (`listserv newsletter link`).
const SettingNewsletterFor = "newsletter-for:"

// HandleSubmission is the inbox handler for mail to a newsletter with
// a subject tag: the item goes to the editors' queue and the sender is
// thanked, or told what was wrong. An inbox retry does neither twice.
func (e *Engine) HandleSubmission(ctx context.Context, in *store.InboxItem, l *store.List) error {
	return e.handleMail(ctx, in, l, l, false, ReasonEmail, SourceEmail)
}

// HandleProposal is the inbox handler for a tagged discussion-list
// post: it is proposed to the list's newsletter (NewsletterFor).
func (e *Engine) HandleProposal(ctx context.Context, in *store.InboxItem, l *store.List) error {
	nl, err := e.NewsletterFor(ctx, l)
	if errors.Is(err, store.ErrNotFound) {
		return inbox.Permanent(fmt.Errorf("no newsletter to propose %s's post to (link one with `listserv newsletter link`)", l.Address))
	}
	if err != nil {
		return err
	}
	return e.handleMail(ctx, in, l, nl, true, ReasonList(l), SourceList)
}

// NewsletterFor is the newsletter a discussion list's tagged posts go
// to: the one named by its setting, else the site's only newsletter;
// ErrNotFound when there is none (or several and no setting).
func (e *Engine) NewsletterFor(ctx context.Context, l *store.List) (*store.List, error) {
	addr, err := e.st.Setting(ctx, SettingNewsletterFor+l.Address)
	if err == nil && addr != "" {
		return e.st.GetList(ctx, addr)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	ls, err := e.st.AllLists(ctx)
	if err != nil {
		return nil, err
	}
	var found *store.List
	for _, x := range ls {
		if x.Kind == store.KindNewsletter {
			if found != nil {
				return nil, store.ErrNotFound
			}
			found = x
		}
	}
	if found == nil {
		return nil, store.ErrNotFound
	}
	return found, nil
}

func (e *Engine) handleMail(ctx context.Context, in *store.InboxItem, from, nl *store.List, hash bool, reason, source string) error {
	p, err := mailhdr.Parse(in.Raw)
	if err != nil {
		return inbox.Permanent(fmt.Errorf("unreadable message: %w", err))
	}
	if notice.IsAutomatic(in.EnvelopeFrom, p.Header) {
		return inbox.Permanent(errors.New("an automatic message is not a submission"))
	}
	kind, title := SubjectKind(p.Subject, hash)
	if kind == "" {
		return inbox.Permanent(fmt.Errorf("subject %q has no tag", p.Subject))
	}
	it, notes, err := ItemFromMail(p, kind, title)
	if err == nil {
		it.Submitter, it.Source = p.From, source
		if len(notes) > 0 {
			reason += "; could not read: " + strings.Join(notes, "; ")
		}
		_, err = e.Submit(ctx, nl, it, reason, fmt.Sprintf("submit:%d", in.ID), true)
	}
	switch {
	case errors.Is(err, store.ErrExists):
		return nil // handled before this retry
	case errors.Is(err, ErrInvalid):
		e.refuse(ctx, nl, from, p, in.ID, err, notes)
		return inbox.Permanent(err)
	}
	return err
}

// ItemFromMail reads a submission's text and (for an event) attached
// calendar: the calendar's values come first, "Field: value" lines
// fill what it lacks.
func ItemFromMail(p *mailhdr.Parsed, kind, title string) (*store.Item, []string, error) {
	parts, err := readParts(p.Header, p.Body)
	if err != nil && parts == nil {
		return nil, nil, invalid("the message could not be read: %v", err)
	}
	f := ParseFields(parts.Text)
	it, notes := FromFields(kind, title, f)
	if kind == store.ItemEvent && parts.Calendar != nil {
		ev, err := EventFromICS(parts.Calendar)
		if err != nil {
			return nil, notes, err
		}
		fill(ev, it)
		it = ev
		if t := f.Values[FTitle]; t != "" { // an explicit Title: line wins over SUMMARY
			it.Title = t
		}
	}
	if utf8.RuneCountInString(it.Summary) > maxSummary {
		it.Summary = string([]rune(it.Summary)[:maxSummary-1]) + "…"
		notes = append(notes, fmt.Sprintf("the description was cut to %d characters", maxSummary))
	}
	return it, notes, nil
}

// fill copies into dst the fields it lacks from src.
func fill(dst, src *store.Item) {
	for _, f := range []struct{ d, s *string }{{&dst.Title, &src.Title}, {&dst.Summary, &src.Summary}, {&dst.URL, &src.URL},
		{&dst.By, &src.By}, {&dst.Location, &src.Location}, {&dst.Region, &src.Region}, {&dst.OnlineURL, &src.OnlineURL},
		{&dst.BookingURL, &src.BookingURL}} {
		if *f.d == "" {
			*f.d = *f.s
		}
	}
	if len(dst.Topics) == 0 {
		dst.Topics = src.Topics
	}
}

// refuse tells the sender why the submission was not taken, once.
func (e *Engine) refuse(ctx context.Context, nl, via *store.List, p *mailhdr.Parsed, inboxID int64, why error, notes []string) {
	if p.From == "" {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Your message “%s” to %s could not be added to %s:\n\n  %s\n\n", p.Subject, via.Address, Name(nl), errString(why))
	for _, n := range notes {
		fmt.Fprintf(&b, "Also: %s.\n", n)
	}
	b.WriteString("\n" + SampleSubmission)
	q, err := e.letter(nl, p.From, "Not added: "+p.Subject, b.String(), p.MessageID)
	if err == nil {
		_, err = e.st.EnqueueOnce(ctx, fmt.Sprintf("submit-refused:%d", inboxID), q)
	}
	if err != nil {
		e.log.Warn("submission refusal", "to", p.From, "err", err)
	}
}

// SampleSubmission shows the mail format.
const SampleSubmission = `Send it again with the kind in the subject, [event], [research], [ask]
or [offer], and one "Field: value" line for each detail, for example:

  Subject: [event] Spring assembly
  Starts: 2027-03-29 10:00
  Ends: 16:30
  Where: Glasgow
  Region: Scotland
  Booking: https://book.example/assembly

  A day of talks and workshops for member groups.

An event may instead attach a calendar file (.ics). Research takes By,
Published (a date), Link and Topics; asks and offers take Closes (a
date), Respond (how to reach you) and Topics.
`
