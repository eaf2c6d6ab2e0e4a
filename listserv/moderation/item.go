package moderation

import (
	"context"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// tellItemRejected tells who submitted a newsletter item that the
// editors did not take it, with their reason (a submission is not a
// post: there is no message to answer, only the submitter's address).
func tellItemRejected(ctx context.Context, st ActStore, h *store.Held, reason string) (bool, error) {
	if h.From == "" {
		return false, nil
	}
	l, err := st.GetListByID(ctx, h.ListID)
	if err != nil {
		return false, err
	}
	title := h.Subject
	if _, t, ok := strings.Cut(h.Subject, ": "); ok {
		title = t
	}
	body := "The editors of " + listName(l) + " did not accept “" + title + "”."
	if reason != "" {
		body += "\n\nTheir reason: " + reason
	}
	body += "\n\nYou are welcome to send it again with changes.\n"
	q, err := letter{list: l, to: h.From, subject: "Not accepted: " + title, body: body}.build()
	if err != nil {
		return false, err
	}
	return true, st.EnqueueMail(ctx, q)
}
