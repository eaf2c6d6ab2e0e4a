package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/store"
)

const auditPage = 50

type auditView struct {
	List    *store.List
	Entries []auditRow
	Before  int64 // this page's cursor (0: the newest)
	Next    int64 // cursor of the next (older) page, 0 when none
	// Site: the site-wide log (/admin/audit), whose pages are NextURL.
	Site    bool
	NextURL string
}

type auditRow struct {
	When, Actor, Action, Target, Detail, Link string
	Sentence                                  string // the entry in plain English
}

// modAudit shows a list's audit log, newest first, to its owners.
func (s *Server) modAudit(w http.ResponseWriter, r *http.Request) {
	c, ok := s.requireCaller(w, r)
	if !ok {
		return
	}
	l, err := auditList(r.Context(), s.st, mux.Vars(r)["list"])
	if errors.Is(err, store.ErrNotFound) {
		s.Error(w, r, http.StatusNotFound, "List not found", "There is no list with that name here.")
		return
	}
	if err != nil {
		s.modFail(w, r, "audit list", err)
		return
	}
	if !c.IsOwner(l.ID) {
		s.Error(w, r, http.StatusForbidden, "Only owners see the audit log",
			"The audit log of "+l.Address+" is open to the list's owners.")
		return
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	as, err := s.st.ListAudit(r.Context(), l.ID, before, auditPage+1)
	if err != nil {
		s.modFail(w, r, "audit", err)
		return
	}
	v := auditView{List: l, Before: before}
	if len(as) > auditPage {
		as = as[:auditPage]
		v.Next = as[len(as)-1].ID
	}
	v.Entries = s.auditRows(r, c, as)
	s.Render(w, r, http.StatusOK, "audit", v)
}

// auditList finds a list by its RFC 2919 id (team.lists.example.org); the
// local part may hold dots, so each dot is tried as the @.
func auditList(ctx context.Context, st Store, id string) (*store.List, error) {
	id = strings.ToLower(id)
	for i := strings.IndexByte(id, '.'); i > 0; {
		l, err := st.GetList(ctx, id[:i]+"@"+id[i+1:])
		if err == nil || !errors.Is(err, store.ErrNotFound) {
			return l, err
		}
		j := strings.IndexByte(id[i+1:], '.')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return nil, store.ErrNotFound
}
