package web

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/demnet-uk/listserv/listserv/subscribe"
)

// Confirmation links (/confirm/TOKEN) join a list, accept an invitation
// or move an address. The GET shows one button and changes nothing (mail
// scanners fetch links); the POST uses the token. No CSRF token is needed:
// the unguessable token in the URL is the proof.

type confirmView struct {
	Kind, Token, Address, From string
	List                       *listView
	Result                     *subscribe.Result
	Days                       int
}

func (h *subs) confirmPage(w http.ResponseWriter, r *http.Request) {
	tok := mux.Vars(r)["token"]
	p, err := h.e.Peek(r.Context(), tok)
	if err != nil && !errors.Is(err, subscribe.ErrTokenInvalid) {
		h.oops(w, r, "confirm page", err)
		return
	}
	if p == nil || !p.Usable {
		h.invalidLink(w, r, p)
		return
	}
	v := confirmView{Kind: p.Token.Kind, Token: tok, Address: p.Token.Address, From: p.From}
	if p.List != nil {
		if v.List, err = h.listView(r, p.List); err != nil {
			h.oops(w, r, "confirm page", err)
			return
		}
	}
	h.Render(w, r, http.StatusOK, "confirm", v)
}

// invalidLink is the friendly answer to a used, expired or unknown link:
// 410 Gone, with a way to get a fresh one.
func (h *subs) invalidLink(w http.ResponseWriter, r *http.Request, p *subscribe.Pending) {
	v := confirmView{Days: int(h.e.TokenTTL().Hours() / 24)}
	if p != nil {
		v.Kind, v.Address = p.Token.Kind, p.Token.Address
		if p.List != nil {
			if lv, err := h.listView(r, p.List); err == nil {
				v.List = lv
				v.List.Email = p.Token.Address
			}
		}
	}
	h.Render(w, r, http.StatusGone, "confirm_invalid", v)
}

func (h *subs) confirm(w http.ResponseWriter, r *http.Request) {
	tok := mux.Vars(r)["token"]
	res, err := h.e.Confirm(r.Context(), tok, "web", clientIP(r))
	if errors.Is(err, subscribe.ErrTokenInvalid) {
		p, _ := h.e.Peek(r.Context(), tok)
		h.invalidLink(w, r, p)
		return
	}
	if err != nil {
		h.oops(w, r, "confirm", err)
		return
	}
	v := confirmView{Kind: res.Kind, Address: res.Address, From: res.From, Result: res}
	if res.List != nil {
		if v.List, err = h.listView(r, res.List); err != nil {
			h.oops(w, r, "confirm", err)
			return
		}
	}
	h.Render(w, r, http.StatusOK, "confirm_done", v)
}
