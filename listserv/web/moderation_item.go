package web

import (
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
)

type modItemView struct {
	Item       modRow
	Headers    []modHeader
	Parts      []modPart
	Text       string
	HTML       template.HTML // sanitised by moderation.SanitizeHTML
	PreviewErr bool
	Raw        string
	Reasons    []string
	Results    []modResult
	Submission *modSubmission // a newsletter item (kind item)
}

type modHeader struct{ Name, Value string }

type modPart struct{ Type, Name, Size string }

// modItem shows one held item: headers, parts and a sanitised preview.
// Looking changes nothing; the actions are forms.
func (s *Server) modItem(w http.ResponseWriter, r *http.Request) {
	c, ok := s.requireCaller(w, r)
	if !ok {
		return
	}
	h, ok := s.modHeld(w, r, c)
	if !ok {
		return
	}
	v, err := s.modItemView(r, h)
	if err != nil {
		s.modFail(w, r, "held item", err)
		return
	}
	if r.URL.Query().Get("done") == "saved" && h.State == "pending" {
		v.Results = modSavedNotice(v)
	}
	s.Render(w, r, http.StatusOK, "moderate_item", v)
}

func (s *Server) modItemView(r *http.Request, h *store.Held) (*modItemView, error) {
	note, err := s.st.HeldNote(r.Context(), h.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	v := &modItemView{Item: modMakeRow(h, note, time.Now()), Reasons: moderation.CannedReasons}
	if h.Kind == store.HeldKindItem {
		return v, s.modSubmissionView(r, h, v, nil)
	}
	if h.Kind != "post" || h.MessageID == 0 {
		return v, nil
	}
	m, err := s.st.GetMessage(r.Context(), h.MessageID)
	if err != nil {
		return nil, err
	}
	pv := moderation.MakePreview(m.Raw)
	for _, f := range pv.Headers {
		v.Headers = append(v.Headers, modHeader{Name: f.Name, Value: string(f.Raw)})
	}
	for _, p := range pv.Parts {
		v.Parts = append(v.Parts, modPart{Type: p.Type, Name: p.Name, Size: modSize(p.Size)})
	}
	v.Text, v.HTML, v.PreviewErr = pv.Text, template.HTML(pv.HTML), pv.Err != nil
	// The header section only: the body may be huge or binary.
	if i := indexBlankLine(m.Raw); i > 0 {
		v.Raw = string(m.Raw[:i])
	}
	return v, nil
}

func indexBlankLine(b []byte) int {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '\n' && (b[i+1] == '\n' || b[i+1] == '\r' && i+2 < len(b) && b[i+2] == '\n') {
			return i + 1
		}
	}
	return len(b)
}

// modAct carries out the action chosen on an item's page, then redirects
// to the queue showing what happened (or shows the item again when the
// form was wrong).
func (s *Server) modAct(w http.ResponseWriter, r *http.Request) {
	c, ok := s.requireCaller(w, r)
	if !ok {
		return
	}
	if !s.CheckCSRF(r) {
		s.FormExpired(w, r)
		return
	}
	h, ok := s.modHeld(w, r, c)
	if !ok {
		return
	}
	act, ok := moderation.ParseAction(r.PostFormValue("action"))
	if !ok {
		v, err := s.modItemView(r, h)
		if err != nil {
			s.modFail(w, r, "held item", err)
			return
		}
		v.Results = []modResult{{Message: "Choose one of the actions below."}}
		s.Render(w, r, http.StatusUnprocessableEntity, "moderate_item", v)
		return
	}
	reason := modReason(r)
	if act == moderation.Defer {
		reason = r.PostFormValue("note")
	}
	o := s.modDo(r, c, h.ID, act, reason)
	http.Redirect(w, r, s.modFlashURL(r, []modOutcome{o}), http.StatusSeeOther)
}
