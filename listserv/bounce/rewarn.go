package bounce

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/notice"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Re-warnings, as Mailman's: a member whose delivery bounces disabled is
// warned again twice, a week apart, with the re-enable link; a week after
// the last warning they are removed when the list says so. Owners get one
// summary per list and run.
const (
	Rewarnings     = 2
	RewarnInterval = 7 * 24 * time.Hour
)

// WarnStore is what re-warnings need beyond Store.
type WarnStore interface {
	StartBounceWarnings(ctx context.Context, memberID, listID int64, next time.Time) error
	DueBounceWarnings(ctx context.Context, now time.Time, limit int) ([]*store.BounceWarning, error)
	SetBounceWarning(ctx context.Context, memberID int64, warnings int, next time.Time) error
	EndBounceWarnings(ctx context.Context, memberID int64) error
	ListDeliverability(ctx context.Context, listID int64) (*store.ListDeliverability, error)
}

// warnStore is the engine's store when it can re-warn (sqldb can).
func (e *Engine) warnStore() WarnStore {
	ws, _ := e.st.(WarnStore)
	return ws
}

// scheduleRewarnings starts a newly disabled member's re-warnings.
func (e *Engine) scheduleRewarnings(ctx context.Context, m *store.Member) error {
	ws := e.warnStore()
	if ws == nil {
		return nil
	}
	return ws.StartBounceWarnings(ctx, m.ID, m.ListID, e.cfg.Now().Add(RewarnInterval))
}

// RewarnSummary is what one run did.
type RewarnSummary struct{ Warned, Removed, Ended int }

// Rewarn sends the due re-warnings and removals (run periodically on one
// node; the clock is Config.Now).
func (e *Engine) Rewarn(ctx context.Context) (RewarnSummary, error) {
	var sum RewarnSummary
	ws := e.warnStore()
	if ws == nil {
		return sum, nil
	}
	now := e.cfg.Now()
	due, err := ws.DueBounceWarnings(ctx, now, 500)
	if err != nil {
		return sum, err
	}
	byList := map[int64][]string{}
	for _, w := range due {
		line, err := e.rewarnOne(ctx, ws, w, now, &sum)
		if err != nil {
			return sum, err
		}
		if line != "" {
			byList[w.ListID] = append(byList[w.ListID], line)
		}
	}
	for listID, lines := range byList {
		if err := e.ownerSummary(ctx, listID, lines); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// rewarnOne takes one member a step on and returns the owners' line.
func (e *Engine) rewarnOne(ctx context.Context, ws WarnStore, w *store.BounceWarning, now time.Time, sum *RewarnSummary) (string, error) {
	m, err := e.st.GetMemberByID(ctx, w.MemberID)
	if errors.Is(err, store.ErrNotFound) || err == nil && m.Status != store.StatusDisabledBounces {
		sum.Ended++ // re-enabled or gone meanwhile
		return "", ws.EndBounceWarnings(ctx, w.MemberID)
	}
	if err != nil {
		return "", err
	}
	l, err := e.st.GetListByID(ctx, w.ListID)
	if err != nil {
		return "", err
	}
	if w.Warnings < Rewarnings {
		if err := e.notifyMember(ctx, l, m, w.Warnings+2); err != nil {
			return "", err
		}
		sum.Warned++
		return fmt.Sprintf("%s: warned again (%d of %d)", m.Address, w.Warnings+1, Rewarnings),
			ws.SetBounceWarning(ctx, m.ID, w.Warnings+1, now.Add(RewarnInterval))
	}
	set, err := ws.ListDeliverability(ctx, l.ID)
	if err != nil {
		return "", err
	}
	if err := ws.EndBounceWarnings(ctx, m.ID); err != nil {
		return "", err
	}
	if !set.RemoveAfterWarnings {
		sum.Ended++
		return m.Address + ": still disabled after every warning; kept (the list does not remove)", nil
	}
	_, err = e.st.LeaveList(ctx, m.ID, &store.Consent{Action: "left", How: "bounces", Origin: "bounce re-warnings", At: now})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	sum.Removed++
	e.log.Warn("member removed after bounce warnings", "list", l.Address, "member", m.ID)
	return m.Address + ": removed after " + fmt.Sprint(Rewarnings) + " further warnings", nil
}

// ownerSummary mails each enabled owner of the list one summary.
func (e *Engine) ownerSummary(ctx context.Context, listID int64, lines []string) error {
	l, err := e.st.GetListByID(ctx, listID)
	if err != nil {
		return err
	}
	staff, err := e.st.ListStaff(ctx, l.ID)
	if err != nil {
		return err
	}
	body := "Members of " + l.Address + " whose delivery is disabled by bounces:\n\n  " +
		strings.Join(lines, "\n  ") + "\n"
	for _, s := range staff {
		if s.Role != store.RoleOwner || s.Status != store.StatusEnabled {
			continue
		}
		if err := e.send(ctx, notice.Mail{From: l.SubAddress("bounces"), To: s.Address, Loop: l.Address,
			Subject: "Bounces on " + l.Address + ": warnings and removals", Body: body, Tag: "bounce"}); err != nil {
			return err
		}
	}
	return nil
}
