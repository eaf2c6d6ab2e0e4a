package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/store"
)

type memberView struct {
	List          *store.List
	M             *store.Member
	Row           memberRow
	Owner         bool
	Notice, Score string
	Joined        string
	Roles, Modes  []choice
}

var memberNotices = map[string]string{
	"changed": "Saved.",
	"same":    "Nothing was changed: the member already had these settings.",
	"enabled": "Delivery is on again and the bounce score is cleared.",
}

// listMember loads {id} as a member of l; another list's member is "not
// found", like an unknown id.
func (s *Server) listMember(w http.ResponseWriter, r *http.Request, l *store.List) (*store.Member, bool) {
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	m, err := s.st.GetMemberByID(r.Context(), id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.oops(w, r, "member", err)
		return nil, false
	}
	if err != nil || m.ListID != l.ID {
		s.Error(w, r, http.StatusNotFound, "Member not found", "This list has no such member. They may have left or been removed.")
		return nil, false
	}
	return m, true
}

func (s *Server) memberPage(w http.ResponseWriter, r *http.Request) {
	l, _, a, ok := s.ownerList(w, r, readAccess)
	if !ok {
		return
	}
	m, ok := s.listMember(w, r, l)
	if !ok {
		return
	}
	v := memberView{List: l, M: m, Row: makeMemberRow(m), Owner: a == ownerAccess, Roles: roleChoices, Modes: modeChoices,
		Notice: memberNotices[r.URL.Query().Get("done")], Score: fmt.Sprintf("%.1f", m.BounceScore),
		Joined: m.Created.UTC().Format("2 January 2006") + " (" + m.Source + ")"}
	s.Render(w, r, http.StatusOK, "list_member", v)
}

// changeMember changes a member's role, delivery or name, removes them or
// turns their delivery back on (the form's action).
func (s *Server) changeMember(w http.ResponseWriter, r *http.Request) {
	l, c, ok := s.ownerPost(w, r)
	if !ok {
		return
	}
	m, ok := s.listMember(w, r, l)
	if !ok {
		return
	}
	ctx := r.Context()
	self := "/lists/" + l.ListID() + "/members/" + strconv.FormatInt(m.ID, 10)
	switch r.PostFormValue("action") {
	case "change":
		role, mode, name := r.PostFormValue("role"), r.PostFormValue("mode"), r.PostFormValue("name")
		if role == m.Role && mode == m.Mode && name == m.Name {
			http.Redirect(w, r, self+"?done=same#notice", http.StatusSeeOther)
			return
		}
		if _, err := s.owners.SetMember(ctx, l, m.Address, admin.MemberChange{Role: &role, Mode: &mode, Name: &name}, c.Address); err != nil {
			s.actionFailed(w, r, "set member", err)
			return
		}
		http.Redirect(w, r, self+"?done=changed#notice", http.StatusSeeOther)
	case "remove":
		if _, err := s.owners.RemoveMember(ctx, l, m.Address, c.Address); err != nil {
			s.actionFailed(w, r, "remove member", err)
			return
		}
		http.Redirect(w, r, "/lists/"+l.ListID()+"/members?done=removed#notice", http.StatusSeeOther)
	case "enable":
		if _, err := s.owners.EnableMember(ctx, l, m.Address, c.Address); err != nil {
			s.actionFailed(w, r, "enable member", err)
			return
		}
		http.Redirect(w, r, self+"?done=enabled#notice", http.StatusSeeOther)
	default:
		s.Error(w, r, http.StatusBadRequest, "Unknown action", "This form asked for something the page does not do.")
	}
}
