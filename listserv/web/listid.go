package web

import (
	"context"
	"net/http"

	"github.com/demnet-uk/listserv/listserv/store"
)

// maxListID is the longest list id worth a lookup: an address has at most
// 254 bytes (RFC 5321 4.5.3.1.3), so anything longer is not found without
// asking the store.
const maxListID = 254

// maxRequestURI bounds path plus query. Real links are far shorter; a
// longer one is refused before any store work.
const maxRequestURI = 4096

// listByID finds a list by its RFC 2919 id (team.lists.example.org) in one
// indexed store lookup, whatever the number of dots.
func listByID(ctx context.Context, st Store, id string) (*store.List, error) {
	if id == "" || len(id) > maxListID {
		return nil, store.ErrNotFound
	}
	return st.GetListByListID(ctx, id)
}

// limitURI answers 414 with a page to absurdly long addresses, before the
// router, the session lookup or any handler runs.
func (s *Server) limitURI(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.RequestURI) > maxRequestURI {
			s.Render(w, nil, http.StatusRequestURITooLong, "error", map[string]string{
				"Title": "Address too long", "Message": "This web address is far longer than any page here."})
			return
		}
		next.ServeHTTP(w, r)
	})
}
