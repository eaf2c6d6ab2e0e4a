package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/archive"
	"github.com/demnet-uk/listserv/listserv/store"
)

type archiveSearchView struct {
	Title, Base, Query, In, Error, More string
	Searched                            bool
	Hits                                []postRow
	Fields                              []fieldOption
}

type fieldOption struct {
	Value, Label string
	Selected     bool
}

// archiveSearch ranks a list's posts by a query, a keyset page at a time.
func (s *Server) archiveSearch(w http.ResponseWriter, r *http.Request) {
	l, ok := s.archiveList(w, r)
	if !ok {
		return
	}
	qs := r.URL.Query()
	v := archiveSearchView{Title: listTitle(l), Base: archiveBase(l), Query: strings.TrimSpace(qs.Get("q")), In: qs.Get("in")}
	for _, f := range [][2]string{{"", "Everything"}, {"subject", "Subjects"}, {"author", "Authors"}, {"body", "Message text"}} {
		v.Fields = append(v.Fields, fieldOption{Value: f[0], Label: f[1], Selected: f[0] == v.In})
	}
	if v.Query == "" {
		s.Render(w, r, http.StatusOK, "archive_search", v)
		return
	}
	v.Searched = true
	q, err := archive.ParseQuery(v.Query, v.In)
	if err == nil {
		var hits []*store.ArchiveHit
		hits, err = s.st.SearchArchive(r.Context(), l.ID, q, parseCursor(qs.Get("after")), hitsPerPage)
		for _, h := range hits {
			v.Hits = append(v.Hits, postRows(l, []*store.ArchivePost{h.Post})...)
		}
		if len(hits) == hitsPerPage {
			c := hits[len(hits)-1].Cursor()
			v.More = v.Base + "/search?" + url.Values{"q": {v.Query}, "in": {v.In},
				"after": {strconv.FormatFloat(c.Rank, 'g', -1, 64) + "_" + strconv.FormatInt(c.ID, 10)}}.Encode()
		}
	}
	switch {
	case errors.Is(err, store.ErrBadQuery):
		v.Error = "Type at least one word to look for (words starting with - are left out)."
		s.Render(w, r, http.StatusUnprocessableEntity, "archive_search", v)
	case err != nil:
		s.oops(w, r, "archive search", err)
	default:
		s.Render(w, r, http.StatusOK, "archive_search", v)
	}
}

// parseCursor reads rank_id; anything else starts at the best hit.
func parseCursor(v string) store.SearchCursor {
	a, b, ok := strings.Cut(v, "_")
	rank, err1 := strconv.ParseFloat(a, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || id <= 0 {
		return store.SearchCursor{}
	}
	return store.SearchCursor{Rank: rank, ID: id}
}

func muxVar(r *http.Request, name string) (string, bool) {
	v, ok := mux.Vars(r)[name]
	return v, ok
}
