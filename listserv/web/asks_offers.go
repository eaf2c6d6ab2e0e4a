package web

import (
	"net/http"
	"time"

	"github.com/demnet-uk/listserv/listserv/feeds"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/subscribe"
)

var askOfferKinds = []subscribe.Option{{Value: store.ItemAsk, Label: "Asks"}, {Value: store.ItemOffer, Label: "Offers"}}

// asksOffersFilter reads ?kind=ask|offer; open ones only.
func asksOffersFilter(r *http.Request) (store.ItemFilter, string) {
	kind := r.URL.Query().Get("kind")
	f := store.ItemFilter{Kinds: []string{store.ItemAsk, store.ItemOffer}, States: live, ClosesAfter: time.Now()}
	if subscribe.Label(askOfferKinds, kind) != "" {
		f.Kinds = []string{kind}
	} else {
		kind = ""
	}
	return f, kind
}

// asksOffersPage lists open asks and offers newest first, filtered by
// kind, a page at a time (keyset on id).
func (s *Server) asksOffersPage(w http.ResponseWriter, r *http.Request) {
	f, kind := asksOffersFilter(r)
	items, next, ok := s.browse(w, r, f, "/asks-offers", "kind", kind)
	if !ok {
		return
	}
	s.Render(w, r, http.StatusOK, "asks_offers", map[string]any{
		"Items": items, "Kind": kind, "Kinds": askOfferKinds, "Next": next, "Paged": r.URL.Query().Get("after") != "",
		"Feeds": s.links(r, "Asks and offers", withQuery("/asks-offers.atom", "kind", kind), ""),
	})
}

func (s *Server) asksOffersAtom(w http.ResponseWriter, r *http.Request) {
	f, kind := asksOffersFilter(r)
	items, err := s.st.ListItems(r.Context(), f, feedEntries)
	if err != nil {
		s.oops(w, r, "asks and offers feed", err)
		return
	}
	title := "Asks and offers"
	if kind != "" {
		title = subscribe.Label(askOfferKinds, kind)
	}
	s.itemFeed(w, r, feeds.Feed{Title: title, Subtitle: "Open asks and offers in the network, newest first.",
		Self: withQuery("/asks-offers.atom", "kind", kind), Page: withQuery("/asks-offers", "kind", kind)}, items)
}
