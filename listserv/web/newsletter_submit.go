package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// The submission form at /submit, for signed-in members. Without
// JavaScript it is three steps: choose the kind (and newsletter) with a
// GET form, fill in that kind's fields, then see a preview and send it
// to the editors; every POST checks the whole item again.

type submitView struct {
	Newsletters []*store.List
	Newsletter  *store.List
	Kinds       []kindChoice
	Form        *itemForm
	Errors      []string
	Preview     *itemView
}

type kindChoice struct {
	Value, Label, Hint string
	Checked            bool
}

var kindHints = map[string]string{
	store.ItemEvent:    "something happening on a date: a meeting, a workshop, a conference",
	store.ItemResearch: "a report, paper or study that was published",
	store.ItemAsk:      "something you need from others in the network",
	store.ItemOffer:    "something you can give others in the network",
}

// newsletters are the site's newsletters (lists of kind newsletter).
func (s *Server) newslettersList(ctx context.Context) ([]*store.List, error) {
	ls, err := s.st.AllLists(ctx)
	if err != nil {
		return nil, err
	}
	var out []*store.List
	for _, l := range ls {
		if l.Kind == store.KindNewsletter {
			out = append(out, l)
		}
	}
	return out, nil
}

// submitStart loads the caller and the newsletters; ok false means a
// page was written.
func (s *Server) submitStart(w http.ResponseWriter, r *http.Request, address string) (*Caller, *submitView, bool) {
	c, ok := s.requireCaller(w, r)
	if !ok {
		return nil, nil, false
	}
	nls, err := s.newslettersList(r.Context())
	if err != nil {
		s.modFail(w, r, "newsletters", err)
		return nil, nil, false
	}
	if len(nls) == 0 || s.newsletters == nil {
		s.Error(w, r, http.StatusNotFound, "No newsletter here", "This site has no newsletter to send items to yet.")
		return nil, nil, false
	}
	v := &submitView{Newsletters: nls, Newsletter: nls[0]}
	for _, l := range nls {
		if l.Address == address {
			v.Newsletter = l
		}
	}
	return c, v, true
}

// submitPage shows the kind choice, or the chosen kind's empty form.
func (s *Server) submitPage(w http.ResponseWriter, r *http.Request) {
	_, v, ok := s.submitStart(w, r, r.URL.Query().Get("newsletter"))
	if !ok {
		return
	}
	kind := r.URL.Query().Get("kind")
	if !slices.Contains(store.ItemKinds, kind) {
		for _, k := range store.ItemKinds {
			v.Kinds = append(v.Kinds, kindChoice{Value: k, Label: newsletter.KindLabel(k), Hint: kindHints[k], Checked: k == store.ItemEvent})
		}
		s.Render(w, r, http.StatusOK, "submit", v)
		return
	}
	v.Form = &itemForm{Kind: kind, Zone: "Europe/London"}
	v.Form.label()
	s.Render(w, r, http.StatusOK, "submit", v)
}

// submitPost previews the item (action=preview) or sends it to the
// editors' queue (action=submit); problems show the form again with
// what to fix.
func (s *Server) submitPost(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.Error(w, r, http.StatusBadRequest, "Form not readable", "The form could not be read; go back and try again.")
		return
	}
	c, v, ok := s.submitStart(w, r, r.PostFormValue("newsletter"))
	if !ok {
		return
	}
	if !s.CheckCSRF(r) {
		s.FormExpired(w, r)
		return
	}
	v.Form = formOf(r)
	if !slices.Contains(store.ItemKinds, v.Form.Kind) {
		s.Error(w, r, http.StatusBadRequest, "Choose a kind", "Go back and choose whether this is an event, research, an ask or an offer.")
		return
	}
	it, problems := v.Form.item()
	it.Submitter, it.Source, it.State = c.Address, newsletter.SourceWeb, store.ItemPending
	if len(problems) == 0 {
		if err := newsletter.Normalize(it, time.Now()); err != nil {
			problems = append(problems, errText(err))
		}
	}
	if len(problems) > 0 {
		v.Errors = problems
		s.Render(w, r, http.StatusUnprocessableEntity, "submit", v)
		return
	}
	if r.PostFormValue("action") != "submit" {
		pv := itemViewOf(it, v.Newsletter)
		v.Preview = &pv
		s.Render(w, r, http.StatusOK, "submit", v)
		return
	}
	h, err := s.newsletters.Submit(r.Context(), v.Newsletter, it, newsletter.ReasonWeb, "", false)
	if errors.Is(err, newsletter.ErrInvalid) {
		v.Errors = []string{errText(err)}
		s.Render(w, r, http.StatusUnprocessableEntity, "submit", v)
		return
	}
	if err != nil {
		s.modFail(w, r, "submit item", err)
		return
	}
	s.log.Info("item submitted on the web", "held", h.ID, "by", c.Address)
	s.Render(w, r, http.StatusOK, "submit_done", map[string]any{"Item": it, "Kind": newsletter.KindLabel(it.Kind),
		"Newsletter": newsletter.Name(v.Newsletter), "Held": strconv.FormatInt(h.ID, 10)})
}

// errText is an ErrInvalid's message without its prefix.
func errText(err error) string {
	msg := err.Error()
	if p := newsletter.ErrInvalid.Error() + ": "; len(msg) > len(p) && msg[:len(p)] == p {
		msg = msg[len(p):]
	}
	if msg != "" && msg[0] >= 'a' && msg[0] <= 'z' {
		msg = string(msg[0]-'a'+'A') + msg[1:]
	}
	return msg
}
