package moderation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Housekeep expires old held items and sends the daily reminders, as of
// now (a parameter so tests can run a day ahead).
func (e *Engine) Housekeep(ctx context.Context, now time.Time) error {
	if _, err := e.Expire(ctx, now); err != nil {
		return err
	}
	if _, err := e.Remind(ctx, now); err != nil {
		return err
	}
	// Keys of "once a day" notices are needed for a day; keep two.
	_, err := e.st.ForgetOnce(ctx, now.Add(-48*time.Hour))
	return err
}

// Expire discards pending items older than their list's hold time and
// tells each post's author (when that is not backscatter). Only the caller
// that wins ResolveHeld sends the notice.
func (e *Engine) Expire(ctx context.Context, now time.Time) (int, error) {
	n := 0
	for {
		hs, err := e.st.ExpiredHeld(ctx, now, 100)
		if err != nil || len(hs) == 0 {
			return n, err
		}
		for _, h := range hs {
			set, err := e.st.ModerationSettings(ctx, h.ListID)
			if err != nil {
				return n, err
			}
			note := fmt.Sprintf("expired: no moderator acted within %d days", set.HoldDays)
			h, err = e.st.ResolveHeld(ctx, h.ID, store.Discard, ActorExpiry, note)
			if errors.Is(err, store.ErrAlreadyHandled) {
				continue
			}
			if err != nil {
				return n, err
			}
			n++
			e.log.Info("held item expired", heldAttr(h), "list", h.ListAddress)
			if err := e.tellExpired(ctx, h, set.HoldDays); err != nil {
				e.log.Warn("expiry notice", heldAttr(h), "err", err)
			}
		}
	}
}

func (e *Engine) tellExpired(ctx context.Context, h *store.Held, days int) error {
	if h.Kind != "post" || h.MessageID == 0 {
		return nil
	}
	m, err := e.st.GetMessage(ctx, h.MessageID)
	if err != nil || !MayTell(m) {
		return err
	}
	l, err := e.st.GetListByID(ctx, h.ListID)
	if err != nil {
		return err
	}
	q, err := e.expiryNotice(l, m, days).build()
	if err != nil {
		return err
	}
	return e.st.EnqueueMail(ctx, q)
}

// reminderItems is how many items one reminder lists.
const reminderItems = 20

// Remind sends each moderator and owner of a list with pending items one
// summary a day: to those who chose the daily summary whenever something
// waits, to the others when something has waited longer than RemindAfter.
func (e *Engine) Remind(ctx context.Context, now time.Time) (int, error) {
	pending, err := e.st.PendingLists(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, p := range pending {
		n, err := e.remindList(ctx, p, now)
		if err != nil {
			return sent, err
		}
		sent += n
	}
	return sent, nil
}

func (e *Engine) remindList(ctx context.Context, p *store.PendingCount, now time.Time) (int, error) {
	staff, err := e.st.ListStaff(ctx, p.ListID)
	if err != nil || len(staff) == 0 {
		return 0, err
	}
	old := now.Sub(p.Oldest) >= e.cfg.RemindAfter
	l, err := e.st.GetListByID(ctx, p.ListID)
	if err != nil {
		return 0, err
	}
	items, err := e.st.ListQueue(ctx, []int64{p.ListID}, 0, reminderItems)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, s := range staff {
		if s.Status != store.StatusEnabled || (s.Notify != store.NotifyDaily && !old) {
			continue
		}
		q, err := e.reminder(l, p, items, s.Address, now).build()
		if err != nil {
			e.log.Warn("reminder", "list", l.Address, "to", s.Address, "err", err)
			continue
		}
		ok, err := e.st.EnqueueOnce(ctx, onceKey("remind", l.ID, s.Address, now), q)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

func (e *Engine) reminder(l *store.List, p *store.PendingCount, items []*store.QueueItem, to string, now time.Time) letter {
	var b strings.Builder
	fmt.Fprintf(&b, "%d item(s) wait for a moderator on %s.\n\n", p.Count, l.Address)
	for _, it := range items {
		fmt.Fprintf(&b, "- %s\n  from %s, held %s ago: %s\n  %s\n", orNone(it.Subject), it.From,
			Age(now.Sub(it.Created)), it.Reason, e.itemURL(&it.Held))
	}
	if p.Count > len(items) {
		fmt.Fprintf(&b, "\n…and %d more.\n", p.Count-len(items))
	}
	fmt.Fprintf(&b, "\nThe whole queue: %s/moderate\n\nWe send this summary at most once a day.\n", e.cfg.BaseURL)
	return letter{list: l, to: to, body: b.String(),
		subject: fmt.Sprintf("%s: %d item(s) wait for moderation", listName(l), p.Count)}
}

func orNone(s string) string {
	if s == "" {
		return "(no subject)"
	}
	return s
}

// Age says how long ago, briefly ("5 minutes", "3 days").
func Age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/(24*time.Hour)), "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
