package web

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/calendar"
	"github.com/demnet-uk/listserv/listserv/feeds"
	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Sizes of what the calendar, feeds and pages show.
const (
	calendarMax  = 1000                  // events in one .ics
	calendarPast = 30 * 24 * time.Hour   // "recent": ended at most this long ago
	feedEntries  = 50                    // entries in an Atom feed
	browsePage   = 20                    // items on a page
	issueEntries = 20                    // issues in a newsletter's feed
	feedMaxAge   = "public, max-age=300" // calendars and readers poll
)

// live are the states shown publicly.
var live = []string{store.ItemApproved, store.ItemPublished}

// feedRoutes: the calendars (/events.ics, a newsletter's, one event's),
// the Atom feeds and the pages that browse items.
func (s *Server) feedRoutes(r *mux.Router) {
	get := []string{http.MethodGet, http.MethodHead}
	r.HandleFunc("/events", s.eventsPage).Methods(get...)
	r.HandleFunc("/events.ics", s.eventsICS).Methods(get...)
	r.HandleFunc("/events.atom", s.eventsAtom).Methods(get...)
	r.HandleFunc("/items/{id:[0-9]+}.ics", s.itemICS).Methods(get...)
	r.HandleFunc("/research", s.researchPage).Methods(get...)
	r.HandleFunc("/research.atom", s.researchAtom).Methods(get...)
	r.HandleFunc("/asks-offers", s.asksOffersPage).Methods(get...)
	r.HandleFunc("/asks-offers.atom", s.asksOffersAtom).Methods(get...)
	r.HandleFunc("/newsletters/{list}/events.ics", s.newsletterICS).Methods(get...)
	r.HandleFunc("/newsletters/{list}/issues.atom", s.issuesAtom).Methods(get...)
	r.HandleFunc("/directory/org", s.orgPage).Methods(get...)
	r.HandleFunc("/directory/org.atom", s.orgAtom).Methods(get...)
}

// publicBase is the site's public URL: the configured one, else this
// request's host.
func (s *Server) publicBase(r *http.Request) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// feedLinks name a page's feed and calendar in its <head> and body.
type feedLinks struct {
	Title  string       // what the feed holds
	Atom   string       // path of the Atom feed
	ICS    string       // path of the calendar ("" for none)
	Webcal template.URL // webcal: address of the calendar, for calendar apps
}

func (s *Server) links(r *http.Request, title, atom, ics string) *feedLinks {
	f := &feedLinks{Title: title, Atom: atom, ICS: ics}
	if ics != "" {
		base := s.publicBase(r)
		if i := strings.Index(base, "://"); i >= 0 {
			base = base[i+3:]
		}
		// webcal: is an http(s) URL that calendar apps subscribe to rather
		// than download; template.URL because html/template refuses
		// schemes it does not know.
		f.Webcal = template.URL("webcal://" + base + ics)
	}
	return f
}

// withQuery is path with the non-empty values as its query.
func withQuery(path string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// writeCalendar answers with events as iCalendar.
func (s *Server) writeCalendar(w http.ResponseWriter, r *http.Request, name string, items []*store.Item, download string) {
	var b bytes.Buffer
	err := calendar.Write(&b, items, calendar.Options{BaseURL: s.publicBase(r), Name: name, Now: time.Now()})
	if err != nil {
		s.oops(w, r, "calendar", err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", calendar.ContentType)
	h.Set("Cache-Control", feedMaxAge)
	if download != "" {
		h.Set("Content-Disposition", `attachment; filename="`+download+`"`)
	}
	w.Write(b.Bytes())
}

// writeFeed answers with an Atom feed.
func (s *Server) writeFeed(w http.ResponseWriter, r *http.Request, f feeds.Feed) {
	base := s.publicBase(r)
	f.Self, f.Page = base+f.Self, base+f.Page
	if f.Author == "" {
		f.Author = strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://")
	}
	var b bytes.Buffer
	if err := feeds.Write(&b, f); err != nil {
		s.oops(w, r, "feed", err)
		return
	}
	w.Header().Set("Content-Type", feeds.ContentType)
	w.Header().Set("Cache-Control", feedMaxAge)
	w.Write(b.Bytes())
}

// itemFeed is a feed of items, each entry from feeds.ItemEntry.
func (s *Server) itemFeed(w http.ResponseWriter, r *http.Request, f feeds.Feed, items []*store.Item) {
	for _, it := range items {
		f.Entries = append(f.Entries, feeds.ItemEntry(s.publicBase(r), it))
	}
	f.Updated = time.Now()
	s.writeFeed(w, r, f)
}

// eventsICS is every live event that is upcoming or ended recently.
func (s *Server) eventsICS(w http.ResponseWriter, r *http.Request) {
	items, err := s.st.ListEvents(r.Context(), store.EventFilter{States: live, EndsFrom: time.Now().Add(-calendarPast)}, calendarMax)
	if err != nil {
		s.oops(w, r, "events calendar", err)
		return
	}
	s.writeCalendar(w, r, "Events", items, "")
}

// newsletterICS is one newsletter's events.
func (s *Server) newsletterICS(w http.ResponseWriter, r *http.Request) {
	l, ok := s.newsletterList(w, r)
	if !ok {
		return
	}
	items, err := s.st.ListEvents(r.Context(), store.EventFilter{ListID: l.ID, States: live,
		EndsFrom: time.Now().Add(-calendarPast)}, calendarMax)
	if err != nil {
		s.oops(w, r, "newsletter calendar", err)
		return
	}
	s.writeCalendar(w, r, newsletter.Name(l)+": events", items, "")
}

// itemICS is one event, for "add to calendar": the same UID, SEQUENCE
// and VTIMEZONE as in the subscribed calendars.
func (s *Server) itemICS(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	it, err := s.st.GetItem(r.Context(), id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.oops(w, r, "event calendar", err)
		return
	}
	if err != nil || it.Kind != store.ItemEvent || !it.Live() {
		s.Error(w, r, http.StatusNotFound, "No such event", "There is no published event at this address.")
		return
	}
	s.writeCalendar(w, r, it.Title, []*store.Item{it}, "event-"+strconv.FormatInt(id, 10)+".ics")
}

// newsletterList resolves {list} to a newsletter or writes a 404 page.
func (s *Server) newsletterList(w http.ResponseWriter, r *http.Request) (*store.List, bool) {
	l, err := listByID(r.Context(), s.st, mux.Vars(r)["list"])
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.oops(w, r, "newsletter", err)
		return nil, false
	}
	if err != nil || l.Kind != store.KindNewsletter {
		s.Error(w, r, http.StatusNotFound, "No such newsletter", "There is no newsletter at this address.")
		return nil, false
	}
	return l, true
}

// eventsAtom: the upcoming events, newest added first.
func (s *Server) eventsAtom(w http.ResponseWriter, r *http.Request) {
	items, err := s.st.ListItems(r.Context(), store.ItemFilter{Kinds: []string{store.ItemEvent}, States: live,
		StartsFrom: time.Now()}, feedEntries)
	if err != nil {
		s.oops(w, r, "events feed", err)
		return
	}
	s.itemFeed(w, r, feeds.Feed{Title: "Events", Subtitle: "Upcoming events in the network.", Self: "/events.atom",
		Page: "/events"}, items)
}

// issuesAtom: a newsletter's sent issues, newest first.
func (s *Server) issuesAtom(w http.ResponseWriter, r *http.Request) {
	l, ok := s.newsletterList(w, r)
	if !ok {
		return
	}
	iss, err := s.st.ListIssues(r.Context(), l.ID, 0, issueEntries)
	if err != nil {
		s.oops(w, r, "issues feed", err)
		return
	}
	base := s.publicBase(r)
	f := feeds.Feed{Title: newsletter.Name(l), Subtitle: "Issues of " + newsletter.Name(l) + ".",
		Self: "/newsletters/" + l.ListID() + "/issues.atom", Page: "/lists/" + l.ListID(), Updated: l.Created}
	for _, is := range iss {
		if is.State == store.IssueSent {
			f.Entries = append(f.Entries, feeds.IssueEntry(base, l, is))
		}
	}
	s.writeFeed(w, r, f)
}
