package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/demnet-uk/listserv/listserv/moderation"
)

// Redirect after POST: a moderation action answers 303 See Other to the
// queue, whose query names each item acted on and what happened to it
// ("id.action.flags", comma-separated), with a MAC bound to the session
// so a link sent by someone else cannot make the queue claim an outcome.
// The queue words each outcome again from the item as it is now; a reload
// shows the same words and acts on nothing.

// modOutcome is what one action did to one item.
type modOutcome struct {
	ID   int64
	Act  moderation.Action
	Done bool // the action was carried out (false: already handled)
	Told bool // the sender was told
	Fail byte // 'n': not found in the caller's lists; 'e': it failed
}

func (o modOutcome) String() string {
	f := ""
	if o.Done {
		f += "d"
	}
	if o.Told {
		f += "t"
	}
	if o.Fail != 0 {
		f += string(o.Fail)
	}
	return fmt.Sprintf("%d.%s.%s", o.ID, o.Act, f)
}

func parseOutcome(s string) (modOutcome, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return modOutcome{}, false
	}
	id, err := strconv.ParseInt(parts[0], 10, 64)
	act, ok := moderation.ParseAction(parts[1])
	if err != nil || !ok {
		return modOutcome{}, false
	}
	o := modOutcome{ID: id, Act: act, Done: strings.Contains(parts[2], "d"), Told: strings.Contains(parts[2], "t")}
	switch {
	case strings.Contains(parts[2], "n"):
		o.Fail = 'n'
	case strings.Contains(parts[2], "e"):
		o.Fail = 'e'
	}
	return o, true
}

// modFlashURL is the queue's address showing outcomes.
func (s *Server) modFlashURL(r *http.Request, outs []modOutcome) string {
	parts := make([]string, len(outs))
	for i, o := range outs {
		parts[i] = o.String()
	}
	did := strings.Join(parts, ",")
	q := url.Values{"did": {did}, "sig": {s.tokens.MAC("modflash", s.csrfBinding(nil, r)+"\x00"+did)}}
	return "/moderate?" + q.Encode() + "#results"
}

// modFlash reads the outcomes named in a queue address; an address
// signed for another session shows nothing.
func (s *Server) modFlash(ctx context.Context, r *http.Request, c *Caller) []modResult {
	q := r.URL.Query()
	did := q.Get("did")
	if did == "" {
		return modNotice(q.Get("done"))
	}
	if b := s.csrfBinding(nil, r); b == "" || !s.tokens.CheckMAC("modflash", b+"\x00"+did, q.Get("sig")) {
		return nil
	}
	var out []modResult
	for _, p := range strings.Split(did, ",") {
		o, ok := parseOutcome(p)
		if ok && len(out) < modPage {
			out = append(out, s.modWord(ctx, c, o))
		}
	}
	return out
}

// modWord words one outcome from the item as it is now.
func (s *Server) modWord(ctx context.Context, c *Caller, o modOutcome) modResult {
	h, err := s.st.GetHeld(ctx, o.ID)
	if o.Fail == 'n' || err != nil || !c.CanModerate(h.ListID) {
		return modResult{Message: fmt.Sprintf("Held item %d was not found in the lists you moderate.", o.ID)}
	}
	if o.Fail == 'e' {
		return modResult{Message: fmt.Sprintf("Held item %d: something went wrong; please try again.", o.ID)}
	}
	return modResult{Message: moderation.Message(o.Act, h, o.Done, o.Told), Done: o.Done}
}

// modNotice words the fixed outcomes of the other moderation forms.
func modNotice(done string) []modResult {
	switch done {
	case "prefs":
		return []modResult{{Message: "Your email preferences are saved.", Done: true}}
	case "unchanged":
		return []modResult{{Message: "Nothing was changed."}}
	}
	return nil
}
