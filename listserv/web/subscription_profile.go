package web

import (
	"errors"
	"net/http"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/subscribe"
)

// saveNewsletter keeps the weekly newsletter choice, its sections and the
// mail format. (The newsletter will be a list of its own kind; until it
// exists the choice is kept on the person.)
func (h *subs) saveNewsletter(w http.ResponseWriter, r *http.Request) {
	c, ok := h.signedInPost(w, r)
	if !ok {
		return
	}
	p, err := h.e.Profile(r.Context(), c.Address)
	if err != nil {
		h.oops(w, r, "profile", err)
		return
	}
	r.ParseForm()
	p.Newsletter = r.PostForm.Get("newsletter") == "on"
	p.Sections = r.PostForm["section"]
	p.Format = r.PostForm.Get("format")
	if msg, err := h.syncNewsletter(r, c, p.Newsletter); err != nil || msg != "" {
		if err != nil {
			h.oops(w, r, "newsletter membership", err)
		} else {
			h.meError(w, r, c, msg)
		}
		return
	}
	h.saveAndBack(w, r, c, p, "newsletter")
}

func (h *subs) saveProfile(w http.ResponseWriter, r *http.Request) {
	c, ok := h.signedInPost(w, r)
	if !ok {
		return
	}
	p, err := h.e.Profile(r.Context(), c.Address)
	if err != nil {
		h.oops(w, r, "profile", err)
		return
	}
	p.Name, p.OrgName, p.OrgWebsite = r.PostFormValue("name"), r.PostFormValue("org_name"), r.PostFormValue("org_website")
	p.OrgRegion, p.OrgFocus = r.PostFormValue("org_region"), r.PostFormValue("org_focus")
	p.InDirectory = r.PostFormValue("in_directory") == "on"
	if p.InDirectory && p.OrgName == "" {
		h.meError(w, r, c, "To appear in the directory, give your organisation's name.")
		return
	}
	h.saveAndBack(w, r, c, p, "profile")
}

func (h *subs) saveAndBack(w http.ResponseWriter, r *http.Request, c *Caller, p *store.Person, done string) {
	var bad *subscribe.ErrInvalidProfile
	err := h.e.SaveProfile(r.Context(), p)
	if errors.As(err, &bad) {
		h.meError(w, r, c, bad.Msg)
		return
	}
	if err != nil {
		h.oops(w, r, "save profile", err)
		return
	}
	back(w, r, done, "")
}

// changeAddress mails a link to the new address; nothing moves before it
// is opened there.
func (h *subs) changeAddress(w http.ResponseWriter, r *http.Request) {
	c, ok := h.signedInPost(w, r)
	if !ok {
		return
	}
	to, err := admin.CheckAddress(r.PostFormValue("new_address"))
	if err != nil {
		h.meError(w, r, c, "Enter the new email address, like name@example.org.")
		return
	}
	if err := h.e.RequestAddressChange(r.Context(), c.Address, to, clientIP(r)); err != nil {
		h.oops(w, r, "change address", err)
		return
	}
	back(w, r, "address", "")
}
