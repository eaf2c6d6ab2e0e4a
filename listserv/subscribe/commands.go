package subscribe

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// maxCommands bounds the work one message can cause.
const maxCommands = 10

var replyMarker = regexp.MustCompile(`(?i)^\s*((re|fwd?|aw|wg|sv|antw)\s*:\s*)+`)

// commandLines picks the command candidates from a request message: the
// subject (without Re:), then body lines up to a signature ("-- ") or
// "end", skipping blank and quoted lines. Reading stops at the first body
// line that is not a command, as most of the rest is a mail client's
// quoting or a signature. A command given again (the same word in the
// subject and the body, as many mail apps send it) runs once.
func commandLines(subject, body string) (cmds []string, unknown bool) {
	if s := normCommand(replyMarker.ReplaceAllString(subject, "")); s != "" && isCommand(s) {
		cmds = append(cmds, s)
	}
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		low := normCommand(line)
		switch {
		case line == "" || strings.HasPrefix(line, ">"):
			continue
		case low == "--" || low == "end" || low == "stop" || low == "thanks":
			return cmds, unknown || len(cmds) == 0
		case isCommand(low) && slices.Contains(cmds, low):
			continue
		case isCommand(low):
			cmds = append(cmds, low)
		default:
			return cmds, true
		}
		if len(cmds) >= maxCommands {
			break
		}
	}
	return cmds, unknown || len(cmds) == 0
}

// normCommand is s in lower case with single spaces ("SET  Each" and
// "set each" are one command).
func normCommand(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

func isCommand(s string) bool {
	switch f := strings.Fields(s); {
	case len(f) == 0:
		return false
	case len(f) == 1:
		return f[0] == "help" || f[0] == "subscribe" || f[0] == "join" || f[0] == "unsubscribe" || f[0] == "leave"
	case f[0] != "set":
		return false
	default:
		switch strings.Join(f[1:], " ") {
		case "each", "digest", "digest daily", "digest weekly", "nomail":
			return true
		}
		return false
	}
}

// runCommands runs each command for sender and returns the reply text.
func (e *Engine) runCommands(ctx context.Context, l *store.List, sender, name string, cmds []string, unknown bool) string {
	var b strings.Builder
	help := unknown
	for _, c := range cmds {
		fmt.Fprintf(&b, "> %s\n", c)
		f := strings.Fields(c)
		var msg string
		var err error
		switch f[0] {
		case "help":
			help, msg = true, "The commands are below."
		case "subscribe", "join":
			msg, err = e.cmdSubscribe(ctx, l, sender, name)
		case "unsubscribe", "leave":
			msg, err = e.cmdUnsubscribe(ctx, l, sender)
		case "set":
			msg, err = e.cmdSet(ctx, l, sender, f[1:])
		}
		if err != nil {
			e.log.Warn("command failed", "list", l.Address, "command", c, "err", err)
			msg = "Something went wrong on our side; please try again later."
		}
		fmt.Fprintf(&b, "%s\n\n", msg)
	}
	if unknown {
		b.WriteString("We did not understand all of your message.\n\n")
	}
	if help {
		b.WriteString(e.helpText(l))
	}
	return b.String()
}

func (e *Engine) cmdSubscribe(ctx context.Context, l *store.List, sender, name string) (string, error) {
	err := e.RequestJoin(ctx, l, Request{Address: sender, Name: name, How: "email", Origin: sender})
	if errors.Is(err, ErrInviteOnly) {
		return "This list takes new members by invitation only. Ask its owners at " + l.SubAddress("owner") + ".", nil
	}
	if err != nil {
		return "", err
	}
	return "Unless " + sender + " is already on the list, a confirmation message is on its way to it. Reply to that message, or open its link, to finish joining.", nil
}

func (e *Engine) cmdUnsubscribe(ctx context.Context, l *store.List, sender string) (string, error) {
	m, err := e.st.GetMember(ctx, l.ID, sender)
	if errors.Is(err, store.ErrNotFound) {
		return sender + " is not on this list, so there was nothing to do.", nil
	}
	if err != nil {
		return "", err
	}
	if err := e.RequestLeave(ctx, l, m, "email", sender); err != nil {
		return "", err
	}
	return "A confirmation message is on its way to " + sender + ". Reply to it, or open its link, to finish leaving " + ListTitle(l) + ".", nil
}

func (e *Engine) cmdSet(ctx context.Context, l *store.List, sender string, args []string) (string, error) {
	m, err := e.st.GetMember(ctx, l.ID, sender)
	if errors.Is(err, store.ErrNotFound) {
		return sender + " is not on this list; send \"subscribe\" first.", nil
	}
	if err != nil {
		return "", err
	}
	choice, says := "", ""
	switch strings.Join(args, " ") {
	case "each":
		choice, says = DeliverEach, "You will get every message as it is sent."
	case "digest", "digest daily":
		choice, says = DeliverDaily, "You will get one digest a day."
	case "digest weekly":
		choice, says = DeliverWeekly, "You will get one digest a week."
	case "nomail":
		choice, says = DeliverNoMail, "You stay on the list but get no mail. Send \"set each\" to start again."
	}
	p, err := e.st.GetMemberPrefs(ctx, m.ID)
	if err != nil {
		return "", err
	}
	if err := e.SetDelivery(ctx, m, choice, time.Time{}, p.OwnPosts); err != nil {
		return "", err
	}
	return says, nil
}
