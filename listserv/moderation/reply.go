package moderation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"github.com/demnet-uk/listserv/listserv/inbox"
	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/notice"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/token"
)

// ErrIgnored marks a reply that changed nothing on purpose (not from a
// moderator, an auto-reply, an unknown token); the inbox records it failed
// with the reason as its note, and nobody is answered.
// It is permanent for the inbox: trying again would not change anything.
var ErrIgnored = fmt.Errorf("moderation reply ignored (%w)", inbox.ErrPermanent)

// Command is a moderator's emailed decision.
type Command struct {
	Action Action // Approve, Reject or Discard
	Reason string // for Reject
}

// ParseCommand reads the first non-empty line of a reply's text:
// "approve", "reject REASON" or "discard" (any case, trailing punctuation
// ignored). ok is false for anything else.
func ParseCommand(text string) (Command, bool) {
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		switch strings.ToLower(strings.TrimRight(word, ".!:,")) {
		case "approve", "approved":
			return Command{Action: Approve}, true
		case "discard", "discarded":
			return Command{Action: Discard}, true
		case "reject", "rejected":
			return Command{Action: Reject, Reason: oneLine(rest, 500)}, true
		}
		return Command{}, false
	}
	return Command{}, false
}

// replyText is the plain text of a reply: its text/plain part, or its
// HTML part with every tag removed.
func replyText(raw []byte) string {
	in := Inspect(raw, 16<<10)
	if strings.TrimSpace(in.Text) != "" || in.HTML == "" {
		return in.Text
	}
	html := strings.NewReplacer("<br>", "\n", "<br/>", "\n", "<br />", "\n", "</p>", "\n", "</div>", "\n").Replace(in.HTML)
	return bluemonday.StrictPolicy().Sanitize(html)
}

// HandleReply is the inbox handler for LIST-moderate+TOKEN@: a moderator
// answering a held-item notice. It acts only when the reply's From is the
// moderator or owner the token was sent to (any case), and the token is
// one we sent for this list and not used yet. The
// moderator is told what happened; nobody else is ever answered.
func (e *Engine) HandleReply(ctx context.Context, it *store.InboxItem, l *store.List) error {
	p, err := mailhdr.Parse(it.Raw)
	if err != nil {
		return fmt.Errorf("%w: unreadable message: %v", ErrIgnored, err)
	}
	if notice.IsAutomatic(it.EnvelopeFrom, p.Header) {
		return fmt.Errorf("%w: an automatic reply", ErrIgnored)
	}
	who, err := e.staffSender(ctx, l, p.From)
	if err != nil {
		return err
	}
	now := time.Now()
	hash := token.Hash(strings.ToLower(it.Token))
	t, err := e.st.PeekModerationToken(ctx, hash, now)
	if errors.Is(err, store.ErrNotFound) || err == nil && t.ListID != l.ID {
		e.answer(ctx, l, who, p, "This reply changed nothing",
			"The address you replied to was already used, has expired, or belongs to another list.\n"+
				"Open the queue on the web instead: "+e.cfg.BaseURL+"/moderate\n")
		return fmt.Errorf("%w: token unknown, used or for another list", ErrIgnored)
	}
	if err != nil {
		return err
	}
	// A token is personal: it acts only for the moderator it was sent to,
	// so the audit log names who really acted. Another moderator (or
	// someone claiming to be one) gets no answer.
	if !strings.EqualFold(who, t.Address) {
		e.log.Warn("moderation reply with another moderator's token", "held", t.HeldID, "from", who,
			"token_for", t.Address, "envelope", it.EnvelopeFrom)
		return fmt.Errorf("%w: token was sent to %s, not to %s", ErrIgnored, t.Address, who)
	}
	who = store.NormalizeAddress(t.Address)
	cmd, ok := ParseCommand(replyText(it.Raw))
	if !ok {
		e.answer(ctx, l, who, p, "This reply changed nothing",
			"The first line of your reply must be one of:\n\n  approve\n  reject REASON\n  discard\n\n"+
				"Reply to the same notice again, or open it on the web: "+e.itemURL(&store.Held{ID: t.HeldID})+"\n")
		return fmt.Errorf("%w: no command on the first line", ErrIgnored)
	}
	// Act first, then use the token: a temporary failure in between is
	// retried by the inbox, and the retry finds the item already handled
	// (by this moderator) instead of a used token. ResolveHeld settles
	// double sends and races with other tokens, the web and the CLI.
	out, err := Act(ctx, e.st, t.HeldID, cmd.Action, who, cmd.Reason)
	if err != nil {
		return err
	}
	if err := e.st.UseModerationToken(ctx, hash, now); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	subject := "Done: " + out.Message
	if !out.Done {
		subject = "Already handled: " + out.Message
	}
	e.answer(ctx, l, who, p, subject, out.Message+"\n")
	e.log.Info("moderated by email", heldAttr(out.Held), "by", who, "action", cmd.Action, "done", out.Done)
	return nil
}

// staffSender returns the reply's From when that address is an enabled
// owner or moderator of l. (The envelope sender is not enough: the token
// is matched against From, which is what the moderator's client sets.)
func (e *Engine) staffSender(ctx context.Context, l *store.List, from string) (string, error) {
	if from != "" {
		m, err := e.st.GetMember(ctx, l.ID, from)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
		if err == nil && (m.Role == store.RoleOwner || m.Role == store.RoleModerator) && m.Status == store.StatusEnabled {
			return store.NormalizeAddress(m.Address), nil
		}
	}
	return "", fmt.Errorf("%w: %s is not a moderator of %s", ErrIgnored, from, l.Address)
}

// answer tells the moderator what their reply did; failures only log, the
// action itself stands.
func (e *Engine) answer(ctx context.Context, l *store.List, to string, p *mailhdr.Parsed, subject, body string) {
	q, err := letter{list: l, to: to, subject: subject, body: body, inReplyTo: p.MessageID, auto: "auto-replied"}.build()
	if err == nil {
		err = e.st.EnqueueMail(ctx, q)
	}
	if err != nil {
		e.log.Warn("answer moderator", "to", to, "err", err)
	}
}
