package mailauth

import (
	"bytes"
	"context"
	"net"
	"strings"
	"time"

	"blitiri.com.ar/go/spf"
	"github.com/emersion/go-msgauth/authres"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-msgauth/dmarc"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
)

// Config sets up a Checker.
type Config struct {
	Resolver Resolver
	// AuthservID names this server in the Authentication-Results it adds
	// (RFC 8601 section 2.5); the host name.
	AuthservID string
	// TrustAuthservID, when set, is the authserv-id of the MTA in front
	// (Postfix with OpenDKIM/OpenDMARC): its Authentication-Results are
	// used instead of checking again. Fields with any other id are never
	// trusted, since anyone can write them.
	TrustAuthservID string
}

// Checker authenticates posts.
type Checker struct {
	cfg Config
	pol *Policies
}

// New makes a checker; it shares its DMARC cache through Policies.
func New(cfg Config) *Checker {
	return &Checker{cfg: cfg, pol: NewPolicies(cfg.Resolver)}
}

// AuthservID is the id this server's Authentication-Results carry.
func (c *Checker) AuthservID() string { return c.cfg.AuthservID }

// Policies is the checker's DMARC lookup, for outbound mitigation.
func (c *Checker) Policies() *Policies { return c.pol }

// Input is one message as it arrived.
type Input struct {
	IP       net.IP // the SMTP client; nil when unknown (LMTP from an MTA)
	Helo     string
	MailFrom string
	Raw      []byte
}

// Result is what the checks found.
type Result struct {
	From       string // the author address (first From), lower case
	FromDomain string
	FromCount  int // From fields in the header

	SPF       spf.Result
	SPFDomain string
	DKIM      []string // domains whose signatures verify
	DMARC     authres.ResultValue
	Policy    dmarc.Policy
	Upstream  string // the trusted authserv-id whose results were used

	SPFAligned, DKIMAligned bool
	aspf, adkim             dmarc.AlignmentMode
}

// Check runs SPF, DKIM and DMARC on in (or reads a trusted MTA's results).
func (c *Checker) Check(ctx context.Context, in Input) *Result {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	r := &Result{SPF: spf.None}
	h, _, err := mailhdr.Split(in.Raw)
	if err == nil {
		r.From, r.FromCount = authorOf(h)
	}
	_, r.FromDomain, _ = strings.Cut(r.From, "@")
	if !c.fromUpstream(h, r) {
		c.checkSPF(ctx, in, r)
		c.checkDKIM(ctx, in.Raw, r)
	}
	c.checkDMARC(ctx, r)
	return r
}

// authorOf is the first From address and how many From fields there are.
func authorOf(h mailhdr.Header) (string, int) {
	n := 0
	for _, f := range h {
		if strings.EqualFold(f.Name, "From") {
			n++
		}
	}
	p, err := mailhdr.Parse(h.Bytes())
	if err != nil {
		return "", n
	}
	return p.From, n
}

func (c *Checker) checkSPF(ctx context.Context, in Input, r *Result) {
	if in.IP == nil {
		return
	}
	sender := in.MailFrom
	r.SPFDomain = in.Helo
	if _, d, ok := strings.Cut(sender, "@"); ok {
		r.SPFDomain = d
	} else {
		sender = ""
	}
	res, _ := spf.CheckHostWithSender(in.IP, in.Helo, sender, spf.WithResolver(c.cfg.Resolver), spf.WithContext(ctx))
	r.SPF = res
}

func (c *Checker) checkDKIM(ctx context.Context, raw []byte, r *Result) {
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: lookupTXT(ctx, c.cfg.Resolver), MaxVerifications: 5})
	if err != nil && len(vs) == 0 {
		return
	}
	for _, v := range vs {
		if v.Err == nil {
			r.DKIM = append(r.DKIM, strings.ToLower(v.Domain))
		}
	}
}

// checkDMARC evaluates alignment against the From domain's policy.
func (c *Checker) checkDMARC(ctx context.Context, r *Result) {
	if r.FromDomain == "" {
		r.DMARC = authres.ResultNone
		return
	}
	rec, inherited, err := c.pol.Lookup(ctx, r.FromDomain)
	if rec != nil {
		r.aspf, r.adkim = rec.SPFAlignment, rec.DKIMAlignment
	}
	r.SPFAligned = r.SPF == spf.Pass && Aligned(r.SPFDomain, r.FromDomain, r.aspf)
	for _, d := range r.DKIM {
		r.DKIMAligned = r.DKIMAligned || Aligned(d, r.FromDomain, r.adkim)
	}
	switch {
	case r.DMARC != "": // the trusted MTA said
	case err != nil:
		r.DMARC = authres.ResultTempError
	case rec == nil:
		r.DMARC = authres.ResultNone
	case r.SPFAligned || r.DKIMAligned:
		r.DMARC = authres.ResultPass
	default:
		r.DMARC = authres.ResultFail
	}
	r.Policy = EffectivePolicy(rec, inherited)
}

// fromUpstream fills r from the trusted MTA's Authentication-Results.
func (c *Checker) fromUpstream(h mailhdr.Header, r *Result) bool {
	if c.cfg.TrustAuthservID == "" {
		return false
	}
	for _, v := range h.Values("Authentication-Results") {
		id, results, err := authres.Parse(v)
		if err != nil || !strings.EqualFold(id, c.cfg.TrustAuthservID) {
			continue
		}
		for _, res := range results {
			switch res := res.(type) {
			case *authres.SPFResult:
				r.SPF, r.SPFDomain = spf.Result(res.Value), domainOf(res.From)
			case *authres.DKIMResult:
				if res.Value == authres.ResultPass {
					r.DKIM = append(r.DKIM, strings.ToLower(res.Domain))
				}
			case *authres.DMARCResult:
				r.DMARC = res.Value
			}
		}
		r.Upstream = id
		return true // the topmost field of that id is the MTA's own
	}
	return false
}

func domainOf(s string) string {
	if _, d, ok := strings.Cut(s, "@"); ok {
		return strings.ToLower(d)
	}
	return strings.ToLower(s)
}

// Header is the Authentication-Results field (CRLF ended) recording r.
func (r *Result) Header(authservID string) []byte {
	var rs []authres.Result
	if r.SPFDomain != "" || r.SPF != spf.None {
		rs = append(rs, &authres.SPFResult{Value: authres.ResultValue(r.SPF), From: r.SPFDomain})
	}
	if len(r.DKIM) == 0 {
		rs = append(rs, &authres.DKIMResult{Value: authres.ResultNone})
	}
	for _, d := range r.DKIM {
		rs = append(rs, &authres.DKIMResult{Value: authres.ResultPass, Domain: d})
	}
	rs = append(rs, &authres.DMARCResult{Value: r.DMARC, From: r.FromDomain})
	return mailhdr.New("Authentication-Results", authres.Format(authservID, rs)).Raw
}

// ReasonImpersonation is why a post is held when its From names a member
// who may not have sent it.
const ReasonImpersonation = "may not be from the member it claims"

// Impersonation says why a post whose From names a member must be held,
// or "": when the From domain publishes DMARC, the post fails it; when it
// does not, neither SPF nor DKIM aligns with the From domain and the
// envelope sender is not the member either. A temporary DNS failure holds
// nothing (the member's post is not delayed by our DNS).
func (r *Result) Impersonation(envelopeFrom string) string {
	switch r.DMARC {
	case authres.ResultFail:
		return ReasonImpersonation + ": DMARC fails for " + r.FromDomain + " (" + r.detail() + ")"
	case authres.ResultNone:
		if r.SPFAligned || r.DKIMAligned || strings.EqualFold(envelopeFrom, r.From) {
			return ""
		}
		return ReasonImpersonation + ": neither SPF nor DKIM authenticates " + r.FromDomain + " (" + r.detail() + ")"
	}
	return ""
}

func (r *Result) detail() string {
	d := "SPF " + string(r.SPF)
	if r.SPFDomain != "" {
		d += " for " + r.SPFDomain
	}
	if len(r.DKIM) == 0 {
		return d + ", no valid DKIM signature"
	}
	return d + ", DKIM signed by " + strings.Join(r.DKIM, ", ") + " only"
}
