package moderation

import (
	"log/slog"

	"github.com/demnet-uk/listserv/listserv/store"
)

// heldAttr names a held item in a log line: its id and, for a post, the
// id of the message it holds (the key the intake and delivery lines use),
// so one message can be followed through the logs.
func heldAttr(h *store.Held) slog.Attr {
	if h.MessageID != 0 {
		return slog.Group("", slog.Int64("held", h.ID), slog.Int64("message", h.MessageID))
	}
	return slog.Int64("held", h.ID)
}
