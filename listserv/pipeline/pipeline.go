// Package pipeline is the one way in for every message, whatever the
// transport (SMTP, LMTP, later IMAP ingestion): it resolves recipients,
// parses the message once, decides by list policy and the loop and
// auto-reply rules, and stores the outcome durably before anyone is told 250.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/demnet-uk/listserv/listserv/mailauth"
	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/metrics"
	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// ErrUnknownRecipient: the address is not one this server serves.
var ErrUnknownRecipient = errors.New("no such list or address here")

// Pipeline decides what happens to inbound mail.
type Pipeline struct {
	st     Store
	log    *slog.Logger
	commit *committer
	// Accepted is called after a commit that queued fan-out work.
	Accepted func()
	// Admin is called after administrative mail was stored.
	Admin func()
	// Metrics counts posts and their outcomes; nil counts nothing.
	Metrics *metrics.Metrics
	// Auth checks SPF, DKIM and DMARC on posts (auth.go); nil checks
	// nothing.
	Auth *mailauth.Checker
}

// New returns a pipeline over st; Run must be running for Deliver to commit.
func New(st Store, log *slog.Logger) *Pipeline {
	return &Pipeline{st: st, log: log, commit: newCommitter(st, log)}
}

// Run works the group committer until ctx ends.
func (p *Pipeline) Run(ctx context.Context) { p.commit.run(ctx) }

// Envelope is the SMTP envelope of one message.
type Envelope struct {
	From      string
	Transport string // smtp, lmtp
	Remote    string
	Helo      string   // the client's HELO/EHLO name
	auth      *authRun // set by Deliver: one authentication per message
}

// StateDuplicate is the Outcome state of a post the list already has.
const StateDuplicate = "duplicate"

// Outcome is what happened to a message for one recipient.
type Outcome struct {
	State  string // accepted, held, dropped, inbox, duplicate
	Reason string
	ID     int64 // message id (or inbox id)
}

// Deliver handles raw for each recipient and returns one outcome or error
// per recipient, in order. Nothing is returned before it is durable. A
// recipient named twice (in any case) is handled once and both get its
// result, so one transaction naming a list three times stores one post.
func (p *Pipeline) Deliver(ctx context.Context, env Envelope, rcpts []*Recipient, raw []byte) ([]Outcome, []error) {
	outs := make([]Outcome, len(rcpts))
	errs := make([]error, len(rcpts))
	parsed, perr := mailhdr.Parse(raw)
	env.auth = &authRun{}
	first := make(map[rcptKey]int, len(rcpts))
	for i, r := range rcpts {
		k := rcptKey{r.Kind, r.List.ID, r.Token}
		if j, seen := first[k]; seen {
			outs[i], errs[i] = outs[j], errs[j]
			continue
		}
		first[k] = i
		outs[i], errs[i] = p.deliverOne(ctx, env, r, parsed, perr, raw)
	}
	return outs, errs
}

// rcptKey is what makes two recipients the same delivery.
type rcptKey struct {
	kind  string
	list  int64
	token string
}

// deliverOne handles one recipient. A panic becomes an error for this
// recipient only, so it cannot turn into a 4xx for recipients already
// committed (the sender would retry them; duplicate suppression catches
// that too, but only for posts with a Message-ID).
func (p *Pipeline) deliverOne(ctx context.Context, env Envelope, r *Recipient, m *mailhdr.Parsed, perr error, raw []byte) (out Outcome, err error) {
	defer func() {
		if v := recover(); v != nil {
			msgID := ""
			if m != nil {
				msgID = m.MessageID
			}
			p.log.Error("intake panic", "rcpt", r.Address, "message_id", msgID, "panic", v, "stack", string(debug.Stack()))
			out, err = Outcome{}, fmt.Errorf("%w: %v", ErrPanic, v)
		}
	}()
	if r.Kind != KindPost && r.Kind != KindOwner {
		return p.toInbox(ctx, env, r, raw)
	}
	if perr == nil && isSubmission(r, m) {
		return p.toInbox(ctx, env, &Recipient{Address: r.Address, List: r.List, Kind: newsletter.KindSubmit}, raw)
	}
	if perr != nil {
		p.Metrics.PostReceived()
		p.Metrics.PostStored(metrics.PostRefused)
		return Outcome{}, fmt.Errorf("%w: %w", ErrMalformed, perr)
	}
	out, err = p.post(ctx, env, r, m, raw)
	if err == nil {
		p.propose(ctx, env, r, m, out, raw)
	}
	return out, err
}

// ErrPanic: handling a recipient panicked (a bug); nothing was committed
// for it unless the panic came after its commit.
var ErrPanic = errors.New("internal error while handling the message")

// ErrMalformed: the message cannot be read as RFC 5322 at all.
var ErrMalformed = errors.New("message is not RFC 5322")

func (p *Pipeline) post(ctx context.Context, env Envelope, r *Recipient, m *mailhdr.Parsed, raw []byte) (Outcome, error) {
	p.Metrics.PostReceived()
	msg := &store.Message{
		ListID: r.List.ID, EnvelopeFrom: env.From, FromAddr: m.From, FromName: m.FromName,
		Subject: m.Subject, MessageID: m.MessageID, InReplyTo: m.InReplyTo, SentAt: m.Date, Raw: raw,
	}
	msg.References = joinIDs(m.References)
	it := &store.Intake{Message: msg}
	if r.Kind == KindOwner {
		msg.State, it.Audience = store.StateOwner, "owners"
	} else {
		d, err := p.decide(ctx, env, r.List, m, raw)
		if err != nil {
			return Outcome{}, err
		}
		msg.State, msg.Reason = d.state, d.reason
		msg.Raw = p.withAuthResults(env, raw)
	}
	if err := p.commit.save(ctx, it); err != nil {
		return Outcome{}, err
	}
	if it.Duplicate {
		p.Metrics.PostStored(metrics.PostDuplicate)
		// Mailman's rule: the list has this Message-ID, so this is a
		// retry, a second send or a loop. Answer 250, distribute nothing.
		p.log.Info("duplicate post not stored again", "list", r.List.Address, "message_id", msg.MessageID,
			"from", msg.FromAddr, "remote", env.Remote)
		return Outcome{State: StateDuplicate}, nil
	}
	p.Metrics.PostStored(msg.State)
	p.afterCommit(func() {
		p.log.Info("post stored", "list", r.List.Address, "message", msg.ID, "message_id", msg.MessageID,
			"state", msg.State, "reason", msg.Reason, "from", msg.FromAddr, "size", msg.Size)
		if (msg.State == store.StateAccepted || it.Audience == "owners") && p.Accepted != nil {
			p.Accepted()
		}
	})
	return Outcome{State: msg.State, Reason: msg.Reason, ID: msg.ID}, nil
}

// afterCommit runs what follows a commit: a panic there (a bug) is logged
// and cannot turn the 250 the sender is owed into a 4xx and a retry.
func (p *Pipeline) afterCommit(fn func()) {
	defer func() {
		if v := recover(); v != nil {
			p.log.Error("panic after commit", "panic", v, "stack", string(debug.Stack()))
		}
	}()
	fn()
}

func (p *Pipeline) toInbox(ctx context.Context, env Envelope, r *Recipient, raw []byte) (Outcome, error) {
	in := &store.InboxItem{ListID: r.List.ID, Kind: r.Kind, Token: r.Token, EnvelopeFrom: env.From, Raw: raw}
	if err := p.st.SaveInbox(ctx, in); err != nil {
		return Outcome{}, err
	}
	p.afterCommit(func() {
		p.log.Info("admin mail stored", "list", r.List.Address, "kind", r.Kind, "id", in.ID, "from", env.From)
		if p.Admin != nil {
			p.Admin()
		}
	})
	return Outcome{State: "inbox", ID: in.ID}, nil
}

func joinIDs(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += " "
		}
		out += id
	}
	return out
}
