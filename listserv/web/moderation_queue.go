package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
)

// modPage is how many items one queue page shows (and one bulk action
// takes at most).
const modPage = 25

type modQueueView struct {
	Items   []modRow
	After   int64 // this page started after this id (0: the first page)
	Next    int64 // id to continue after, 0 when this is the last page
	Results []modResult
	Lists   []modListPref
	Reasons []string
	Error   string
}

// modListPref is the caller's notice preference on one list they moderate.
type modListPref struct {
	ID            int64
	Address       string
	Daily         bool
	Field, Legend string
	AuditPath     string // set for lists the caller owns
}

// modQueue shows one page of the caller's queue (keyset by id).
func (s *Server) modQueue(w http.ResponseWriter, r *http.Request) {
	c, ok := s.requireCaller(w, r)
	if !ok {
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	s.renderQueue(w, r, c, after, s.modFlash(r.Context(), r, c), http.StatusOK)
}

func (s *Server) renderQueue(w http.ResponseWriter, r *http.Request, c *Caller, after int64, results []modResult, status int) {
	lists := c.ModeratedLists()
	if len(lists) == 0 {
		s.Error(w, r, http.StatusForbidden, "You do not moderate any list",
			"Only a list's moderators and owners see its queue. Ask a list owner if you should be one.")
		return
	}
	items, err := s.st.ListQueue(r.Context(), lists, after, modPage+1)
	if err != nil {
		s.modFail(w, r, "queue", err)
		return
	}
	v := modQueueView{After: after, Results: results, Reasons: moderation.CannedReasons}
	if len(items) > modPage {
		items = items[:modPage]
		v.Next = items[len(items)-1].ID
	}
	now := time.Now()
	for _, it := range items {
		v.Items = append(v.Items, modMakeRow(&it.Held, it.Deferred, now))
	}
	if v.Lists, err = s.modPrefs(r, c, lists); err != nil {
		s.modFail(w, r, "moderator prefs", err)
		return
	}
	s.Render(w, r, status, "moderate", v)
}

func (s *Server) modPrefs(r *http.Request, c *Caller, lists []int64) ([]modListPref, error) {
	var out []modListPref
	for _, id := range lists {
		l, err := s.st.GetListByID(r.Context(), id)
		if err != nil {
			return nil, err
		}
		staff, err := s.st.ListStaff(r.Context(), id)
		if err != nil {
			return nil, err
		}
		p := modListPref{ID: id, Address: l.Address, Field: "notify-" + strconv.FormatInt(id, 10),
			Legend: "Email about " + l.Address}
		if c.IsOwner(id) {
			p.AuditPath = "/lists/" + l.ListID() + "/audit"
		}
		for _, st := range staff {
			if store.NormalizeAddress(st.Address) == c.Address {
				p.Daily = st.Notify == store.NotifyDaily
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// modBulk acts on the selected items of a queue page at once, then
// redirects to the queue showing what happened.
func (s *Server) modBulk(w http.ResponseWriter, r *http.Request) {
	c, ok := s.requireCaller(w, r)
	if !ok {
		return
	}
	if !s.CheckCSRF(r) {
		s.FormExpired(w, r)
		return
	}
	act, ok := moderation.ParseAction(r.PostFormValue("action"))
	if !ok || act == moderation.ApproveAlways || act == moderation.Ban {
		s.renderQueue(w, r, c, 0, []modResult{{Message: "Choose what to do with the selected items."}}, http.StatusUnprocessableEntity)
		return
	}
	ids := r.PostForm["id"]
	if len(ids) == 0 {
		s.renderQueue(w, r, c, 0, []modResult{{Message: "Select at least one item first."}}, http.StatusUnprocessableEntity)
		return
	}
	if len(ids) > modPage {
		ids = ids[:modPage]
	}
	var outs []modOutcome
	for _, v := range ids {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			continue
		}
		outs = append(outs, s.modDo(r, c, id, act, modReason(r)))
	}
	http.Redirect(w, r, s.modFlashURL(r, outs), http.StatusSeeOther)
}

// modNotify saves the caller's notice preference per list they moderate.
func (s *Server) modNotify(w http.ResponseWriter, r *http.Request) {
	c, ok := s.requireCaller(w, r)
	if !ok {
		return
	}
	if !s.CheckCSRF(r) {
		s.FormExpired(w, r)
		return
	}
	saved := false
	for _, id := range c.ModeratedLists() {
		n := r.PostFormValue("notify-" + strconv.FormatInt(id, 10))
		if moderation.CheckNotify(n) != nil {
			continue
		}
		if err := s.mod.SetNotify(r.Context(), id, c.Address, n); err != nil {
			s.modFail(w, r, "set notify", err)
			return
		}
		saved = true
	}
	done := "prefs"
	if !saved {
		done = "unchanged"
	}
	http.Redirect(w, r, "/moderate?done="+done+"#results", http.StatusSeeOther)
}
