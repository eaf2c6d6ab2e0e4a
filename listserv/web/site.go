package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// The site's name, home-page introduction and contact address are set by
// site administrators; until then these built-in defaults show.
const (
	defaultSiteName  = "listserv"
	defaultSiteIntro = "Lists for people working on democracy across the UK. Join any of them: we email you a link to confirm, and you can leave with one click."
)

// SiteView is what every page knows about the site.
type SiteView struct {
	Name, Intro, Contact string
}

// Paragraphs is the introduction cut at blank lines.
func (v SiteView) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(v.Intro, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// siteView reads the site settings (one indexed query); a store failure
// is logged and the defaults shown, so an error page still renders.
func (s *Server) siteView(r *http.Request) SiteView {
	v := SiteView{Name: defaultSiteName, Intro: defaultSiteIntro}
	if r == nil {
		return v
	}
	st, err := s.st.GetSite(r.Context())
	if err != nil {
		s.log.Error("site settings", "err", err)
		return v
	}
	if st.Name != "" {
		v.Name = st.Name
	}
	if st.Intro != "" {
		v.Intro = st.Intro
	}
	v.Contact = st.Contact
	return v
}

// isSiteAdmin: address was named with `listserv admin add`.
func (s *Server) isSiteAdmin(ctx context.Context, address string) (bool, error) {
	_, err := s.st.GetSiteAdmin(ctx, address)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
