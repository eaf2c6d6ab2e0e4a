package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/demnet-uk/listserv/listserv/feeds"
	"github.com/demnet-uk/listserv/listserv/store"
)

// researchFilter reads ?topic= (one topic, as stored: lower case).
func researchFilter(r *http.Request) (store.ItemFilter, string) {
	topic := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("topic")))
	if len(topic) > 100 {
		topic = ""
	}
	return store.ItemFilter{Kinds: []string{store.ItemResearch}, States: live, Topic: topic}, topic
}

// researchPage lists research newest first, filtered by topic, a page at
// a time (keyset on id).
func (s *Server) researchPage(w http.ResponseWriter, r *http.Request) {
	f, topic := researchFilter(r)
	items, next, ok := s.browse(w, r, f, "/research", "topic", topic)
	if !ok {
		return
	}
	s.Render(w, r, http.StatusOK, "research", map[string]any{
		"Items": items, "Topic": topic, "Next": next, "Paged": r.URL.Query().Get("after") != "",
		"Feeds": s.links(r, "Research", withQuery("/research.atom", "topic", topic), ""),
	})
}

func (s *Server) researchAtom(w http.ResponseWriter, r *http.Request) {
	f, topic := researchFilter(r)
	items, err := s.st.ListItems(r.Context(), f, feedEntries)
	if err != nil {
		s.oops(w, r, "research feed", err)
		return
	}
	title := "Research"
	if topic != "" {
		title += " on " + topic
	}
	s.itemFeed(w, r, feeds.Feed{Title: title, Subtitle: "Research shared in the network, newest first.",
		Self: withQuery("/research.atom", "topic", topic), Page: withQuery("/research", "topic", topic)}, items)
}

// browse reads one page of f newest first, after ?after=, and the next
// page's link (keeping the filter's query kv).
func (s *Server) browse(w http.ResponseWriter, r *http.Request, f store.ItemFilter, path string, kv ...string) ([]itemRow, string, bool) {
	f.AfterID, _ = strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	items, err := s.st.ListItems(r.Context(), f, browsePage+1)
	if err != nil {
		s.oops(w, r, path, err)
		return nil, "", false
	}
	next := ""
	if len(items) > browsePage {
		items = items[:browsePage]
		next = withQuery(path, append(kv, "after", strconv.FormatInt(items[len(items)-1].ID, 10))...)
	}
	rows := make([]itemRow, len(items))
	for i, it := range items {
		rows[i] = toRow(it)
	}
	return rows, next, true
}
