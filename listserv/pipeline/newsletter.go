package pipeline

import (
	"context"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Submissions to newsletters. Mail to a newsletter's address whose
// subject carries [event], [research], [ask] or [offer] is a submission:
// it is kept whole in the inbox (durable before 250, like every
// administrative mail) and the newsletter engine turns it into a pending
// item in the editors' queue. A discussion-list post whose subject
// carries #event, #research, #ask or #offer is distributed as usual and,
// once accepted, a copy is kept for the newsletter the same way.

// isSubmission: mail to a newsletter with a subject tag.
func isSubmission(r *Recipient, m *mailhdr.Parsed) bool {
	if r.Kind != KindPost || m == nil || r.List.Kind != store.KindNewsletter {
		return false
	}
	k, _ := newsletter.SubjectKind(m.Subject, false)
	return k != ""
}

// propose keeps a copy of an accepted, tagged discussion-list post for
// the newsletter. The post is committed already; a failure here is
// logged and does not fail the post.
func (p *Pipeline) propose(ctx context.Context, env Envelope, r *Recipient, m *mailhdr.Parsed, out Outcome, raw []byte) {
	if out.State != store.StateAccepted || r.Kind != KindPost || r.List.Kind == store.KindNewsletter {
		return
	}
	if k, _ := newsletter.SubjectKind(m.Subject, true); k == "" {
		return
	}
	pr := &Recipient{Address: r.Address, List: r.List, Kind: newsletter.KindPropose}
	if _, err := p.toInbox(ctx, env, pr, raw); err != nil {
		p.log.Error("proposal to the newsletter not kept", "list", r.List.Address, "id", out.ID, "err", err)
	}
}
