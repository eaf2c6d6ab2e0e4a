package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// The editors' page of a newsletter's next issue: a preview as a chosen
// subscriber would get it (text on the page, HTML as its own document),
// the introduction, a test copy to the editor, and "send now". Editors
// are the newsletter's owners and moderators; everyone else gets 404.

type nextView struct {
	List                *store.List
	Name, Path, Intro   string
	As, Format          string
	Text, HTMLPath      string
	Schedule, Due       string
	Results             []modResult
	Error               string
	HasContent, IsPlain bool
}

// nextList loads the newsletter named in the path for an editor; ok
// false means a page was written.
func (s *Server) nextList(w http.ResponseWriter, r *http.Request) (*Caller, *store.List, bool) {
	c, ok := s.requireCaller(w, r)
	if !ok {
		return nil, nil, false
	}
	l, err := s.st.GetListByListID(r.Context(), mux.Vars(r)["list"])
	if err != nil || l.Kind != store.KindNewsletter || !c.CanModerate(l.ID) || s.newsletters == nil {
		s.Error(w, r, http.StatusNotFound, "No such newsletter", "There is no newsletter here that you edit.")
		return nil, nil, false
	}
	return c, l, true
}

func (s *Server) nextPage(w http.ResponseWriter, r *http.Request) {
	_, l, ok := s.nextList(w, r)
	if !ok {
		return
	}
	s.renderNext(w, r, l, r.URL.Query().Get("as"), r.URL.Query().Get("format"), nil, http.StatusOK)
}

func (s *Server) renderNext(w http.ResponseWriter, r *http.Request, l *store.List, as, format string, res []modResult, status int) {
	if format != store.FormatPlain {
		format = store.FormatHTML
	}
	path := "/newsletters/" + l.ListID() + "/next"
	v := nextView{List: l, Name: newsletter.Name(l), Path: path, As: as, Format: format, Results: res,
		IsPlain: format == store.FormatPlain}
	n, err := s.st.GetNewsletter(r.Context(), l.ID)
	if err != nil {
		s.modFail(w, r, "newsletter", err)
		return
	}
	v.Intro, v.Schedule = n.Intro, n.Schedule
	if !n.NextDue.IsZero() {
		v.Due = n.NextDue.UTC().Format("Monday 2 January 2006 15:04 UTC")
	}
	rd, err := s.newsletters.Preview(r.Context(), l, as, format)
	switch {
	case errors.Is(err, store.ErrNotFound):
		v.Error, status = as+" is not subscribed to "+v.Name+"; showing every section.", http.StatusUnprocessableEntity
		v.As = ""
		rd, err = s.newsletters.Preview(r.Context(), l, "", format)
	}
	if err != nil {
		s.modFail(w, r, "preview", err)
		return
	}
	v.Text, v.HasContent = rd.Text, true
	if rd.HTML != "" {
		v.HTMLPath = path + "/preview.html?" + url.Values{"as": {v.As}}.Encode()
	}
	s.Render(w, r, status, "newsletter_next", v)
}

// nextHTML is the HTML version of the preview as its own document.
func (s *Server) nextHTML(w http.ResponseWriter, r *http.Request) {
	_, l, ok := s.nextList(w, r)
	if !ok {
		return
	}
	rd, err := s.newsletters.Preview(r.Context(), l, r.URL.Query().Get("as"), store.FormatHTML)
	if errors.Is(err, store.ErrNotFound) {
		rd, err = s.newsletters.Preview(r.Context(), l, "", store.FormatHTML)
	}
	if err != nil {
		s.modFail(w, r, "preview", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(rd.HTML))
}

// nextAct saves the introduction, sends a test copy or sends the issue.
func (s *Server) nextAct(w http.ResponseWriter, r *http.Request) {
	c, l, ok := s.nextList(w, r)
	if !ok {
		return
	}
	if !s.CheckCSRF(r) {
		s.FormExpired(w, r)
		return
	}
	format := r.PostFormValue("format")
	var res modResult
	var err error
	switch r.PostFormValue("action") {
	case "intro":
		if err = s.newsletters.SetIntro(r.Context(), l, r.PostFormValue("intro"), c.Address); err == nil {
			res = modResult{Done: true, Message: "The introduction is saved; the preview below shows it."}
		}
	case "test":
		if err = s.newsletters.SendTest(r.Context(), l, c.Address, format); err == nil {
			res = modResult{Done: true, Message: "A test copy is on its way to " + c.Address + "."}
		}
	case "send":
		err = s.newsletters.SendSoon(r.Context(), l, c.Address)
		if errors.Is(err, newsletter.ErrNothing) {
			res, err = modResult{Message: "There is nothing to send: no approved items and no introduction."}, nil
		} else if err == nil {
			res = modResult{Done: true, Message: "The issue is being sent to every subscriber (it starts within a minute)."}
		}
	default:
		res = modResult{Message: "Choose what to do."}
	}
	if errors.Is(err, newsletter.ErrInvalid) {
		res, err = modResult{Message: errText(err)}, nil
	}
	if err != nil {
		s.modFail(w, r, "newsletter action", err)
		return
	}
	status := http.StatusOK
	if !res.Done {
		status = http.StatusUnprocessableEntity
	}
	s.renderNext(w, r, l, "", format, []modResult{res}, status)
}
