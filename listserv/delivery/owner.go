package delivery

import (
	"bytes"

	"github.com/demnet-uk/listserv/listserv/mailhdr"
	"github.com/demnet-uk/listserv/listserv/store"
)

// prepareOwner renders mail to LIST-owner@ (state owner, fanned out to the
// owners only) as a private forward, not a list post: the asker's own
// From, Reply-To (or Reply-To set to the asker when they gave none, so an
// owner's Reply reaches them), the subject as written, and none of the
// RFC 2369 fields or the List-Id, which would invite replies and
// unsubscribes to the list and file the mail with list traffic. Two fields
// mark the route: X-Original-To (the address it was sent to, as MTAs
// record it) and X-Loop (our own loop check).
func prepareOwner(l *store.List, m *store.Message) (*Prepared, error) {
	h, body, err := mailhdr.Split(m.Raw)
	if err != nil {
		return nil, err
	}
	h = dotSafe(h.Without(dropFields...).Without("X-Original-To"))
	if !h.Has("Reply-To") {
		if asker := askerAddress(m); asker != "" {
			h = h.Replace("Reply-To", "<"+asker+">")
		}
	}
	var b bytes.Buffer
	b.Write(mailhdr.New("X-Original-To", l.SubAddress("owner")).Raw)
	b.Write(mailhdr.New("X-Loop", l.Address).Raw)
	b.Write(h.Bytes())
	full := append([]byte("\r\n"), body...)
	return &Prepared{Shared: b.Bytes(), Body: full, Stuffed: dotStuff(full), private: true}, nil
}

// askerAddress is who wrote to the owners: From, else the envelope sender.
func askerAddress(m *store.Message) string {
	if m.FromAddr != "" {
		return m.FromAddr
	}
	return m.EnvelopeFrom
}
