// Package moderation is the moderation engine: why posts are held (the
// content checks and sender rules the pipeline applies), what a moderator's
// action does beyond the store's exactly-once ResolveHeld (notices, sender
// rules, new-member counts), the notices sent when something is held, email
// replies to them, and housekeeping (expiry, daily reminders).
//
// Every action goes through the store's conditional UPDATE, and mail that
// follows an action is queued only by the caller that won it, so two
// moderators acting at once by web, email or CLI produce one effect and one
// set of notices.
package moderation

import "github.com/demnet-uk/listserv/listserv/store"

// Hold reasons this package decides, shown to moderators. (The pipeline
// has its own for membership and list policy.)
const (
	ReasonNewMember      = "new member: the first posts are moderated"
	ReasonRuleHold       = "the sender is on the list's hold list"
	ReasonRuleDiscard    = "the sender is on the list's discard list"
	ReasonRuleReject     = store.ReasonRuleReject
	ReasonAdministrivia  = "looks like a request to join or leave the list"
	ReasonTooManyRcpts   = "too many recipients in To and Cc"
	ReasonAttachmentType = "contains an attachment type the list does not accept"
	ReasonUnreadableMIME = "the message's MIME structure could not be read"
)

// Action is what a moderator does with a held item.
type Action string

// Moderator actions. Approve, Reject and Discard map to the store's
// HeldActions; the others add a sender rule or only a note.
const (
	Approve       Action = "approve"
	ApproveAlways Action = "approve-always" // approve and always accept the sender
	Reject        Action = "reject"
	Ban           Action = "ban" // reject and always reject the sender
	Discard       Action = "discard"
	Defer         Action = "defer" // leave it pending, with a note
)

// ParseAction accepts an action's name.
func ParseAction(s string) (Action, bool) {
	switch a := Action(s); a {
	case Approve, ApproveAlways, Reject, Ban, Discard, Defer:
		return a, true
	}
	return "", false
}

// CannedReasons are the rejection reasons offered on the web page.
var CannedReasons = []string{
	"This is off-topic for the list.",
	"Please join the list before posting.",
	"The message is too large: please send a link instead of the attachment.",
	"The list does not accept attachments of this type.",
	"This was already discussed on the list.",
}

// Actors that are not people, as they appear in the audit log.
const (
	ActorRule   = "sender-rule"
	ActorExpiry = "expiry"
)
