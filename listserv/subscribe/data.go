package subscribe

import (
	"context"
	"time"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Export is everything kept about one address (GDPR Article 15 and 20).
type Export struct {
	Address       string               `json:"address"`
	ExportedAt    time.Time            `json:"exported_at"`
	Profile       ExportProfile        `json:"profile"`
	Subscriptions []ExportSubscription `json:"subscriptions"`
	Consent       []ExportConsent      `json:"consent"`
	Posts         []ExportPost         `json:"posts"`
}

// ExportProfile is what the person told about themselves.
type ExportProfile struct {
	Name        string   `json:"name"`
	OrgName     string   `json:"organisation"`
	OrgWebsite  string   `json:"website"`
	OrgRegion   string   `json:"region"`
	OrgFocus    string   `json:"focus"`
	InDirectory bool     `json:"in_directory"`
	Format      string   `json:"format"`
	Newsletter  bool     `json:"newsletter"`
	Sections    []string `json:"newsletter_sections"`
}

// ExportConsent is one piece of consent evidence.
type ExportConsent struct {
	At     time.Time `json:"at"`
	List   string    `json:"list,omitempty"`
	Action string    `json:"action"`
	How    string    `json:"how"`
	Origin string    `json:"origin,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// ExportSubscription is one membership with its preferences.
type ExportSubscription struct {
	List        string    `json:"list"`
	Name        string    `json:"name"` // the name given when joining`
	Role        string    `json:"role"`
	Delivery    string    `json:"delivery"`
	NoMailUntil time.Time `json:"nomail_until,omitzero"`
	OwnPosts    bool      `json:"own_posts"`
	Status      string    `json:"status"`
	Source      string    `json:"source"`
	Joined      time.Time `json:"joined"`
}

// ExportPost is the metadata of one message the person sent.
type ExportPost struct {
	List      string    `json:"list"`
	Subject   string    `json:"subject"`
	MessageID string    `json:"message_id"`
	State     string    `json:"state"`
	Received  time.Time `json:"received"`
}

// Export gathers an address's data.
func (e *Engine) Export(ctx context.Context, address string) (*Export, error) {
	x := &Export{Address: address, ExportedAt: e.Now().UTC(), Subscriptions: []ExportSubscription{}, Posts: []ExportPost{}}
	p, err := e.Profile(ctx, address)
	if err != nil {
		return nil, err
	}
	x.Profile = ExportProfile{p.Name, p.OrgName, p.OrgWebsite, p.OrgRegion, p.OrgFocus, p.InDirectory, p.Format, p.Newsletter, p.Sections}
	ms, err := e.st.Memberships(ctx, address)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, m := range ms {
		p, err := e.st.GetMemberPrefs(ctx, m.ID)
		if err != nil {
			return nil, err
		}
		l, err := e.st.GetListByID(ctx, m.ListID)
		if err != nil {
			return nil, err
		}
		names[l.ID] = l.Address
		x.Subscriptions = append(x.Subscriptions, ExportSubscription{List: l.Address, Name: m.Name, Role: m.Role, Delivery: Choice(m, p),
			NoMailUntil: p.NoMailUntil, OwnPosts: p.OwnPosts, Status: m.Status, Source: m.Source, Joined: m.Created.UTC()})
	}
	cs, err := e.st.ListConsent(ctx, address)
	if err != nil {
		return nil, err
	}
	x.Consent = make([]ExportConsent, len(cs))
	for i, c := range cs {
		x.Consent[i] = ExportConsent{c.At.UTC(), c.ListAddress, c.Action, c.How, c.Origin, c.Detail}
	}
	err = e.eachPost(ctx, address, func(p *store.PostMeta) error {
		if _, ok := names[p.ListID]; !ok {
			if l, err := e.st.GetListByID(ctx, p.ListID); err == nil {
				names[p.ListID] = l.Address
			}
		}
		x.Posts = append(x.Posts, ExportPost{List: names[p.ListID], Subject: p.Subject, MessageID: p.MessageID,
			State: p.State, Received: p.Received.UTC()})
		return nil
	})
	return x, err
}

func (e *Engine) eachPost(ctx context.Context, address string, fn func(*store.PostMeta) error) error {
	for after := int64(0); ; {
		ps, err := e.st.PostsBy(ctx, address, after, 500)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if err := fn(p); err != nil {
				return err
			}
			after = p.ID
		}
		if len(ps) < 500 {
			return nil
		}
	}
}

// FormerMember is how an erased author appears in archives that anonymise.
const FormerMember = "former member"

// Erase deletes an account: every membership, the profile, preferences,
// consent, tokens and sessions. Posts stay in archives whose policy keeps
// them; where the list anonymises, the author becomes "former member" (and
// messages that were never archived are always anonymised).
func (e *Engine) Erase(ctx context.Context, address string) error {
	access := map[int64]string{}
	err := e.eachPost(ctx, address, func(p *store.PostMeta) error {
		if _, ok := access[p.ListID]; !ok {
			a, err := e.st.GetListAccess(ctx, p.ListID)
			if err != nil {
				return err
			}
			access[p.ListID] = a.Erasure
		}
		if p.State == store.StateAccepted && access[p.ListID] == store.ErasureKeep {
			return nil
		}
		return e.anonymise(ctx, p.ID)
	})
	if err != nil {
		return err
	}
	n, err := e.st.EraseAddress(ctx, address)
	if err != nil {
		return err
	}
	e.log.Info("account erased", "lists", n)
	subject, body := e.erasedText()
	return e.send(ctx, e.fromSite(note{to: address, subject: subject, body: body}))
}

// anonymise rewrites the author fields of a stored message. The post was
// already delivered; only the kept copy changes.
func (e *Engine) anonymise(ctx context.Context, id int64) error {
	m, err := e.st.GetMessage(ctx, id)
	if err != nil {
		return err
	}
	raw := m.Raw
	if h, body, err := mailhdr.Split(m.Raw); err == nil {
		h = h.Replace("From", FormerMember+" <former-member@invalid>").Without("Sender", "Reply-To", "Return-Path")
		raw = append(append(h.Bytes(), '\r', '\n'), body...)
	}
	return e.st.AnonymisePost(ctx, id, raw, FormerMember)
}
