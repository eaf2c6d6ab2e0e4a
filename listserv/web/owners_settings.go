package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
)

// settingsView is the settings page: every setting `list set` and
// `moderation set` change, each with a one-line explanation.
type settingsView struct {
	List                    *store.List
	Title, Notice           string
	Digest                  *store.ListDigest
	Mod                     *store.ListModeration
	Policies, Archives      []choice
	ReplyTos                []choice
	Hours, Weekdays         []choice
	DigestHour, DigestDay   string
	LastDigest              string
	MaxSizeKB, MaxDigestKB  string
	NewMemberPosts, HoldDay string
}

var (
	policyChoices = []choice{
		{store.PolicyOpen, "Anyone can write to the list"},
		{store.PolicyMembers, "Members write freely; a moderator checks mail from anyone else"},
		{store.PolicyModerated, "A moderator checks every message before it goes out"},
		{store.PolicyAnnounce, "Only owners and moderators write; members receive"},
	}
	archiveChoices = []choice{
		{"public", "Anyone can read past messages on the web"},
		{"members", "Only members can read past messages"},
		{"off", "Past messages are not shown on the web"},
	}
	replyChoices = []choice{
		{"list", "Replies go to the whole list"},
		{"author", "Replies go to the person who wrote"},
	}
)

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) {
	l, _, _, ok := s.ownerList(w, r, ownerAccess)
	if !ok {
		return
	}
	notice := ""
	if r.URL.Query().Get("done") == "saved" {
		notice = "Saved. The changes apply to the next message."
		if n := r.URL.Query().Get("n"); n == "0" {
			notice = "Nothing was changed: the settings were already as sent."
		}
	}
	s.renderSettings(w, r, l, notice)
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, l *store.List, notice string) {
	ctx := r.Context()
	d, err := s.st.GetListDigest(ctx, l.ID)
	if err != nil {
		s.oops(w, r, "list digest", err)
		return
	}
	m, err := s.st.ModerationSettings(ctx, l.ID)
	if err != nil {
		s.oops(w, r, "moderation settings", err)
		return
	}
	v := settingsView{List: l, Title: l.Name, Notice: notice, Digest: d, Mod: m,
		Policies: policyChoices, Archives: archiveChoices, ReplyTos: replyChoices,
		DigestHour: strconv.Itoa(d.Hour), DigestDay: strings.ToLower(d.Weekday.String()),
		LastDigest: "No digest has gone out yet."}
	if v.Title == "" {
		v.Title = l.Address
	}
	if !d.LastSent.IsZero() {
		v.LastDigest = "The last digest went out on " + d.LastSent.UTC().Format("Monday 2 January 2006 at 15:04 UTC") + "."
	}
	for h := 0; h < 24; h++ {
		v.Hours = append(v.Hours, choice{strconv.Itoa(h), time.Date(2000, 1, 1, h, 0, 0, 0, time.UTC).Format("15:04")})
	}
	for d := time.Monday; ; d = (d + 1) % 7 {
		v.Weekdays = append(v.Weekdays, choice{strings.ToLower(d.String()), d.String()})
		if d == time.Sunday {
			break
		}
	}
	s.Render(w, r, http.StatusOK, "list_settings", v)
}

// settingFields are the form fields that map one to one onto UpdateList's
// keys.
var settingFields = []string{"name", "description", "policy", "archive", "subject-prefix", "reply-to",
	"max-size", "footer", "digest-hour", "digest-weekday", "digest-max-posts", "digest-max-bytes"}

func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request) {
	l, c, ok := s.ownerPost(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	set := map[string]string{}
	for _, k := range settingFields {
		if vs, ok := r.PostForm[k]; ok {
			set[k] = strings.TrimSpace(vs[0])
		}
	}
	mc, err := moderationChange(r, s.st, l.ID)
	if err != nil {
		s.actionFailed(w, r, "moderation form", err)
		return
	}
	// Check the moderation values before changing anything, so a bad one
	// does not leave the list settings half saved.
	if err := moderation.CheckChange(mc); err != nil {
		s.actionFailed(w, r, "moderation settings", err)
		return
	}
	changed, err := s.owners.UpdateList(ctx, l, set, c.Address)
	if err != nil {
		s.actionFailed(w, r, "save settings", err)
		return
	}
	n := len(changed)
	if mc != (moderation.Change{}) {
		if _, err := s.owners.UpdateModeration(ctx, l.ID, mc, c.Address); err != nil {
			s.actionFailed(w, r, "moderation settings", err)
			return
		}
		n++
	}
	s.log.Info("list settings", "list", l.Address, "by", c.Address, "changed", changed)
	http.Redirect(w, r, "/lists/"+l.ListID()+"/settings?done=saved&n="+strconv.Itoa(n)+"#notice", http.StatusSeeOther)
}

// moderationChange is the moderation fields that differ from the stored
// settings (nil pointers stay as they are).
func moderationChange(r *http.Request, st Store, listID int64) (moderation.Change, error) {
	var c moderation.Change
	cur, err := st.ModerationSettings(r.Context(), listID)
	if err != nil {
		return c, err
	}
	num := func(field, words string, now int, dst **int) error {
		v, ok := r.PostForm[field]
		if !ok {
			return nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(v[0]))
		if err != nil {
			return moderation.Invalid(words + " must be a whole number, not " + strconv.Quote(v[0]))
		}
		if n != now {
			*dst = &n
		}
		return nil
	}
	if err := num("new-member-posts", "Posts held from a new member", cur.NewMemberPosts, &c.NewMemberPosts); err != nil {
		return c, err
	}
	if err := num("max-recipients", "The most To and Cc addresses", cur.MaxRecipients, &c.MaxRecipients); err != nil {
		return c, err
	}
	if err := num("hold-days", "Days a held message waits", cur.HoldDays, &c.HoldDays); err != nil {
		return c, err
	}
	if v, ok := r.PostForm["accept-types"]; ok && strings.TrimSpace(v[0]) != cur.AcceptTypes {
		t := strings.TrimSpace(v[0])
		c.AcceptTypes = &t
	}
	return c, nil
}
