package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/archive"
	"github.com/demnet-uk/listserv/listserv/store"
)

// archiveRoutes registers the web archive. Every handler starts with
// archiveList, which enforces the list's archive visibility, so pages,
// raw posts, attachments, exports and the feed are refused alike.
func (s *Server) archiveRoutes(r *mux.Router) {
	get := http.MethodGet
	r.HandleFunc("/lists/{list}/archive", s.archiveIndex).Methods(get)
	r.HandleFunc("/lists/{list}/archive.mbox", s.archiveMbox).Methods(get)
	r.HandleFunc("/lists/{list}/archive/threads", s.archiveThreads).Methods(get)
	r.HandleFunc("/lists/{list}/archive/search", s.archiveSearch).Methods(get)
	r.HandleFunc("/lists/{list}/archive/feed.atom", s.archiveFeed).Methods(get)
	r.HandleFunc("/lists/{list}/archive/{year:[0-9]{4}}-{month:[0-9]{2}}", s.archiveMonth).Methods(get)
	r.HandleFunc("/lists/{list}/archive/{year:[0-9]{4}}-{month:[0-9]{2}}.mbox", s.archiveMbox).Methods(get)
	r.HandleFunc("/lists/{list}/t/{thread:[0-9]+}", s.archiveThread).Methods(get)
	r.HandleFunc("/lists/{list}/m/{uid:[0-9]+}", s.archiveMessage).Methods(get)
	r.HandleFunc("/lists/{list}/m/{uid:[0-9]+}/raw", s.archiveRaw).Methods(get)
	r.HandleFunc("/lists/{list}/m/{uid:[0-9]+}/part/{part:[0-9]+}", s.archivePart).Methods(get)
	r.HandleFunc("/lists/{list}/message-id/{mid:.+}", s.archiveByMessageID).Methods(get)
}

// archiveList resolves {list} and checks that the caller may read its
// archive; ok false means an answer (404, sign-in redirect, 403) was
// written.
func (s *Server) archiveList(w http.ResponseWriter, r *http.Request) (*store.List, bool) {
	l, err := listByID(r.Context(), s.st, mux.Vars(r)["list"])
	if errors.Is(err, store.ErrNotFound) {
		s.Error(w, r, http.StatusNotFound, "List not found", "There is no mailing list at this address. The list of lists is on the home page.")
		return nil, false
	}
	if err != nil {
		s.oops(w, r, "archive list", err)
		return nil, false
	}
	c := CallerOf(r)
	switch archive.CanRead(l, c.Role(l.ID), c != nil) {
	case archive.Allowed:
		return l, true
	case archive.SignIn:
		http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	case archive.Forbidden:
		s.Error(w, r, http.StatusForbidden, "Members only", "Only members of "+l.Address+" can read its archive.")
	default:
		s.Error(w, r, http.StatusNotFound, "No archive", "The list "+l.Address+" does not keep its messages for reading on the web.")
	}
	return nil, false
}

// Page sizes.
const (
	threadsPerPage = 30
	postsPerPage   = 50
	threadPage     = 20
	hitsPerPage    = 20
)

// archiveBase is the archive's address for links.
func archiveBase(l *store.List) string { return "/lists/" + l.ListID() + "/archive" }

// postURL is a post's permalink.
func postURL(l *store.List, uid int64) string { return fmt.Sprintf("/lists/%s/m/%d", l.ListID(), uid) }

// keyParam encodes a keyset position for a link: ms.id.
func keyParam(k store.ArchiveKey) string {
	return strconv.FormatInt(k.At.UnixMilli(), 10) + "." + strconv.FormatInt(k.ID, 10)
}

// parseKey reads keyParam's form; anything else is the start.
func parseKey(v string) store.ArchiveKey {
	a, b, ok := strings.Cut(v, ".")
	at, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || id <= 0 {
		return store.ArchiveKey{}
	}
	return store.ArchiveKey{At: time.UnixMilli(at), ID: id}
}

func day(t time.Time) string { return t.UTC().Format("2 Jan 2006") }

func dayTime(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }

// postRow is one line of a post listing.
type postRow struct {
	URL, Subject, Author, When string
}

func postRows(l *store.List, ps []*store.ArchivePost) []postRow {
	rows := make([]postRow, len(ps))
	for i, p := range ps {
		rows[i] = postRow{URL: postURL(l, p.UID), Subject: subjectOr(p.Subject), Author: archive.Author(p), When: dayTime(p.Received)}
	}
	return rows
}

func subjectOr(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(no subject)"
	}
	return s
}
