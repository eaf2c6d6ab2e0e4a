package newsletter

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Preview renders the next issue as it would be compiled now, for a
// subscriber (their sections and format) or, without an address, with
// every section; format "" is the subscriber's (else html).
func (e *Engine) Preview(ctx context.Context, l *store.List, address, format string) (*Rendered, error) {
	n, err := e.st.GetNewsletter(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	sc := scheduleOf(n)
	c, err := Compile(ctx, e.st, l, n, e.cfg.Now(), sc.Loc())
	if err != nil {
		return nil, err
	}
	c.BaseURL = e.cfg.BaseURL
	var sections []string
	if address != "" {
		if _, err := e.st.GetMember(ctx, l.ID, address); err != nil {
			return nil, fmt.Errorf("subscriber %s: %w", address, err)
		}
		p, err := e.st.GetPerson(ctx, address)
		if errors.Is(err, store.ErrNotFound) {
			p = store.DefaultPerson(address)
		} else if err != nil {
			return nil, err
		}
		sections = p.Sections
		if format == "" {
			format = p.Format
		}
	}
	if format == "" {
		format = store.FormatHTML
	}
	return Render(c.Personal(sections), format)
}

// IssueHTML is an archived issue as a web page (every section; the
// footer's unsubscribe link points to the preferences page instead).
func (e *Engine) IssueHTML(ctx context.Context, l *store.List, number int) (string, error) {
	is, err := e.st.GetIssue(ctx, l.ID, number)
	if err != nil {
		return "", err
	}
	n, err := e.st.GetNewsletter(ctx, l.ID)
	if err != nil {
		return "", err
	}
	c, err := Load(ctx, e.st, l, is, scheduleOf(n).Loc())
	if err != nil {
		return "", err
	}
	c.BaseURL = e.cfg.BaseURL
	h, err := renderHTML(c)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(h, unsubMark, prefsURL(c)), nil
}
