package subscribe

import (
	"fmt"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// The words of every message the engine sends, in one place, short and
// plain: people read these on phones and with screen readers.

func days(d time.Duration) string {
	n := int(d.Hours() / 24)
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

func (e *Engine) confirmText(l *store.List, link string, invited bool, by string) (subject, body string) {
	t := ListTitle(l)
	var b strings.Builder
	if invited {
		subject = "Invitation to join " + t
		fmt.Fprintf(&b, "You are invited to join the mailing list %s (%s)", t, l.Address)
		if by != "" {
			fmt.Fprintf(&b, " by %s", by)
		}
		b.WriteString(".\n\nTo accept, open this link and press the button:\n\n")
	} else {
		subject = "Confirm: join " + t
		fmt.Fprintf(&b, "Someone, we hope you, asked to add this address to the mailing list %s (%s).\n\n", t, l.Address)
		b.WriteString("To confirm, open this link and press the button:\n\n")
	}
	fmt.Fprintf(&b, "%s\n\nor simply reply to this message (the reply only needs to reach us; what you write does not matter).\n\n", link)
	fmt.Fprintf(&b, "The link works once, for %s. If you did not ask for this, ignore this message: nothing happens without your confirmation.\n", days(e.opt.TokenTTL))
	return subject, b.String()
}

func (e *Engine) welcomeText(l *store.List, m *store.Member) (subject, body string) {
	t := ListTitle(l)
	subject = "Welcome to " + t
	var b strings.Builder
	fmt.Fprintf(&b, "You are now on %s.\n\n", t)
	if l.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", l.Description)
	}
	if l.Policy == store.PolicyAnnounce {
		b.WriteString("This is an announcement list: you will receive messages from its owners.\n\n")
	} else {
		fmt.Fprintf(&b, "To write to everyone on the list, send your message to %s.\n\n", l.Address)
	}
	fmt.Fprintf(&b, "To get a daily or weekly digest instead, pause mail for a holiday, or change your details, sign in at %s/me (we email you a sign-in link), or send \"help\" to %s.\n\n", e.opt.BaseURL, l.SubAddress("request"))
	fmt.Fprintf(&b, "To leave, open %s\nor send any message to %s.\n", e.UnsubscribeURL(m), l.SubAddress("leave"))
	return subject, b.String()
}

func (e *Engine) goodbyeText(l *store.List, address string) (subject, body string) {
	t := ListTitle(l)
	return "You have left " + t, fmt.Sprintf("%s is no longer on %s, and will get no more mail from it.\n\n"+
		"Changed your mind? Join again at %s\nor send any message to %s.\n", address, t, e.ListURL(l), l.SubAddress("join"))
}

func (e *Engine) alreadyText(l *store.List) (subject, body string) {
	t := ListTitle(l)
	return "You are already on " + t, fmt.Sprintf("Someone asked to add this address to %s, but it is already on the list, so nothing has changed.\n\n"+
		"To change how you get mail, sign in at %s/me. To leave, send any message to %s.\n", t, e.opt.BaseURL, l.SubAddress("leave"))
}

func (e *Engine) pendingText(l *store.List) (subject, body string) {
	t := ListTitle(l)
	return "Waiting for approval: " + t, fmt.Sprintf("Thank you for confirming. The owners of %s approve new members themselves; "+
		"you will get a welcome message once they have.\n", t)
}

func (e *Engine) addressText(from, link string) (subject, body string) {
	return "Confirm your new address", fmt.Sprintf("Someone, we hope you, asked to move the mailing-list subscriptions of %s to this address.\n\n"+
		"To confirm, open this link and press the button:\n\n%s\n\nThe link works once, for %s. If you did not ask for this, ignore this message.\n",
		from, link, days(e.opt.TokenTTL))
}

func (e *Engine) erasedText() (subject, body string) {
	return "Your account has been deleted", "As you asked, this address has been removed from every mailing list here, " +
		"and what we kept about you has been deleted.\n\nYou can join again at any time at " + e.opt.BaseURL + "/\n"
}

// helpText answers "help" and unknown commands.
func (e *Engine) helpText(l *store.List) string {
	return fmt.Sprintf(`Commands for %[1]s: send them to %[2]s, one a line, in the subject or the body.

  subscribe      join the list (we send a confirmation first)
  unsubscribe    leave the list
  set each       get every message as it is sent
  set digest     get one daily digest (set digest weekly: one a week)
  set nomail     stay on the list but get no mail
  help           this text

Or use the web: %[3]s
To write to the list, send your message to %[4]s.
`, ListTitle(l), l.SubAddress("request"), e.ListURL(l), l.Address)
}

func (e *Engine) leaveConfirmText(l *store.List, address, link string) (subject, body string) {
	t := ListTitle(l)
	return "Confirm: leave " + t, fmt.Sprintf("Someone, we hope you, asked to take %s off the mailing list %s (%s).\n\n"+
		"To confirm, open this link and press the button:\n\n%s\n\n"+
		"or simply reply to this message (the reply only needs to reach us; what you write does not matter).\n\n"+
		"The link works once, for %s. If you did not ask for this, ignore this message: you stay on the list.\n",
		address, t, l.Address, link, days(e.opt.TokenTTL))
}
