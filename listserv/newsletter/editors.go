package newsletter

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/demnet-uk/listserv/listserv/store"
)

// What the editors' page (/newsletters/{list-id}/next) does besides
// previewing: edit the next issue's introduction, send a test copy to
// an editor, and send the issue now.

// maxIntro bounds the editor's introduction.
const maxIntro = 4000

// SetIntro saves the next issue's introduction.
func (e *Engine) SetIntro(ctx context.Context, l *store.List, intro, by string) error {
	intro = strings.TrimSpace(strings.ReplaceAll(intro, "\r\n", "\n"))
	if utf8.RuneCountInString(intro) > maxIntro {
		return invalid("the introduction may have at most %d characters", maxIntro)
	}
	n, err := e.st.GetNewsletter(ctx, l.ID)
	if err != nil {
		return err
	}
	n.Intro = intro
	if err := e.st.SetNewsletter(ctx, n); err != nil {
		return err
	}
	e.log.Info("newsletter introduction saved", "list", l.Address, "by", by, "chars", utf8.RuneCountInString(intro))
	return nil
}

// SendTest queues one copy of the next issue, as compiled now, to an
// editor: every section, in format, marked as a test in its subject.
// It is not an issue: nothing is numbered or frozen.
func (e *Engine) SendTest(ctx context.Context, l *store.List, to, format string) error {
	r, err := e.Preview(ctx, l, "", format)
	if err != nil {
		return err
	}
	test := *r
	test.Head = []byte(strings.Replace(string(r.Head), "\r\nSubject: ", "\r\nSubject: [Test] ", 1))
	unsub := "test-copy" // an editor who is not subscribed gets a link that says it is invalid
	if m, err := e.st.GetMember(ctx, l.ID, to); err == nil {
		unsub = e.tokens.Unsubscribe(m.ID)
	}
	raw := test.Mail(l, e.cfg.BaseURL, unsub, "newsletter.test."+l.LocalPart()+"."+strings.ReplaceAll(to, "@", ".")+
		"."+e.cfg.Now().Format("20060102150405")+"@"+l.Domain())
	if err := e.st.EnqueueMail(ctx, &store.QueuedMail{From: l.SubAddress("bounces"), To: to, Raw: raw}); err != nil {
		return err
	}
	if e.Queued != nil {
		e.Queued()
	}
	e.log.Info("newsletter test copy queued", "list", l.Address, "to", to)
	return nil
}

// SendSoon makes the next issue due now: the leading node's engine
// sends it on its next round (at most a minute away; at once on this
// node). ErrNothing when the issue would be empty.
func (e *Engine) SendSoon(ctx context.Context, l *store.List, by string) error {
	n, err := e.st.GetNewsletter(ctx, l.ID)
	if err != nil {
		return err
	}
	c, err := Compile(ctx, e.st, l, n, e.cfg.Now(), scheduleOf(n).Loc())
	if err != nil {
		return err
	}
	if c.Empty() {
		return ErrNothing
	}
	n.NextDue = e.cfg.Now()
	if err := e.st.SetNewsletter(ctx, n); err != nil {
		return err
	}
	e.log.Info("newsletter issue due now", "list", l.Address, "by", by)
	e.Wake()
	return nil
}
