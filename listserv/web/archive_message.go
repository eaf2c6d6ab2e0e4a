package web

import (
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/archive"
	"github.com/demnet-uk/listserv/listserv/store"
)

type fileRow struct {
	URL, Name, Type, Size string
}

type archiveMessageView struct {
	Title, Base, URL, Raw, Thread, Switch, SwitchLabel, ImagesURL string
	When, Author                                                  string
	Post                                                          *archive.Post
	Body                                                          bodyView
	Files                                                         []fileRow
	ImagesAsLinks                                                 bool
}

// bodyView is a post's body for the archive_body template.
type bodyView struct {
	Blocks []archive.Block
	HTML   template.HTML
	Broken bool
}

func bodyOf(p *archive.Post) bodyView {
	// p.HTML comes out of the archive's bluemonday policy (archive.Sanitize).
	return bodyView{Blocks: p.Blocks, HTML: template.HTML(p.HTML), Broken: p.Broken}
}

func fileRows(u string, post *archive.Post) []fileRow {
	var out []fileRow
	for _, f := range post.Files {
		name := f.Name
		if name == "" {
			name = "part " + strconv.Itoa(f.Index)
		}
		out = append(out, fileRow{URL: fmt.Sprintf("%s/part/%d", u, f.Index), Name: name, Type: f.Type, Size: size(f.Size)})
	}
	return out
}

// archivePost resolves {uid}; a UID moved by an erasure redirects to its
// new one (suffix keeps /raw or /part/N), a missing one is a 404.
func (s *Server) archivePost(w http.ResponseWriter, r *http.Request, l *store.List, suffix string) (*store.ArchivePost, bool) {
	ctx := r.Context()
	uid, _ := strconv.ParseInt(mux.Vars(r)["uid"], 10, 64)
	p, err := s.st.GetArchivedPost(ctx, l.ID, uid)
	if err == nil {
		return p, true
	}
	if !errors.Is(err, store.ErrNotFound) {
		s.oops(w, r, "archived post", err)
		return nil, false
	}
	if moved, err := s.st.FindMovedUID(ctx, l.ID, uid); err == nil && moved > 0 {
		http.Redirect(w, r, postURL(l, moved)+suffix, http.StatusMovedPermanently)
		return nil, false
	}
	s.Error(w, r, http.StatusNotFound, "Message not found", "There is no message at this address in the archive.")
	return nil, false
}

// readOptions point inline images at the post's parts.
func readOptions(l *store.List, p *store.ArchivePost, html, links bool) archive.ReadOptions {
	parts := map[string]int{}
	for _, part := range archive.ReadBody(p.Raw).Parts {
		if part.ContentID != "" {
			parts[part.ContentID] = part.Index
		}
	}
	return archive.ReadOptions{PreferHTML: html, Images: archive.Images{AsLinks: links, PartURL: func(cid string) string {
		if n, ok := parts[cid]; ok {
			return fmt.Sprintf("%s/part/%d", postURL(l, p.UID), n)
		}
		return ""
	}}}
}

// archiveMessage shows one post: headers, text with quotes folded (or the
// sanitised HTML), attachments, and links to the raw post and thread.
func (s *Server) archiveMessage(w http.ResponseWriter, r *http.Request) {
	l, ok := s.archiveList(w, r)
	if !ok {
		return
	}
	p, ok := s.archivePost(w, r, l, "")
	if !ok {
		return
	}
	q := r.URL.Query()
	html, links := q.Get("view") == "html", q.Get("images") == "links"
	post := archive.Read(p, readOptions(l, p, html, links))
	u := postURL(l, p.UID)
	v := archiveMessageView{Title: subjectOr(post.Subject), Base: archiveBase(l), URL: u, Raw: u + "/raw",
		When: dayTime(post.Date), Author: post.From, Post: post, Body: bodyOf(post), Files: fileRows(u, post), ImagesAsLinks: links}
	if p.ThreadID != 0 {
		v.Thread = fmt.Sprintf("/lists/%s/t/%d#m%d", l.ListID(), p.ThreadID, p.UID)
	}
	if post.HasHTML {
		v.Switch, v.SwitchLabel = u+"?view=html", "Show the formatted (HTML) version"
		if html {
			v.Switch, v.SwitchLabel = u, "Show the plain-text version"
		}
	}
	if post.Remote > 0 && !links {
		v.ImagesURL = u + "?view=html&images=links"
	}
	s.Render(w, r, http.StatusOK, "archive_message", v)
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// archiveRaw sends the post's bytes as stored.
func (s *Server) archiveRaw(w http.ResponseWriter, r *http.Request) {
	l, ok := s.archiveList(w, r)
	if !ok {
		return
	}
	p, ok := s.archivePost(w, r, l, "/raw")
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(p.Raw)
}

// inlineTypes may be shown in the page (they cannot run anything);
// every other part is a download.
var inlineTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// archivePart sends one decoded MIME part.
func (s *Server) archivePart(w http.ResponseWriter, r *http.Request) {
	l, ok := s.archiveList(w, r)
	if !ok {
		return
	}
	n, _ := strconv.Atoi(mux.Vars(r)["part"])
	p, ok := s.archivePost(w, r, l, "/part/"+strconv.Itoa(n))
	if !ok {
		return
	}
	part, data, found := archive.OpenPart(p.Raw, n)
	if !found {
		s.Error(w, r, http.StatusNotFound, "Attachment not found", "This message has no such attachment.")
		return
	}
	name := part.Name
	if name == "" {
		name = fmt.Sprintf("part-%d", n)
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	// sandbox: even if a browser rendered the part, nothing in it runs.
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	if inlineTypes[part.Type] {
		h.Set("Content-Type", part.Type)
		h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	} else {
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	w.Write(data)
}

// archiveByMessageID is the permalink by Message-ID.
func (s *Server) archiveByMessageID(w http.ResponseWriter, r *http.Request) {
	l, ok := s.archiveList(w, r)
	if !ok {
		return
	}
	mid, err := url.PathUnescape(mux.Vars(r)["mid"])
	if err != nil {
		mid = mux.Vars(r)["mid"]
	}
	uid, err := s.st.FindArchiveUID(r.Context(), l.ID, strings.Trim(mid, "<>"))
	if errors.Is(err, store.ErrNotFound) {
		s.Error(w, r, http.StatusNotFound, "Message not found", "No message with this Message-ID is in the archive.")
		return
	}
	if err != nil {
		s.oops(w, r, "archive by message-id", err)
		return
	}
	http.Redirect(w, r, postURL(l, uid), http.StatusSeeOther)
}
