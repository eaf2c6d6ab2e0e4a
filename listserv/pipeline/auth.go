package pipeline

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"

	"github.com/demnet-uk/listserv/listserv/mailauth"
	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

// ReasonTwoFrom holds a post with more than one From field: readers see
// one and DMARC checks another (RFC 7489 section 6.6.1).
const ReasonTwoFrom = "more than one From field"

// authRun is one message's authentication, done at most once however
// many lists it is posted to.
type authRun struct {
	once sync.Once
	res  *mailauth.Result
}

// authenticate checks the message once (nil without a checker).
func (p *Pipeline) authenticate(ctx context.Context, env Envelope, raw []byte) *mailauth.Result {
	if p.Auth == nil || env.auth == nil {
		return nil
	}
	env.auth.once.Do(func() {
		in := mailauth.Input{Helo: env.Helo, MailFrom: env.From, Raw: raw}
		if env.Transport == "smtp" {
			if host, _, err := net.SplitHostPort(env.Remote); err == nil {
				in.IP = net.ParseIP(host)
			}
		}
		env.auth.res = p.Auth.Check(ctx, in)
	})
	return env.auth.res
}

// authHold says why a post must wait for a moderator because of who may
// have sent it, or "": two From fields, or a From naming a member of l
// that the checks do not bear out.
func (p *Pipeline) authHold(ctx context.Context, env Envelope, l *store.List, m *mailhdr.Parsed, raw []byte) (string, error) {
	if countFields(m.Header, "From") > 1 {
		return ReasonTwoFrom, nil
	}
	res := p.authenticate(ctx, env, raw)
	if res == nil || m.From == "" {
		return "", nil
	}
	why := res.Impersonation(env.From)
	if why == "" {
		return "", nil
	}
	_, err := p.st.GetMember(ctx, l.ID, m.From)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil // a non-member: the list's own policy decides
	}
	if err != nil {
		return "", err
	}
	return why, nil
}

// withAuthResults puts this server's Authentication-Results on top of the
// stored post, so moderators and the archive see what was checked.
func (p *Pipeline) withAuthResults(env Envelope, raw []byte) []byte {
	if p.Auth == nil || env.auth == nil || env.auth.res == nil {
		return raw
	}
	return append(env.auth.res.Header(p.Auth.AuthservID()), raw...)
}

func countFields(h mailhdr.Header, name string) int {
	n := 0
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			n++
		}
	}
	return n
}
