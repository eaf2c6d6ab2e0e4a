package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// activityWindow is what "how active" counts: archived posts in 30 days.
const activityWindow = 30 * 24 * time.Hour

type listRow struct {
	ID, Title, Address, Description, Members, Activity, Join string
	Newsletter                                               bool // a list of kind newsletter
}

func summaryRow(s *store.ListSummary, now time.Time) listRow {
	l := s.List
	row := listRow{ID: l.ListID(), Title: l.Name, Address: l.Address, Description: l.Description, Join: s.Access.Join,
		Newsletter: l.Kind == store.KindNewsletter}
	if row.Title == "" {
		row.Title = l.Address
	}
	row.Members = plural(s.Members, "member", "members")
	switch {
	case s.RecentPosts > 0:
		row.Activity = plural(s.RecentPosts, "message", "messages") + " in the last 30 days"
	case !s.LastPost.IsZero():
		row.Activity = "Quiet: last message " + ago(now.Sub(s.LastPost))
	default:
		row.Activity = "No messages yet"
	}
	return row
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func ago(d time.Duration) string {
	switch days := int64(d.Hours() / 24); {
	case days < 1:
		return "today"
	case days < 60:
		return plural(days, "day", "days") + " ago"
	default:
		return plural(days/30, "month", "months") + " ago"
	}
}

// home lists the public lists with their size and activity, counted with
// indexes (ListSummaries) rather than by reading rosters.
func (h *subs) home(w http.ResponseWriter, r *http.Request) {
	sums, err := h.st.ListSummaries(r.Context(), 0, time.Now().Add(-activityWindow))
	if err != nil {
		h.oops(w, r, "lists", err)
		return
	}
	var rows []listRow
	for _, s := range sums {
		if s.Access.Visibility == store.VisibilityPublic {
			rows = append(rows, summaryRow(s, time.Now()))
		}
	}
	h.Render(w, r, http.StatusOK, "home", map[string]any{"Lists": rows})
}
