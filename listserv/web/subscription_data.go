package web

import (
	"encoding/json"
	"net/http"
)

// exportData downloads everything kept about the caller as JSON. A GET is
// fine here: it only reads, and only for the signed-in owner of the data.
func (h *subs) exportData(w http.ResponseWriter, r *http.Request) {
	c, ok := h.requireCaller(w, r)
	if !ok {
		return
	}
	x, err := h.e.Export(r.Context(), c.Address)
	if err != nil {
		h.oops(w, r, "export", err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="my-mailing-list-data.json"`)
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(x)
}

// deletePage explains what deleting an account does, with one button.
func (h *subs) deletePage(w http.ResponseWriter, r *http.Request) {
	c, ok := h.requireCaller(w, r)
	if !ok {
		return
	}
	h.Render(w, r, http.StatusOK, "me_delete", map[string]any{"Address": c.Address, "Lists": len(c.Memberships)})
}

// deleteAccount removes the caller from every list, erases their data and
// signs them out.
func (h *subs) deleteAccount(w http.ResponseWriter, r *http.Request) {
	c, ok := h.signedInPost(w, r)
	if !ok {
		return
	}
	if err := h.e.Erase(r.Context(), c.Address); err != nil {
		h.oops(w, r, "erase", err)
		return
	}
	h.setCookie(w, sessionCookie, "", -1)
	// Render as signed out: the session no longer exists.
	r = r.WithContext(withoutCaller(r))
	h.Render(w, r, http.StatusOK, "me_deleted", map[string]any{"Address": c.Address})
}
