package subscribe

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/demnet-uk/listserv/listserv/store"
)

// Option is one choice of a fixed vocabulary: a value kept and a label shown.
type Option struct{ Value, Label string }

// Regions are the UK's nations and England's regions, for the directory.
var Regions = []Option{
	{"uk-wide", "UK-wide"}, {"england", "England (all of it)"}, {"north-east", "North East England"},
	{"north-west", "North West England"}, {"yorkshire", "Yorkshire and the Humber"},
	{"east-midlands", "East Midlands"}, {"west-midlands", "West Midlands"}, {"east", "East of England"},
	{"london", "London"}, {"south-east", "South East England"}, {"south-west", "South West England"},
	{"scotland", "Scotland"}, {"wales", "Wales"}, {"northern-ireland", "Northern Ireland"},
}

// Focuses are what an organisation mainly works on.
var Focuses = []Option{
	{"participation", "Participation and turnout"}, {"education", "Civic education"},
	{"deliberation", "Citizens' assemblies and deliberation"}, {"elections", "Elections and electoral reform"},
	{"local", "Local democracy"}, {"research", "Research"}, {"campaigning", "Campaigning"},
	{"digital", "Digital democracy"}, {"transparency", "Transparency and accountability"},
	{"community", "Community organising"}, {"other", "Other"},
}

// Sections are the parts of the weekly newsletter one can choose.
var Sections = []Option{{"events", "Events"}, {"research", "Research"}, {"asks", "Asks"}, {"offers", "Offers"}}

// Label returns the label of value in opts ("" when unknown).
func Label(opts []Option, value string) string {
	for _, o := range opts {
		if o.Value == value {
			return o.Label
		}
	}
	return ""
}

// ErrInvalidProfile carries a message for the person filling the form.
type ErrInvalidProfile struct{ Field, Msg string }

func (e *ErrInvalidProfile) Error() string { return e.Field + ": " + e.Msg }

// CheckProfile validates and tidies what a person typed.
func CheckProfile(p *store.Person) error {
	for _, f := range []*string{&p.Name, &p.OrgName, &p.OrgWebsite} {
		*f = strings.Join(strings.Fields(*f), " ") // one line, no stray blanks
	}
	if utf8.RuneCountInString(p.Name) > 100 || utf8.RuneCountInString(p.OrgName) > 150 {
		return &ErrInvalidProfile{"name", "Names can be at most 100 characters, organisation names 150."}
	}
	if p.OrgWebsite != "" {
		if !strings.Contains(p.OrgWebsite, "://") {
			p.OrgWebsite = "https://" + p.OrgWebsite
		}
		u, err := url.Parse(p.OrgWebsite)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || !strings.Contains(u.Host, ".") || len(p.OrgWebsite) > 300 {
			return &ErrInvalidProfile{"website", "Enter the website's address, like https://example.org."}
		}
	}
	if p.OrgRegion != "" && Label(Regions, p.OrgRegion) == "" {
		return &ErrInvalidProfile{"region", "Choose a nation or region from the list."}
	}
	if p.OrgFocus != "" && Label(Focuses, p.OrgFocus) == "" {
		return &ErrInvalidProfile{"focus", "Choose a focus from the list."}
	}
	if p.Format != store.FormatHTML && p.Format != store.FormatPlain {
		p.Format = store.FormatHTML
	}
	var secs []string
	for _, s := range p.Sections {
		if Label(Sections, s) != "" && !slices.Contains(secs, s) {
			secs = append(secs, s)
		}
	}
	p.Sections = secs
	return nil
}

// Profile returns a person's profile, or the defaults. Without a display
// name of its own it takes the name given when joining (kept on the
// membership): what a person told us is theirs to see and change.
func (e *Engine) Profile(ctx context.Context, address string) (*store.Person, error) {
	p, err := e.st.GetPerson(ctx, address)
	if errors.Is(err, store.ErrNotFound) {
		p, err = store.DefaultPerson(address), nil
	}
	if err != nil || p.Name != "" {
		return p, err
	}
	ms, err := e.st.Memberships(ctx, address)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.Name != "" {
			p.Name = m.Name
			break
		}
	}
	return p, nil
}
