package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// A submitted newsletter item waits in the same queue as posts, as a
// held row of kind item: its page shows the item as it would be
// published and a form to correct its fields before approving; the
// actions (approve, reject, discard, leave for later) and the audit log
// are the posts'.

type modSubmission struct {
	Form    *itemForm
	Preview itemView
	Errors  []string
	Saved   bool
}

// modSubmissionView adds the item's form and preview (form, when given,
// is what the editor posted and is shown again with its errors).
func (s *Server) modSubmissionView(r *http.Request, h *store.Held, v *modItemView, form *itemForm) error {
	it, err := s.st.GetItem(r.Context(), store.HeldItemID(h))
	if err != nil {
		return err
	}
	l, err := s.st.GetListByID(r.Context(), it.ListID)
	if err != nil {
		return err
	}
	if form == nil {
		form = formFromItem(it)
	}
	v.Submission = &modSubmission{Form: form, Preview: itemViewOf(it, l)}
	return nil
}

// modEditItem saves an editor's corrections to a waiting item and
// redirects to its page saying so (or shows the form again with what to
// fix).
func (s *Server) modEditItem(w http.ResponseWriter, r *http.Request) {
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
	if h.Kind != store.HeldKindItem || s.newsletters == nil {
		s.Error(w, r, http.StatusNotFound, "Not a newsletter item", "Only submitted newsletter items have fields to edit.")
		return
	}
	old, err := s.st.GetItem(r.Context(), store.HeldItemID(h))
	if err != nil {
		s.modFail(w, r, "held item", err)
		return
	}
	form := formOf(r)
	form.Kind = old.Kind
	form.label()
	it, problems := form.item()
	it.ID, it.ListID, it.OrgName = old.ID, old.ListID, old.OrgName
	var status int
	var res modResult
	if len(problems) == 0 {
		err = s.newsletters.EditHeldItem(r.Context(), h.ID, it, c.Address)
		switch {
		case err == nil: // redirect after POST: a reload saves nothing again
			http.Redirect(w, r, "/moderate/"+strconv.FormatInt(h.ID, 10)+"?done=saved#results", http.StatusSeeOther)
			return
		case errors.Is(err, newsletter.ErrInvalid):
			problems = append(problems, errText(err))
		case errors.Is(err, store.ErrAlreadyHandled):
			res = modResult{Message: "This item was already handled; your changes were not saved."}
			status = http.StatusConflict
		default:
			s.modFail(w, r, "edit held item", err)
			return
		}
	}
	if h, err = s.st.GetHeld(r.Context(), h.ID); err != nil {
		s.modFail(w, r, "held item", err)
		return
	}
	v, err := s.modItemView(r, h)
	if err != nil {
		s.modFail(w, r, "held item", err)
		return
	}
	if len(problems) > 0 {
		v.Submission.Form, v.Submission.Errors = form, problems
		status, res = http.StatusUnprocessableEntity, modResult{Message: "The changes were not saved: see what to fix below."}
	}
	v.Results = []modResult{res}
	s.Render(w, r, status, "moderate_item", v)
}

// modSavedNotice is what an item's page says after its fields were saved.
func modSavedNotice(v *modItemView) []modResult {
	if v.Submission == nil || v.Submission.Preview.Item == nil {
		return nil
	}
	return []modResult{{Done: true, Message: "Your changes to “" + v.Submission.Preview.Item.Title +
		"” are saved. It is still waiting: approve it below."}}
}
