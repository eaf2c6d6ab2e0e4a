package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Newsletters is what the newsletter pages ask of the newsletter engine
// (rendering only; the server wires newsletter.Engine).
type Newsletters interface {
	IssueHTML(ctx context.Context, l *store.List, number int) (string, error)
	// Submit puts a member's item in the editors' queue.
	Submit(ctx context.Context, l *store.List, it *store.Item, reason, onceKey string, ack bool) (*store.Held, error)
	// EditHeldItem saves an editor's changes to a waiting item, audited.
	EditHeldItem(ctx context.Context, heldID int64, it *store.Item, by string) error
	// The editors' page: preview, introduction, test copy, send now.
	Preview(ctx context.Context, l *store.List, address, format string) (*newsletter.Rendered, error)
	SetIntro(ctx context.Context, l *store.List, intro, by string) error
	SendTest(ctx context.Context, l *store.List, to, format string) error
	SendSoon(ctx context.Context, l *store.List, by string) error
	// The "still open?" links of an ask or offer.
	CheckLink(it *store.Item, action, tok string) bool
	Extend(ctx context.Context, id int64, tok string) (*store.Item, error)
	Done(ctx context.Context, id int64, tok string) (*store.Item, error)
}

// newsletterRoutes: an issue's archive page and each item's permalink.
// (The per-event .ics at /items/{id}.ics belongs to the calendar.)
func (s *Server) newsletterRoutes(r *mux.Router) {
	r.HandleFunc("/newsletters/{list}/issues/{n:[0-9]+}", s.issuePage).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/items/{id:[0-9]+}", s.itemPage).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/items/{id:[0-9]+}/extend", s.openPage).Methods(http.MethodGet)
	r.HandleFunc("/items/{id:[0-9]+}/extend", s.openAct).Methods(http.MethodPost)
	r.HandleFunc("/items/{id:[0-9]+}/done", s.openPage).Methods(http.MethodGet)
	r.HandleFunc("/items/{id:[0-9]+}/done", s.openAct).Methods(http.MethodPost)
	r.HandleFunc("/submit", s.submitPage).Methods(http.MethodGet)
	r.HandleFunc("/submit", s.submitPost).Methods(http.MethodPost)
	r.HandleFunc("/moderate/{id:[0-9]+}/item", s.modEditItem).Methods(http.MethodPost)
	r.HandleFunc("/newsletters/{list}/next", s.nextPage).Methods(http.MethodGet)
	r.HandleFunc("/newsletters/{list}/next", s.nextAct).Methods(http.MethodPost)
	r.HandleFunc("/newsletters/{list}/next/preview.html", s.nextHTML).Methods(http.MethodGet)
}

// issuePage shows an archived issue as it was mailed (every section),
// a whole accessible HTML document of its own.
func (s *Server) issuePage(w http.ResponseWriter, r *http.Request) {
	l, err := s.st.GetListByListID(r.Context(), mux.Vars(r)["list"])
	n, _ := strconv.Atoi(mux.Vars(r)["n"])
	if err != nil || l.Kind != store.KindNewsletter || s.newsletters == nil {
		s.Error(w, r, http.StatusNotFound, "No such newsletter", "There is no newsletter at this address.")
		return
	}
	h, err := s.newsletters.IssueHTML(r.Context(), l, n)
	if errors.Is(err, store.ErrNotFound) {
		s.Error(w, r, http.StatusNotFound, "No such issue", "This newsletter has no issue "+strconv.Itoa(n)+" yet.")
		return
	}
	if err != nil {
		s.log.Error("issue page", "err", err)
		s.Error(w, r, http.StatusInternalServerError, "Something went wrong", "The issue could not be shown; try again later.")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(h))
}

type itemView struct {
	Item                            *store.Item
	Kind, When, Where, Closes, Date string
	ICS, Topics                     string
	Open                            bool
	Newsletter                      *store.List
}

// itemPage is an item's permalink: live, published and expired items
// are shown; pending, rejected and withdrawn ones are not public.
func (s *Server) itemPage(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	it, err := s.st.GetItem(r.Context(), id)
	if err == nil && !it.Live() && it.State != store.ItemExpired {
		err = store.ErrNotFound
	}
	if err != nil {
		s.Error(w, r, http.StatusNotFound, "No such item", "There is no published item at this address.")
		return
	}
	v := itemView{Item: it, Kind: newsletter.KindLabel(it.Kind), Topics: strings.Join(it.Topics, ", "),
		Open: it.State != store.ItemExpired}
	if l, err := s.st.GetListByID(r.Context(), it.ListID); err == nil {
		v.Newsletter = l
	}
	switch it.Kind {
	case store.ItemEvent:
		v.Date = it.Starts.In(zone(it.Zone)).Format("Monday 2 January 2006")
		v.When, v.Where, v.ICS = newsletter.When(it), newsletter.Where(it), "/items/"+strconv.FormatInt(it.ID, 10)+".ics"
	case store.ItemAsk, store.ItemOffer:
		v.Closes = newsletter.Closes(it)
	case store.ItemResearch:
		if !it.Published.IsZero() {
			v.Date = it.Published.UTC().Format("2 January 2006")
		}
	}
	s.Render(w, r, http.StatusOK, "item", v)
}
