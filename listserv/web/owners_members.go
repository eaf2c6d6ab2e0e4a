package web

import (
	"bufio"
	"errors"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/subscribe"
)

// The members page costs the same at 100 and 100,000 members: one keyset
// page from an index (by address, then by name when searching), and the
// counts from one scan of the (list_id, mode, status) index.

const (
	membersPage = 50
	// maxAddOnce bounds one "add members" form; larger lists go through
	// `listserv member import`.
	maxAddOnce = 1000
)

var modeWords = map[string]string{
	store.ModeEach: "Every message", store.ModeDigest: "Digest", store.ModeNoMail: "No mail",
}

var statusWords = map[string]string{
	store.StatusEnabled: "Receiving", store.StatusDisabledBounces: "Stopped: mail to them bounced",
}

type countRow struct {
	Mode              string
	Enabled, Disabled int64
}

type memberRow struct {
	ID                                int64
	Address, Name, Role, Mode, Status string
	Disabled                          bool
}

type membersView struct {
	List             *store.List
	Title, Notice, Q string
	Owner            bool
	Total            int64
	Counts           []countRow
	Members          []memberRow
	Next, First      string
	Roles, Modes     []choice
	Searching        bool
}

var (
	roleChoices = []choice{{store.RoleMember, "Member"}, {store.RoleModerator, "Moderator"}, {store.RoleOwner, "Owner"}}
	modeChoices = []choice{{store.ModeEach, "Every message"}, {store.ModeDigest, "Digest"}, {store.ModeNoMail, "No mail"}}
)

var membersNotices = map[string]string{
	"removed": "The member was removed. Their departure is recorded as consent evidence.",
}

func (s *Server) membersPage(w http.ResponseWriter, r *http.Request) {
	l, _, a, ok := s.ownerList(w, r, readAccess)
	if !ok {
		return
	}
	ctx, q := r.Context(), r.URL.Query()
	v := membersView{List: l, Title: l.Name, Owner: a == ownerAccess, Roles: roleChoices, Modes: modeChoices,
		Q: strings.TrimSpace(q.Get("q"))}
	if v.Title == "" {
		v.Title = l.Address
	}
	v.Notice = membersNotices[q.Get("done")]
	if q.Get("done") == "added" {
		v.Notice = "Added " + q.Get("n") + "; " + q.Get("k") + " were members already."
	}
	if q.Get("done") == "invited" {
		v.Notice = "Invitations sent: " + q.Get("n") + ". Skipped (already members or already invited): " + q.Get("k") + "."
	}
	counts, err := s.st.CountMemberModes(ctx, l.ID)
	if err != nil {
		s.oops(w, r, "member counts", err)
		return
	}
	v.Total, v.Counts = countRows(counts)
	rows, next, err := s.memberPageRows(r, l.ID, v.Q)
	if err != nil {
		s.oops(w, r, "members", err)
		return
	}
	v.Members, v.Searching = rows, v.Q != ""
	if next != nil {
		next.Set("q", v.Q)
		v.Next = listPath(l, "members", next)
	}
	if q.Get("after") != "" || q.Get("by") != "" {
		v.First = listPath(l, "members", url.Values{"q": {v.Q}})
	}
	s.Render(w, r, http.StatusOK, "list_members", v)
}

func countRows(cs []*store.ModeCount) (int64, []countRow) {
	byMode := map[string]*countRow{}
	var total int64
	for _, c := range cs {
		row := byMode[c.Mode]
		if row == nil {
			row = &countRow{Mode: modeWords[c.Mode]}
			if row.Mode == "" {
				row.Mode = c.Mode
			}
			byMode[c.Mode] = row
		}
		if c.Status == store.StatusEnabled {
			row.Enabled += c.N
		} else {
			row.Disabled += c.N
		}
		total += c.N
	}
	var out []countRow
	for _, m := range []string{store.ModeEach, store.ModeDigest, store.ModeNoMail} {
		if row := byMode[m]; row != nil {
			out = append(out, *row)
		}
	}
	return total, out
}

// memberPageRows reads one page and the query of the next (nil: none).
// Without a search it pages by address; with one it pages through the
// address matches, then through the name matches.
func (s *Server) memberPageRows(r *http.Request, listID int64, search string) ([]memberRow, url.Values, error) {
	q := r.URL.Query()
	mq := store.MemberQuery{Prefix: strings.ToLower(search), Limit: membersPage + 1, AfterKey: q.Get("after")}
	if q.Get("by") == "name" && search != "" {
		mq.ByName, mq.AfterKey = true, q.Get("an")
		mq.AfterID, _ = strconv.ParseInt(q.Get("ai"), 10, 64)
	}
	ms, err := s.st.SearchMembers(r.Context(), listID, mq)
	if err != nil {
		return nil, nil, err
	}
	var next url.Values
	if len(ms) > membersPage {
		ms = ms[:membersPage]
		last := ms[len(ms)-1]
		if mq.ByName {
			next = url.Values{"by": {"name"}, "an": {strings.ToLower(last.Name)}, "ai": {strconv.FormatInt(last.ID, 10)}}
		} else {
			next = url.Values{"after": {store.NormalizeAddress(last.Address)}}
		}
	}
	if !mq.ByName && search != "" && len(ms) < membersPage {
		// The address matches are done: fill the page from the names.
		more, err := s.st.SearchMembers(r.Context(), listID, store.MemberQuery{Prefix: mq.Prefix, ByName: true,
			Limit: membersPage - len(ms) + 1})
		if err != nil {
			return nil, nil, err
		}
		if len(more) > membersPage-len(ms) {
			more = more[:membersPage-len(ms)]
			last := more[len(more)-1]
			next = url.Values{"by": {"name"}, "an": {strings.ToLower(last.Name)}, "ai": {strconv.FormatInt(last.ID, 10)}}
		}
		ms = append(ms, more...)
	}
	rows := make([]memberRow, 0, len(ms))
	for _, m := range ms {
		rows = append(rows, makeMemberRow(m))
	}
	return rows, next, nil
}

func makeMemberRow(m *store.Member) memberRow {
	row := memberRow{ID: m.ID, Address: m.Address, Name: m.Name, Role: m.Role, Mode: modeWords[m.Mode],
		Status: statusWords[m.Status], Disabled: m.Status == store.StatusDisabledBounces}
	if row.Status == "" {
		row.Status = m.Status
	}
	return row
}

// addMembers adds the addresses typed (one a line, "Name <address>" or
// a bare address) at once, or invites each of them to confirm.
func (s *Server) addMembers(w http.ResponseWriter, r *http.Request) {
	l, c, ok := s.ownerPost(w, r)
	if !ok {
		return
	}
	ms, err := parseAddresses(r.PostFormValue("addresses"))
	if err != nil {
		s.Error(w, r, http.StatusUnprocessableEntity, "Nobody was added", err.Error()+" Go back, correct it and try again.")
		return
	}
	ctx := r.Context()
	if r.PostFormValue("how") == "invite" {
		addrs := make([]string, len(ms))
		for i, m := range ms {
			addrs[i] = m.Address
		}
		sent, err := s.subs.InviteMany(ctx, l, addrs, c.Address)
		if err != nil {
			s.actionFailed(w, r, "invite", err)
			return
		}
		http.Redirect(w, r, listPath(l, "members", url.Values{"done": {"invited"}, "n": {strconv.Itoa(sent)},
			"k": {strconv.Itoa(len(addrs) - sent)}})+"#notice", http.StatusSeeOther)
		return
	}
	for i := range ms {
		ms[i].Role, ms[i].Mode, ms[i].Source = r.PostFormValue("role"), r.PostFormValue("mode"), "owner"
	}
	added, skipped, err := s.owners.AddMembers(ctx, l, ms, c.Address)
	if err != nil {
		s.actionFailed(w, r, "add members", err)
		return
	}
	http.Redirect(w, r, listPath(l, "members", url.Values{"done": {"added"}, "n": {strconv.Itoa(added)},
		"k": {strconv.Itoa(skipped)}})+"#notice", http.StatusSeeOther)
}

// parseAddresses reads one address a line, with or without a name.
func parseAddresses(text string) ([]store.NewMember, error) {
	var out []store.NewMember
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		as, err := mail.ParseAddressList(line)
		if err != nil {
			return nil, errors.New("Line " + strconv.Itoa(n) + ", \"" + clipText(line) + "\", is not an email address.")
		}
		for _, a := range as {
			out = append(out, store.NewMember{Address: a.Address, Name: a.Name})
		}
	}
	if len(out) == 0 || len(out) > maxAddOnce {
		return nil, errors.New("Enter between 1 and " + strconv.Itoa(maxAddOnce) + " email addresses, one a line; for more, use listserv member import.")
	}
	return out, nil
}

func clipText(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}

// exportMembers streams the members as CSV (owners only: it is personal
// data), paging by id so any size streams in constant memory.
func (s *Server) exportMembers(w http.ResponseWriter, r *http.Request) {
	l, c, _, ok := s.ownerList(w, r, ownerAccess)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+l.LocalPart()+`-members.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	n, err := subscribe.ExportCSV(r.Context(), s.st, l.ID, w)
	if err != nil {
		s.log.Error("export members", "list", l.Address, "err", err)
		return
	}
	s.log.Info("members exported", "list", l.Address, "by", c.Address, "rows", n)
}
