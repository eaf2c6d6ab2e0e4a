package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
)

// The moderation pages: the queue across every list the caller moderates,
// one held item, and a list's audit log (owners only). Every action is a
// POST with a CSRF token and answers with what happened; items of lists
// the caller does not moderate are "not found", whether they exist or not.

// moderationRoutes registers the moderation pages (/moderate, ...).
func (s *Server) moderationRoutes(r *mux.Router) {
	r.HandleFunc("/moderate", s.modQueue).Methods(http.MethodGet)
	r.HandleFunc("/moderate", s.modBulk).Methods(http.MethodPost)
	r.HandleFunc("/moderate/notify", s.modNotify).Methods(http.MethodPost)
	r.HandleFunc("/moderate/{id:[0-9]+}", s.modItem).Methods(http.MethodGet)
	r.HandleFunc("/moderate/{id:[0-9]+}", s.modAct).Methods(http.MethodPost)
	r.HandleFunc("/lists/{list}/audit", s.modAudit).Methods(http.MethodGet)
}

// modRow is one held item as the pages show it.
type modRow struct {
	ID                                int64
	Kind, List, From, Subject, Reason string
	Age, Size, Deferred               string
	State, HandledBy, HandledAt, Note string
	Pending, Subscription, HasSubject bool
	IsItem                            bool // a submitted newsletter item
	SelectLabel                       string
}

func modMakeRow(h *store.Held, note *store.HeldNote, now time.Time) modRow {
	r := modRow{ID: h.ID, Kind: h.Kind, List: h.ListAddress, From: h.From, Subject: h.Subject, Reason: h.Reason,
		Age: moderation.Age(now.Sub(h.Created)), Size: modSize(h.Size), State: h.State, HandledBy: h.HandledBy,
		Note: h.Note, Pending: h.State == "pending", Subscription: h.Kind == "subscription", HasSubject: h.Subject != "",
		IsItem: h.Kind == store.HeldKindItem}
	if !r.HasSubject {
		r.Subject = "(no subject)"
	}
	if !h.HandledAt.IsZero() {
		r.HandledAt = h.HandledAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	if note != nil {
		r.Deferred = fmt.Sprintf("Left for later by %s, %s ago", note.By, moderation.Age(now.Sub(note.At)))
		if note.Note != "" {
			r.Deferred += ": " + note.Note
		}
	}
	r.SelectLabel = "Select " + r.Subject + " from " + r.From
	return r
}

func modSize(n int64) string {
	switch {
	case n <= 0:
		return "–"
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// modResult is the feedback of one action.
type modResult struct {
	Message string
	Done    bool
}

// modHeld loads a held item the caller may moderate; ok false means an
// error page was written (404 for items of other lists, like unknown ids).
func (s *Server) modHeld(w http.ResponseWriter, r *http.Request, c *Caller) (*store.Held, bool) {
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	h, err := s.st.GetHeld(r.Context(), id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.modFail(w, r, "get held", err)
		return nil, false
	}
	if err != nil || !c.CanModerate(h.ListID) {
		s.Error(w, r, http.StatusNotFound, "Held item not found",
			"There is no held item with that number in the lists you moderate. It may have been removed.")
		return nil, false
	}
	return h, true
}

// modDo runs one moderator action and records its outcome.
func (s *Server) modDo(r *http.Request, c *Caller, id int64, act moderation.Action, reason string) modOutcome {
	o := modOutcome{ID: id, Act: act}
	h, err := s.st.GetHeld(r.Context(), id)
	if err != nil || !c.CanModerate(h.ListID) {
		o.Fail = 'n'
		return o
	}
	out, err := s.mod.Act(r.Context(), id, act, c.Address, reason)
	if err != nil {
		s.log.Error("moderate", "held", id, "message", h.MessageID, "action", act, "by", c.Address, "err", err)
		o.Fail = 'e'
		return o
	}
	s.log.Info("moderated", "held", id, "message", h.MessageID, "action", act, "by", c.Address, "done", out.Done)
	o.Done, o.Told = out.Done, out.Notified
	return o
}

// modReason is the custom reason when given, else the chosen canned one.
func modReason(r *http.Request) string {
	if v := r.PostFormValue("reason"); v != "" {
		return v
	}
	return r.PostFormValue("canned")
}

func (s *Server) modFail(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.log.Error(what, "err", err)
	s.Error(w, r, http.StatusInternalServerError, "Something went wrong", "Please try again in a moment.")
}
