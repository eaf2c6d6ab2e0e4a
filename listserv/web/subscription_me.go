package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/digest"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/subscribe"
)

type membershipView struct {
	MemberID                     int64
	ListID, Title, Address, Role string
	Choice, Until, Unsubscribe   string
	OwnPosts, IsOwner            bool
	Digest                       store.DigestSettings // hour, weekday, zone, format
	NextDigest                   string               // "next digest: Monday 7 December, 07:00"
}

// digestHours and digestDays fill the digest time choices on /me.
var (
	digestHours = func() []int {
		h := make([]int, 24)
		for i := range h {
			h[i] = i
		}
		return h
	}()
	digestDays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
)

type meView struct {
	Address     string
	Notice      string
	Error       string
	Memberships []membershipView
	Others      []listRow
	Person      *store.Person
	Regions     []subscribe.Option
	Focuses     []subscribe.Option
	Sections    []sectionView
	Today       string
	Hours       []int
	Days        []time.Weekday
	Formats     []string
}

type sectionView struct {
	subscribe.Option
	On bool
}

// Notices after a form on /me, keyed by ?done=.
var meNotices = map[string]string{
	"delivery":   "Saved: how you get %s.",
	"left":       "You have left %s. We have sent a confirmation by email.",
	"joined":     "You have joined %s. A welcome message is on its way.",
	"held":       "Thank you. The owners of %s approve new members; you will get a welcome message once they have.",
	"already":    "You are already on %s.",
	"newsletter": "Saved: your newsletter choices.",
	"profile":    "Saved: your profile.",
	"address":    "We have sent a link to your new address. Your subscriptions move when you open it.",
}

// me is the preference page. Without a session it offers an emailed
// sign-in link, so nobody needs an old message to reach it.
func (h *subs) me(w http.ResponseWriter, r *http.Request) {
	c := CallerOf(r)
	if c == nil {
		h.Render(w, r, http.StatusOK, "me_signin", loginView{CSRF: h.CSRFToken(w, r), Next: "/me"})
		return
	}
	v, err := h.meView(r, c)
	if err != nil {
		h.oops(w, r, "me", err)
		return
	}
	h.Render(w, r, http.StatusOK, "me", v)
}

func (h *subs) meView(r *http.Request, c *Caller) (*meView, error) {
	ctx := r.Context()
	v := &meView{Address: c.Address, Regions: subscribe.Regions, Focuses: subscribe.Focuses, Today: time.Now().UTC().Format("2006-01-02"),
		Hours: digestHours, Days: digestDays, Formats: digest.Formats}
	sums, err := h.st.ListSummaries(ctx, 0, time.Now().Add(-activityWindow))
	if err != nil {
		return nil, err
	}
	byID := map[int64]*store.ListSummary{}
	for _, s := range sums {
		byID[s.List.ID] = s
	}
	mine := map[int64]bool{}
	for _, m := range c.Memberships {
		s := byID[m.ListID]
		if s == nil {
			continue
		}
		p, err := h.st.GetMemberPrefs(ctx, m.ID)
		if err != nil {
			return nil, err
		}
		mv := membershipView{MemberID: m.ID, ListID: s.List.ListID(), Title: subscribe.ListTitle(s.List), Address: s.List.Address,
			Role: m.Role, Choice: subscribe.Choice(m, p), OwnPosts: p.OwnPosts, IsOwner: m.Role == store.RoleOwner,
			Unsubscribe: "/u/" + h.tokens.Unsubscribe(m.ID)}
		if !p.NoMailUntil.IsZero() {
			mv.Until = p.NoMailUntil.UTC().Format("2006-01-02")
		}
		ds, err := h.st.GetDigestState(ctx, m.ID)
		if err != nil {
			return nil, err
		}
		mv.Digest, mv.NextDigest = ds.DigestSettings, digest.NextText(ds, time.Now())
		v.Memberships = append(v.Memberships, mv)
		mine[m.ListID] = true
	}
	for _, s := range sums {
		if !mine[s.List.ID] && s.Access.Visibility == store.VisibilityPublic && s.Access.Join != store.JoinInvite {
			v.Others = append(v.Others, summaryRow(s, time.Now()))
		}
	}
	if v.Person, err = h.e.Profile(ctx, c.Address); err != nil {
		return nil, err
	}
	if v.Person.Newsletter, err = h.newsletterChecked(ctx, c, v.Person.Newsletter); err != nil {
		return nil, err
	}
	for _, o := range subscribe.Sections {
		on := false
		for _, s := range v.Person.Sections {
			on = on || s == o.Value
		}
		v.Sections = append(v.Sections, sectionView{o, on})
	}
	if msg, ok := meNotices[r.URL.Query().Get("done")]; ok {
		name := "the list"
		if l, err := listByID(ctx, h.st, r.URL.Query().Get("list")); err == nil {
			name = subscribe.ListTitle(l)
		}
		v.Notice = sprintf(msg, name)
	}
	return v, nil
}

// membership resolves {member} to one of the caller's own memberships.
func (h *subs) membership(w http.ResponseWriter, r *http.Request) (*Caller, *store.Member, bool) {
	c, ok := h.signedInPost(w, r)
	if !ok {
		return nil, nil, false
	}
	id, _ := strconv.ParseInt(mux.Vars(r)["member"], 10, 64)
	for _, m := range c.Memberships {
		if m.ID == id {
			return c, m, true
		}
	}
	h.Error(w, r, http.StatusNotFound, "Not one of your subscriptions", "This subscription does not exist or belongs to another address.")
	return nil, nil, false
}

func (h *subs) listIDOf(r *http.Request, id int64) string {
	if l, err := h.st.GetListByID(r.Context(), id); err == nil {
		return l.ListID()
	}
	return ""
}

func (h *subs) saveDelivery(w http.ResponseWriter, r *http.Request) {
	c, m, ok := h.membership(w, r)
	if !ok {
		return
	}
	var until time.Time
	if s := r.PostFormValue("until"); s != "" && r.PostFormValue("delivery") == subscribe.DeliverNoMail {
		t, err := time.Parse("2006-01-02", s)
		if err != nil || !t.After(time.Now()) {
			h.meError(w, r, c, "Enter a date in the future for \"No mail until\", or leave it empty.")
			return
		}
		until = t
	}
	if r.PostFormValue("digest_hour") != "" && !h.saveDigestSettings(w, r, c, m) {
		return
	}
	err := h.e.SetDelivery(r.Context(), m, r.PostFormValue("delivery"), until, r.PostFormValue("own_posts") == "on")
	if errors.Is(err, subscribe.ErrBadChoice) {
		h.meError(w, r, c, "Choose how you want to get the list's mail.")
		return
	}
	if err != nil {
		h.oops(w, r, "delivery", err)
		return
	}
	back(w, r, "delivery", h.listIDOf(r, m.ListID))
}

// saveDigestSettings saves the digest hour, weekday, zone and format
// sent with the delivery form; false when it answered with an error.
func (h *subs) saveDigestSettings(w http.ResponseWriter, r *http.Request, c *Caller, m *store.Member) bool {
	hour, herr := strconv.Atoi(r.PostFormValue("digest_hour"))
	day, derr := strconv.Atoi(r.PostFormValue("digest_day"))
	ds := store.DigestSettings{MemberID: m.ID, Hour: hour, Weekday: time.Weekday(day),
		Zone: strings.TrimSpace(r.PostFormValue("digest_zone")), Format: r.PostFormValue("digest_format")}
	err := errors.Join(herr, derr)
	if err == nil {
		err = h.digest.SaveSettings(r.Context(), ds)
	}
	if errors.Is(err, digest.ErrBadSchedule) || herr != nil || derr != nil {
		h.meError(w, r, c, "Choose an hour, a day and a time zone such as Europe/London for your digest.")
		return false
	}
	if err != nil {
		h.oops(w, r, "digest settings", err)
		return false
	}
	return true
}

// meError shows /me again with a message about the form that failed.
func (h *subs) meError(w http.ResponseWriter, r *http.Request, c *Caller, msg string) {
	v, err := h.meView(r, c)
	if err != nil {
		h.oops(w, r, "me", err)
		return
	}
	v.Error = msg
	h.Render(w, r, http.StatusUnprocessableEntity, "me", v)
}

func (h *subs) leave(w http.ResponseWriter, r *http.Request) {
	_, m, ok := h.membership(w, r)
	if !ok {
		return
	}
	l, err := h.e.Leave(r.Context(), m, "web", clientIP(r))
	if err != nil {
		h.oops(w, r, "leave", err)
		return
	}
	back(w, r, "left", l.ListID())
}

func (h *subs) joinSignedIn(w http.ResponseWriter, r *http.Request) {
	c, ok := h.signedInPost(w, r)
	if !ok {
		return
	}
	l, ok := h.list(w, r)
	if !ok {
		return
	}
	res, err := h.e.JoinSignedIn(r.Context(), l, c.Address, clientIP(r))
	switch {
	case errors.Is(err, subscribe.ErrInviteOnly):
		h.Error(w, r, http.StatusForbidden, "By invitation only", "This list's owners invite new members. Ask them at "+l.SubAddress("owner")+".")
	case err != nil:
		h.oops(w, r, "join", err)
	case res.Held:
		back(w, r, "held", l.ListID())
	case res.Already:
		back(w, r, "already", l.ListID())
	default:
		back(w, r, "joined", l.ListID())
	}
}
