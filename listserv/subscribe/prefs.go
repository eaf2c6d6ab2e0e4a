package subscribe

import (
	"context"
	"errors"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Delivery choices as people see them: members.mode plus the digest period.
const (
	DeliverEach   = "each"
	DeliverDaily  = "daily"
	DeliverWeekly = "weekly"
	DeliverNoMail = "nomail"
)

// ErrBadChoice: a delivery choice or date that makes no sense.
var ErrBadChoice = errors.New("unknown delivery choice")

// Choice is a member's current delivery choice.
func Choice(m *store.Member, p *store.MemberPrefs) string {
	switch m.Mode {
	case store.ModeDigest:
		if p.Digest == store.DigestWeekly {
			return DeliverWeekly
		}
		return DeliverDaily
	case store.ModeNoMail:
		return DeliverNoMail
	}
	return DeliverEach
}

// SetDelivery applies a choice. until only matters for nomail: mail
// resumes (in the mode the member had before) on that day; zero means no
// end. ownPosts is whether the member gets copies of their own posts.
func (e *Engine) SetDelivery(ctx context.Context, m *store.Member, choice string, until time.Time, ownPosts bool) error {
	p, err := e.st.GetMemberPrefs(ctx, m.ID)
	if err != nil {
		return err
	}
	p.OwnPosts = ownPosts
	p.NoMailUntil = time.Time{}
	mode := store.ModeEach
	switch choice {
	case DeliverEach:
	case DeliverDaily, DeliverWeekly:
		mode, p.Digest = store.ModeDigest, store.DigestDaily
		if choice == DeliverWeekly {
			p.Digest = store.DigestWeekly
		}
	case DeliverNoMail:
		mode = store.ModeNoMail
		if m.Mode != store.ModeNoMail {
			p.ResumeMode = m.Mode
		}
		if !until.IsZero() {
			if !until.After(e.Now()) {
				return ErrBadChoice
			}
			p.NoMailUntil = until
		}
	default:
		return ErrBadChoice
	}
	if err := e.st.SetDelivery(ctx, m.ID, mode, p); err != nil {
		return err
	}
	e.log.Info("delivery changed", "member", m.ID, "choice", choice)
	return nil
}
