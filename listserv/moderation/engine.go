package moderation

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Config tunes the engine's background work.
type Config struct {
	// BaseURL is the public site, for links to /moderate in notices.
	BaseURL string
	// Poll is how often new held items are looked for (default 1 s).
	Poll time.Duration
	// Interval is how often expiry and reminders run (default 10 min).
	Interval time.Duration
	// RemindAfter: moderators who get every notice are reminded once a
	// day only of items older than this (default 12 h); moderators who
	// chose the daily summary get it whenever something waits.
	RemindAfter time.Duration
}

func (c *Config) defaults() {
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.Interval <= 0 {
		c.Interval = 10 * time.Minute
	}
	if c.RemindAfter <= 0 {
		c.RemindAfter = 12 * time.Hour
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
}

// Engine sends the notices about held items, handles moderators' email
// replies and does the daily housekeeping.
type Engine struct {
	st  Store
	cfg Config
	log *slog.Logger
}

// New returns an engine over st.
func New(st Store, cfg Config, log *slog.Logger) *Engine {
	cfg.defaults()
	return &Engine{st: st, cfg: cfg, log: log}
}

// Run notifies new held items every Poll and runs Housekeep every
// Interval (the first time one Interval after taking the lead, so a
// restart does not redo it at once) until ctx ends. Run it on the leader only: the store makes every
// step safe to repeat, but one node doing it avoids wasted work.
func (e *Engine) Run(ctx context.Context) {
	poll := time.NewTicker(e.cfg.Poll)
	defer poll.Stop()
	last := time.Now()
	for ctx.Err() == nil {
		e.NotifyPending(ctx)
		if now := time.Now(); now.Sub(last) >= e.cfg.Interval {
			last = now
			if err := e.Housekeep(ctx, now); err != nil && ctx.Err() == nil {
				e.log.Warn("moderation housekeeping", "err", err)
			}
		}
		select {
		case <-ctx.Done():
		case <-poll.C:
		}
	}
}

// NotifyPending sends the notices of every held item that has none yet,
// and returns how many it notified.
func (e *Engine) NotifyPending(ctx context.Context) int {
	done := 0
	for ctx.Err() == nil {
		hs, err := e.st.UnnotifiedHeld(ctx, 50)
		if err != nil {
			if ctx.Err() == nil {
				e.log.Error("unnotified held", "err", err)
			}
			return done
		}
		progress := false
		for _, h := range hs {
			err := e.NotifyHeld(ctx, h, time.Now())
			switch {
			case err == nil:
				done++
				progress = true
				e.log.Info("held item notified", heldAttr(h), "list", h.ListAddress, "reason", h.Reason)
			case errors.Is(err, store.ErrAlreadyHandled):
				progress = true
			default:
				if ctx.Err() == nil {
					e.log.Error("notify held", heldAttr(h), "err", err)
				}
			}
		}
		// A full page of failures would come back unchanged: wait for
		// the next poll rather than spin on it.
		if len(hs) < 50 || !progress {
			return done
		}
	}
	return done
}
