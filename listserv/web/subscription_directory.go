package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/subscribe"
)

const directoryPage = 50

type orgView struct {
	Name, Website, Region, Focus string
}

// directory lists organisations whose members opted in on /me, by name,
// filtered by region and focus. Addresses are never shown.
func (h *subs) directory(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.DirectoryFilter{Region: q.Get("region"), Focus: q.Get("focus")}
	if subscribe.Label(subscribe.Regions, f.Region) == "" {
		f.Region = ""
	}
	if subscribe.Label(subscribe.Focuses, f.Focus) == "" {
		f.Focus = ""
	}
	var after *store.Person
	if id, err := strconv.ParseInt(q.Get("after"), 10, 64); err == nil && id > 0 {
		after = &store.Person{ID: id, OrgName: q.Get("from")}
	}
	ps, err := h.st.Directory(r.Context(), f, after, directoryPage+1)
	if err != nil {
		h.oops(w, r, "directory", err)
		return
	}
	next := ""
	if len(ps) > directoryPage {
		ps = ps[:directoryPage]
		last := ps[len(ps)-1]
		v := url.Values{"region": {f.Region}, "focus": {f.Focus}, "after": {strconv.FormatInt(last.ID, 10)}, "from": {last.OrgName}}
		next = "/directory?" + v.Encode()
	}
	orgs := make([]orgView, len(ps))
	for i, p := range ps {
		orgs[i] = orgView{Name: p.OrgName, Website: p.OrgWebsite, Region: subscribe.Label(subscribe.Regions, p.OrgRegion),
			Focus: subscribe.Label(subscribe.Focuses, p.OrgFocus)}
	}
	h.Render(w, r, http.StatusOK, "directory", map[string]any{"Orgs": orgs, "Filter": f, "Next": next, "Paged": after != nil,
		"Regions": subscribe.Regions, "Focuses": subscribe.Focuses})
}
