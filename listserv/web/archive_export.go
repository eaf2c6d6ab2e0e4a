package web

import (
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/demnet-uk/listserv/listserv/archive"
	"github.com/demnet-uk/listserv/listserv/store"
)

// archiveMbox streams the archive, or one month of it, as mboxrd. Pages
// of posts are read and written one after another: memory stays flat.
func (s *Server) archiveMbox(w http.ResponseWriter, r *http.Request) {
	l, ok := s.archiveList(w, r)
	if !ok {
		return
	}
	page := store.ArchivePage{ListID: l.ID}
	name := l.ListID()
	if _, ok := muxVar(r, "year"); ok {
		from, to, ok := monthOf(r)
		if !ok {
			s.Error(w, r, http.StatusNotFound, "No such month", "Months are written like 2026-01.")
			return
		}
		page.From, page.To = from, to
		name += "-" + from.Format("2006-01")
	}
	h := w.Header()
	h.Set("Content-Type", "application/mbox")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + ".mbox"}))
	h.Set("Cache-Control", "no-store")
	start := time.Now()
	n, err := archive.WriteMbox(r.Context(), s.st, page, w)
	if err != nil {
		// The status is sent; a cut-off download is all the client sees.
		s.log.Warn("mbox export", "list", l.Address, "posts", n, "err", err)
		return
	}
	s.log.Info("mbox export", "list", l.Address, "posts", n, "took", time.Since(start))
}

// archiveFeed is the Atom feed of a public archive's newest posts.
func (s *Server) archiveFeed(w http.ResponseWriter, r *http.Request) {
	l, ok := s.archiveList(w, r)
	if !ok {
		return
	}
	if !archive.HasFeed(l) {
		s.Error(w, r, http.StatusForbidden, "No feed", "Only public archives have a feed; this one is for members.")
		return
	}
	ps, err := s.st.ListArchivePosts(r.Context(), store.ArchivePage{ListID: l.ID, Desc: true, Raw: true, Limit: archive.FeedSize})
	if err != nil {
		s.oops(w, r, "archive feed", err)
		return
	}
	base := s.baseURL
	if base == "" {
		base = "http://" + r.Host
	}
	out, err := archive.Feed(l, base, ps)
	if err != nil {
		s.oops(w, r, "archive feed", fmt.Errorf("render: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(out))
}
