package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/archive"
	"github.com/demnet-uk/listserv/listserv/store"
)

type threadRow struct {
	URL, Subject, Last string
	Posts              int64
}

type monthRow struct {
	Label, URL, Mbox string
	Posts            int64
}

type archiveIndexView struct {
	Title, ListURL, Base, Feed, Mbox, More string
	Threads                                []threadRow
	Months                                 []monthRow
}

func threadRows(l *store.List, ts []*store.ArchiveThread) []threadRow {
	rows := make([]threadRow, len(ts))
	for i, t := range ts {
		rows[i] = threadRow{URL: fmt.Sprintf("/lists/%s/t/%d", l.ListID(), t.ID), Subject: subjectOr(t.Subject),
			Last: day(t.Last), Posts: t.Posts}
	}
	return rows
}

func listTitle(l *store.List) string {
	if l.Name != "" {
		return l.Name
	}
	return l.Address
}

// archiveIndex shows the recent threads, the months and the search box.
func (s *Server) archiveIndex(w http.ResponseWriter, r *http.Request) {
	l, ok := s.archiveList(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	ts, err := s.st.ListArchiveThreads(ctx, l.ID, store.ArchiveKey{}, threadsPerPage)
	if err != nil {
		s.oops(w, r, "archive threads", err)
		return
	}
	ms, err := s.st.ListArchiveMonths(ctx, l.ID)
	if err != nil {
		s.oops(w, r, "archive months", err)
		return
	}
	base := archiveBase(l)
	v := archiveIndexView{Title: listTitle(l), ListURL: "/lists/" + l.ListID(), Base: base, Mbox: base + ".mbox",
		Threads: threadRows(l, ts)}
	if archive.HasFeed(l) {
		v.Feed = base + "/feed.atom"
	}
	if len(ts) == threadsPerPage {
		v.More = base + "/threads?before=" + keyParam(ts[len(ts)-1].Key())
	}
	for _, m := range ms {
		slug := fmt.Sprintf("%04d-%02d", m.Year, int(m.Month))
		v.Months = append(v.Months, monthRow{Label: fmt.Sprintf("%s %d", m.Month, m.Year), URL: base + "/" + slug,
			Mbox: base + "/" + slug + ".mbox", Posts: m.Posts})
	}
	s.Render(w, r, http.StatusOK, "archive", v)
}

type archiveThreadsView struct {
	Title, Base, More string
	Threads           []threadRow
}

// archiveThreads pages through threads by latest post.
func (s *Server) archiveThreads(w http.ResponseWriter, r *http.Request) {
	l, ok := s.archiveList(w, r)
	if !ok {
		return
	}
	ts, err := s.st.ListArchiveThreads(r.Context(), l.ID, parseKey(r.URL.Query().Get("before")), threadsPerPage)
	if err != nil {
		s.oops(w, r, "archive threads", err)
		return
	}
	v := archiveThreadsView{Title: listTitle(l), Base: archiveBase(l), Threads: threadRows(l, ts)}
	if len(ts) == threadsPerPage {
		v.More = v.Base + "/threads?before=" + keyParam(ts[len(ts)-1].Key())
	}
	s.Render(w, r, http.StatusOK, "archive_threads", v)
}

type archiveMonthView struct {
	Title, Month, Base, Mbox, More string
	Posts                          []postRow
}

// archiveMonth lists a month's posts in arrival order.
func (s *Server) archiveMonth(w http.ResponseWriter, r *http.Request) {
	l, ok := s.archiveList(w, r)
	if !ok {
		return
	}
	from, to, ok := monthOf(r)
	if !ok {
		s.Error(w, r, http.StatusNotFound, "No such month", "Months are written like 2026-01.")
		return
	}
	ps, err := s.st.ListArchivePosts(r.Context(), store.ArchivePage{ListID: l.ID, From: from, To: to,
		After: parseKey(r.URL.Query().Get("after")), Limit: postsPerPage})
	if err != nil {
		s.oops(w, r, "archive month", err)
		return
	}
	base := archiveBase(l)
	slug := from.Format("2006-01")
	v := archiveMonthView{Title: listTitle(l), Month: from.Format("January 2006"), Base: base,
		Mbox: base + "/" + slug + ".mbox", Posts: postRows(l, ps)}
	if len(ps) == postsPerPage {
		v.More = base + "/" + slug + "?after=" + keyParam(ps[len(ps)-1].Key())
	}
	s.Render(w, r, http.StatusOK, "archive_month", v)
}

// monthOf reads {year}-{month}.
func monthOf(r *http.Request) (from, to time.Time, ok bool) {
	y, err1 := strconv.Atoi(mux.Vars(r)["year"])
	m, err2 := strconv.Atoi(mux.Vars(r)["month"])
	if err1 != nil || err2 != nil || m < 1 || m > 12 || y < 1970 {
		return time.Time{}, time.Time{}, false
	}
	from, to = archive.Month(y, time.Month(m))
	return from, to, true
}

type threadPost struct {
	Anchor, URL, Author, When string
	Body                      bodyView
	Files                     []fileRow
}

type archiveThreadView struct {
	Title, Subject, Base, More string
	Posts                      []threadPost
	Count                      int64
}

// archiveThread shows a thread's posts in full, a page at a time.
func (s *Server) archiveThread(w http.ResponseWriter, r *http.Request) {
	l, ok := s.archiveList(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	id, _ := strconv.ParseInt(mux.Vars(r)["thread"], 10, 64)
	t, err := s.st.GetArchiveThread(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && t.ListID != l.ID) {
		s.Error(w, r, http.StatusNotFound, "Conversation not found", "There is no such conversation in this archive.")
		return
	}
	if err != nil {
		s.oops(w, r, "archive thread", err)
		return
	}
	ps, err := s.st.ListThreadPosts(ctx, t.ID, parseKey(r.URL.Query().Get("after")), threadPage)
	if err != nil {
		s.oops(w, r, "thread posts", err)
		return
	}
	v := archiveThreadView{Title: listTitle(l), Subject: subjectOr(t.Subject), Base: archiveBase(l), Count: t.Posts}
	for _, p := range ps {
		full, err := s.st.GetArchivedPost(ctx, l.ID, p.UID)
		if err != nil {
			continue // moved by an erasure since the listing: its new UID shows on reload
		}
		post := archive.Read(full, readOptions(l, full, false, false))
		u := postURL(l, p.UID)
		v.Posts = append(v.Posts, threadPost{Anchor: fmt.Sprintf("m%d", p.UID), URL: u,
			Author: archive.Author(p), When: dayTime(p.Received), Body: bodyOf(post), Files: fileRows(u, post)})
	}
	if len(ps) == threadPage {
		v.More = fmt.Sprintf("/lists/%s/t/%d?after=%s", l.ListID(), t.ID, keyParam(ps[len(ps)-1].Key()))
	}
	s.Render(w, r, http.StatusOK, "archive_thread", v)
}
