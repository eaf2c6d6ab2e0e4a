package web

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
)

type outboxRow struct {
	ID                  int64
	When, To, From, Raw string
	Subject             string
}

const outboxPage = 50

// The outbox holds every captured mail, sign-in links included, so it is
// the operator's alone: served only to a browser on this machine (see
// operatorPeer), never through a proxy, or to a signed-in site
// administrator.
func (s *Server) outboxAllowed(w http.ResponseWriter, r *http.Request) bool {
	if !s.capture {
		s.Error(w, r, http.StatusNotFound, "No outbox", "Mail is sent through a relay, so nothing is captured here.")
		return false
	}
	if c := CallerOf(r); !s.operatorPeer(r) && (c == nil || !c.Admin) {
		s.log.Warn("outbox refused", "peer", r.RemoteAddr, "client", clientIP(r))
		s.Error(w, r, http.StatusForbidden, "Outbox not available here",
			"The outbox holds sign-in links and other private mail, so it is shown only to a browser on the server's own machine (loopback), not through a proxy.")
		return false
	}
	return true
}

func (s *Server) outbox(w http.ResponseWriter, r *http.Request) {
	if !s.outboxAllowed(w, r) {
		return
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	cs, err := s.st.ListOutbox(r.Context(), before, outboxPage)
	if err != nil {
		s.log.Error("outbox", "err", err)
		s.Error(w, r, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
		return
	}
	rows := make([]outboxRow, len(cs))
	var next int64
	for i, c := range cs {
		p, _ := mailhdr.Parse(c.Raw)
		rows[i] = outboxRow{ID: c.ID, When: c.Created.UTC().Format("2006-01-02 15:04:05"), To: c.To, From: c.From}
		if p != nil {
			rows[i].Subject = p.Subject
		}
		next = c.ID
	}
	if len(cs) < outboxPage {
		next = 0
	}
	s.Render(w, r, http.StatusOK, "outbox", map[string]any{"Items": rows, "Next": next})
}

func (s *Server) outboxItem(w http.ResponseWriter, r *http.Request) {
	if !s.outboxAllowed(w, r) {
		return
	}
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	c, err := s.st.GetCaptured(r.Context(), id)
	if err != nil {
		s.Error(w, r, http.StatusNotFound, "Message not found", "There is no captured message with that number.")
		return
	}
	s.Render(w, r, http.StatusOK, "outbox_item", outboxRow{ID: c.ID, When: c.Created.UTC().Format("2006-01-02 15:04:05"),
		To: c.To, From: c.From, Raw: string(c.Raw)})
}
