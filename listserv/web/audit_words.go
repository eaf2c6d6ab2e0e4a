package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/store"
)

// The audit log is read by owners, not programmers: each entry is shown as
// one sentence ("Ann Example approved 'Agenda' from bob@example.org"),
// built from what the row records. Older rows and every engine's rows are
// read the same way; a page costs at most one lookup per row.

// auditWords turns rows into sentences, remembering names and held items
// looked up for one page.
type auditWords struct {
	ctx   context.Context
	st    Store
	names map[string]string
	held  map[int64]*store.Held
}

// auditRows makes a page's rows; c (nil for the site log) decides links.
func (s *Server) auditRows(r *http.Request, c *Caller, as []*store.Audit) []auditRow {
	aw := &auditWords{ctx: r.Context(), st: s.st, names: map[string]string{}, held: map[int64]*store.Held{}}
	rows := make([]auditRow, 0, len(as))
	for _, a := range as {
		row := auditRow{When: a.At.UTC().Format("2 Jan 2006 15:04 UTC"), Actor: a.Actor, Action: a.Action,
			Target: a.Target, Detail: a.Detail, Sentence: aw.sentence(a)}
		if id, ok := strings.CutPrefix(a.Target, "held:"); ok && c != nil && c.CanModerate(a.ListID) {
			row.Link = "/moderate/" + id
		}
		rows = append(rows, row)
	}
	return rows
}

// who names an actor: a person by name and address when the list knows
// their name, the command line as "the operator".
func (aw *auditWords) who(actor string, listID int64) string {
	switch {
	case actor == "" || actor == "cli":
		return "An operator (command line)"
	case strings.HasPrefix(actor, "cli:"):
		return "The operator " + strings.TrimPrefix(actor, "cli:") + " (command line)"
	case strings.HasPrefix(actor, "cli@"):
		return "An operator on " + strings.TrimPrefix(actor, "cli@") + " (command line)"
	case actor == moderation.ActorExpiry:
		return "listserv (the item waited too long)"
	case actor == moderation.ActorRule:
		return "listserv (a sender rule)"
	}
	if n, ok := aw.names[actor]; ok {
		return n
	}
	n := actor
	if listID != 0 {
		if m, err := aw.st.GetMember(aw.ctx, listID, actor); err == nil && m.Name != "" {
			n = m.Name + " (" + actor + ")"
		}
	}
	aw.names[actor] = n
	return n
}

func (aw *auditWords) heldItem(target string) *store.Held {
	id, err := strconv.ParseInt(strings.TrimPrefix(target, "held:"), 10, 64)
	if err != nil {
		return nil
	}
	if h, ok := aw.held[id]; ok {
		return h
	}
	h, err := aw.st.GetHeld(aw.ctx, id)
	if err != nil {
		h = nil
	}
	aw.held[id] = h
	return h
}

var ruleWords = map[string]string{
	"sender-accept": "always accepted", "sender-hold": "held for a moderator",
	"sender-reject": "rejected", "sender-discard": "discarded silently",
}

// sentence is one audit row in plain English.
func (aw *auditWords) sentence(a *store.Audit) string {
	who := aw.who(a.Actor, a.ListID)
	// Entries written by the owners' actions already read as a sentence
	// that starts with the actor.
	if rest, ok := strings.CutPrefix(a.Detail, a.Actor+" "); ok && a.Actor != "" {
		return who + " " + rest
	}
	switch a.Action {
	case "approved", "rejected", "discarded", "deferred":
		return aw.heldSentence(who, a)
	case "settings":
		return who + " changed the moderation settings: " + moderationWords(a.Detail)
	case "sender-removed":
		return who + " removed the rule for posts from " + strings.TrimPrefix(a.Target, "sender:")
	case "joining":
		return who + " changed who can find and join the list (" + a.Detail + ")"
	case "invite":
		return who + " sent invitations (" + a.Detail + ")"
	}
	if w, ok := ruleWords[a.Action]; ok {
		return who + " set posts from " + strings.TrimPrefix(a.Target, "sender:") + " to be " + w
	}
	return strings.TrimSpace(fmt.Sprintf("%s: %s %s %s", who, a.Action, a.Target, a.Detail))
}

func (aw *auditWords) heldSentence(who string, a *store.Audit) string {
	verb := map[string]string{"approved": "approved", "rejected": "rejected", "discarded": "discarded",
		"deferred": "left for later"}[a.Action]
	what := "a held item"
	if h := aw.heldItem(a.Target); h != nil {
		switch {
		case h.Kind == "subscription":
			what = "the request of " + h.From + " to join"
		case h.Subject != "":
			what = fmt.Sprintf("%q from %s", h.Subject, h.From)
		default:
			what = "a message without a subject from " + h.From
		}
	}
	s := who + " " + verb + " " + what
	if a.Detail != "" {
		s += " (" + a.Detail + ")"
	}
	return s
}

// moderationWords reads the settings row's key=value detail.
func moderationWords(d string) string {
	r := strings.NewReplacer("new-member-posts=", "new members' first posts held: ", " max-recipients=", ", most To and Cc addresses: ",
		" accept-types=", ", accepted kinds of content: ", " hold-days=", ", days a held item waits: ", `""`, "all")
	return r.Replace(d)
}
