package web

import (
	"errors"
	"net/http"

	"github.com/demnet-uk/listserv/listserv/feeds"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/subscribe"
)

// directoryOrg resolves ?name= to a listed organisation or writes a 404
// page: only organisations whose people chose the directory have a page.
func (s *Server) directoryOrg(w http.ResponseWriter, r *http.Request) (*store.Person, bool) {
	name := r.URL.Query().Get("name")
	var p *store.Person
	err := store.ErrNotFound
	if name != "" && len(name) <= 200 {
		p, err = s.st.DirectoryOrg(r.Context(), name)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.oops(w, r, "organisation", err)
		return nil, false
	}
	if err != nil {
		s.Error(w, r, http.StatusNotFound, "No such organisation", "No organisation of this name is in the directory.")
		return nil, false
	}
	return p, true
}

// orgPage is an organisation's page in the directory: what it told the
// directory and its items, newest first (keyset on id).
func (s *Server) orgPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.directoryOrg(w, r)
	if !ok {
		return
	}
	f := store.ItemFilter{OrgName: p.OrgName, States: live}
	items, next, ok := s.browse(w, r, f, "/directory/org", "name", p.OrgName)
	if !ok {
		return
	}
	s.Render(w, r, http.StatusOK, "org", map[string]any{
		"Name": p.OrgName, "Website": p.OrgWebsite, "Region": subscribe.Label(subscribe.Regions, p.OrgRegion),
		"Focus": subscribe.Label(subscribe.Focuses, p.OrgFocus), "Items": items, "Next": next,
		"Paged": r.URL.Query().Get("after") != "",
		"Feeds": s.links(r, p.OrgName, withQuery("/directory/org.atom", "name", p.OrgName), ""),
	})
}

func (s *Server) orgAtom(w http.ResponseWriter, r *http.Request) {
	p, ok := s.directoryOrg(w, r)
	if !ok {
		return
	}
	items, err := s.st.ListItems(r.Context(), store.ItemFilter{OrgName: p.OrgName, States: live}, feedEntries)
	if err != nil {
		s.oops(w, r, "organisation feed", err)
		return
	}
	s.itemFeed(w, r, feeds.Feed{Title: p.OrgName, Subtitle: "Events, research, asks and offers from " + p.OrgName + ".",
		Self: withQuery("/directory/org.atom", "name", p.OrgName), Page: withQuery("/directory/org", "name", p.OrgName)}, items)
}
