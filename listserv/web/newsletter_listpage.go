package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// newsletterInfo is what a newsletter's own page adds to a list page:
// when it goes out, its recent issues, where to submit, and (for its
// editors) the next issue's page.
type newsletterInfo struct {
	Schedule, SubmitPath, EditorsPath string
	Issues                            []issueLink
}

type issueLink struct{ Path, Title string }

// recentIssues is how many issues a newsletter's page links.
const recentIssues = 5

func (h *subs) newsletterInfo(r *http.Request, l *store.List) (*newsletterInfo, error) {
	if l.Kind != store.KindNewsletter {
		return nil, nil
	}
	n, err := h.st.GetNewsletter(r.Context(), l.ID)
	if err != nil {
		return nil, err
	}
	info := &newsletterInfo{Schedule: n.Schedule, SubmitPath: "/submit?" + url.Values{"newsletter": {l.Address}}.Encode()}
	if c := CallerOf(r); c != nil && c.CanModerate(l.ID) {
		info.EditorsPath = "/newsletters/" + l.ListID() + "/next"
	}
	iss, err := h.st.ListIssues(r.Context(), l.ID, 0, recentIssues)
	if err != nil {
		return nil, err
	}
	for _, is := range iss {
		if is.State != store.IssueSent {
			continue
		}
		c := &newsletter.Content{List: l, Number: is.Number, Date: is.Date}
		info.Issues = append(info.Issues, issueLink{Path: "/newsletters/" + l.ListID() + "/issues/" + strconv.Itoa(is.Number),
			Title: newsletter.Title(c)})
	}
	return info, nil
}
