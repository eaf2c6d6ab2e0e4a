package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/store"
)

// The site administrators' pages (/admin): every list, creating and
// removing lists, the outbound queue and outbox, the site's name,
// introduction and contact address, and the site-wide audit log. Site
// administrators are named with `listserv admin add`; anyone else gets
// 403.

func (s *Server) adminRoutes(r *mux.Router) {
	get, post := http.MethodGet, http.MethodPost
	r.HandleFunc("/admin", s.adminHome).Methods(get)
	r.HandleFunc("/admin/lists", s.adminCreateList).Methods(post)
	r.HandleFunc("/admin/lists/{list}/remove", s.adminRemovePage).Methods(get)
	r.HandleFunc("/admin/lists/{list}/remove", s.adminRemoveList).Methods(post)
	r.HandleFunc("/admin/site", s.adminSaveSite).Methods(post)
	r.HandleFunc("/admin/audit", s.adminAudit).Methods(get)
}

// requireAdmin: site administrators only; ok false means an answer was
// written. A POST also needs its form token.
func (s *Server) requireAdmin(w http.ResponseWriter, r *http.Request) (*Caller, bool) {
	c, ok := s.requireCaller(w, r)
	if !ok {
		return nil, false
	}
	if !c.Admin {
		s.Error(w, r, http.StatusForbidden, "Site administrators only",
			"This page is for the site's administrators. An operator names them with: listserv admin add ADDRESS")
		return nil, false
	}
	if r.Method == http.MethodPost && !s.CheckCSRF(r) {
		s.FormExpired(w, r)
		return nil, false
	}
	return c, true
}

type adminListRow struct {
	ID, Address, Title, Policy string
	Members                    int64
}

type adminView struct {
	Notice  string
	Lists   []adminListRow
	Admins  []*store.SiteAdmin
	Site    *store.Site
	Queue   store.QueueStats
	Oldest  string
	Capture bool
	Default SiteView
}

var adminNotices = map[string]string{
	"created": "The list was created. Add its first owner on its members page.",
	"removed": "The list was removed.",
	"site":    "Saved. Every page now shows the new settings.",
}

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireAdmin(w, r); !ok {
		return
	}
	ctx := r.Context()
	ls, err := s.st.AllLists(ctx)
	if err != nil {
		s.oops(w, r, "all lists", err)
		return
	}
	v := adminView{Notice: adminNotices[r.URL.Query().Get("done")], Capture: s.capture,
		Default: SiteView{Name: defaultSiteName, Intro: defaultSiteIntro}}
	for _, l := range ls {
		n, err := s.st.CountMembers(ctx, l.ID)
		if err != nil {
			s.oops(w, r, "count members", err)
			return
		}
		t := l.Name
		if t == "" {
			t = l.Address
		}
		v.Lists = append(v.Lists, adminListRow{ID: l.ListID(), Address: l.Address, Title: t, Policy: l.Policy, Members: n})
	}
	if v.Admins, err = s.st.ListSiteAdmins(ctx); err == nil {
		if v.Site, err = s.st.GetSite(ctx); err == nil {
			v.Queue, err = s.st.Pending(ctx)
		}
	}
	if err != nil {
		s.oops(w, r, "admin page", err)
		return
	}
	if o := oldest(v.Queue); !o.IsZero() {
		v.Oldest = ago(time.Since(o))
	}
	s.Render(w, r, http.StatusOK, "admin", v)
}

func oldest(q store.QueueStats) time.Time {
	var t time.Time
	for _, o := range []time.Time{q.OldestFanout, q.OldestRetry, q.OldestMail, q.OldestDigest} {
		if !o.IsZero() && (t.IsZero() || o.Before(t)) {
			t = o
		}
	}
	return t
}

func (s *Server) adminCreateList(w http.ResponseWriter, r *http.Request) {
	c, ok := s.requireAdmin(w, r)
	if !ok {
		return
	}
	l := &store.List{Address: r.PostFormValue("address"), Name: r.PostFormValue("name"),
		Description: r.PostFormValue("description"), Policy: r.PostFormValue("policy")}
	err := s.owners.CreateList(r.Context(), l, c.Address)
	if errors.Is(err, store.ErrExists) {
		s.Error(w, r, http.StatusConflict, "That address is taken", "There is already a list at "+l.Address+". Choose another address.")
		return
	}
	if err != nil {
		s.actionFailed(w, r, "create list", err)
		return
	}
	s.log.Info("list created", "list", l.Address, "by", c.Address)
	http.Redirect(w, r, "/admin?done=created#notice", http.StatusSeeOther)
}

type removeView struct {
	List *store.List
	F    *store.ListFootprint
}

// adminList resolves {list} for the remove pages.
func (s *Server) adminList(w http.ResponseWriter, r *http.Request) (*store.List, bool) {
	l, err := listByID(r.Context(), s.st, mux.Vars(r)["list"])
	if errors.Is(err, store.ErrNotFound) {
		s.Error(w, r, http.StatusNotFound, "List not found", "There is no list at this address; it may have been removed already.")
		return nil, false
	}
	if err != nil {
		s.oops(w, r, "admin list", err)
		return nil, false
	}
	return l, true
}

// adminRemovePage says what removing the list would take away; the POST
// does it (a GET never changes anything).
func (s *Server) adminRemovePage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireAdmin(w, r); !ok {
		return
	}
	l, ok := s.adminList(w, r)
	if !ok {
		return
	}
	f, err := s.st.ListFootprint(r.Context(), l.ID)
	if err != nil {
		s.oops(w, r, "footprint", err)
		return
	}
	s.Render(w, r, http.StatusOK, "admin_remove", removeView{List: l, F: f})
}

func (s *Server) adminRemoveList(w http.ResponseWriter, r *http.Request) {
	c, ok := s.requireAdmin(w, r)
	if !ok {
		return
	}
	l, ok := s.adminList(w, r)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != l.Address {
		s.Error(w, r, http.StatusUnprocessableEntity, "Nothing was removed",
			"To remove the list, type its address ("+l.Address+") in the box. Go back and try again.")
		return
	}
	if _, err := s.owners.RemoveList(r.Context(), l, r.PostFormValue("purge") == "yes", c.Address); err != nil {
		s.actionFailed(w, r, "remove list", err)
		return
	}
	s.log.Info("list removed", "list", l.Address, "by", c.Address)
	http.Redirect(w, r, "/admin?done=removed#notice", http.StatusSeeOther)
}

func (s *Server) adminSaveSite(w http.ResponseWriter, r *http.Request) {
	c, ok := s.requireAdmin(w, r)
	if !ok {
		return
	}
	site := &store.Site{Name: r.PostFormValue("site-name"), Intro: r.PostFormValue("site-intro"), Contact: r.PostFormValue("site-contact")}
	if err := s.owners.SaveSite(r.Context(), site, c.Address); err != nil {
		s.actionFailed(w, r, "save site", err)
		return
	}
	http.Redirect(w, r, "/admin?done=site#notice", http.StatusSeeOther)
}

// adminAudit is the site-wide audit log: lists created and removed, site
// administrators named, site settings.
func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireAdmin(w, r); !ok {
		return
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	as, err := s.st.ListAudit(r.Context(), 0, before, auditPage+1)
	if err != nil {
		s.oops(w, r, "site audit", err)
		return
	}
	v := auditView{List: &store.List{Address: "the site"}, Before: before, Site: true}
	if len(as) > auditPage {
		as = as[:auditPage]
		v.Next = as[len(as)-1].ID
	}
	v.Entries = s.auditRows(r, nil, as)
	v.NextURL = "/admin/audit?" + url.Values{"before": {strconv.FormatInt(v.Next, 10)}}.Encode()
	s.Render(w, r, http.StatusOK, "audit", v)
}
