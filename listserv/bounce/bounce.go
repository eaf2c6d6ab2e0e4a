// Package bounce reads returned mail: delivery status notifications
// (RFC 3464), the non-standard bounce formats of common MTAs and
// providers, and feedback reports (ARF, RFC 5965). Parse names the
// failed recipients and whether each failure is permanent or temporary.
//
// Implementation notes: detectors run in a fixed order and the first
// confident answer wins (flufl.bounce runs all and merges, which turns
// addresses quoted in one format's text into false failures of another).
// The order is: feedback report, machine-readable DSN, auto-reply,
// known MTA layouts, then a generic reading of the report text (an
// address that opens a line, with the status code or reply text near
// it). Only mail that looks like a bounce (null or robot sender, bounce
// subject, report content type) gets the generic reading. Addresses of
// bystanders (the original sender, postmaster, the bounce's own From and
// To) are never reported.
package bounce

// Kind is what a message is.
type Kind string

// Kinds of message.
const (
	NotBounce Kind = "not-bounce"
	Failed    Kind = "bounce"    // one or more recipients failed (or are delayed)
	Delivered Kind = "delivered" // a success DSN: nothing failed
	Feedback  Kind = "feedback"  // an ARF report: the recipients complained
	AutoReply Kind = "autoreply" // vacation and other automatic answers
)

// Class is how a failure counts.
type Class string

// Classes of failure.
const (
	Permanent Class = "permanent"
	Temporary Class = "temporary"
)

// Recipient is one failed (or complaining) recipient.
type Recipient struct {
	Address string // lower-cased addr-spec
	Class   Class  // empty for feedback reports
	Status  string // enhanced status code, e.g. 5.1.1, when known
}

// Result is what Parse found.
type Result struct {
	Kind       Kind
	Recipients []Recipient
	Detector   string // which detector answered, for logs and tests
	// OriginalTo are the To addresses of the returned message, when it
	// is enclosed (for ARF reports that name no recipient).
	OriginalTo []string
	// Robot: the message looks machine-made as a bounce does (null or
	// robot sender, report type, bounce subject).
	Robot bool
}

// maxSize bounds the bytes read; the parts of a bounce that matter are
// at its start.
const maxSize = 1 << 20

// Parse reads raw (a whole message, header and body) and says what it is.
// It never fails: unreadable mail is NotBounce.
func Parse(raw []byte) *Result {
	return parse(raw, false)
}

// parse is Parse; nested marks an enclosed message (see detectEnclosed).
func parse(raw []byte, nested bool) *Result {
	if len(raw) > maxSize {
		raw = raw[:maxSize]
	}
	m := readMessage(raw)
	m.nested = nested
	for _, d := range detectors() {
		if r := d.fn(m); r != nil {
			r.Detector = d.name
			if r.OriginalTo == nil {
				r.OriginalTo = m.origTo
			}
			r.Robot = m.looksLikeBounce()
			return r
		}
	}
	return &Result{Kind: NotBounce, OriginalTo: m.origTo, Robot: m.looksLikeBounce()}
}

type detector struct {
	name string
	fn   func(*msg) *Result
}

// detectors in the order they are tried; see the package comment. A
// function, not a variable: detectEnclosed parses again.
func detectors() []detector {
	return []detector{
		{"challenge", detectChallenge},
		{"arf", detectARF},
		{"dsn", detectDSN},
		{"ses", detectSES},
		{"autoreply", detectAutoReply},
		{"yale", detectYale},
		{"llnl", detectLLNL},
		{"exim-local", detectEximLocal},
		{"fml", detectFML},
		{"aol", detectAOL},
		{"biglobe", detectBiglobe},
		{"text", detectText},
		{"enclosed", detectEnclosed},
		{"original-to", detectOriginalTo},
	}
}
