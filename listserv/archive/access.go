package archive

import "github.com/demnet-uk/listserv/listserv/store"

// Archive visibility (store.List.Archive).
const (
	Public  = "public"
	Members = "members"
	Off     = "off"
)

// Access is what a visitor may do with a list's archive.
type Access int

// Access answers.
const (
	// Allowed: read pages, raw posts, attachments and exports.
	Allowed Access = iota
	// SignIn: members only, and nobody is signed in.
	SignIn
	// Forbidden: members only, and the caller is not a member.
	Forbidden
	// NoArchive: the list keeps no web archive.
	NoArchive
)

// CanRead decides for one list and caller; role is the caller's role on
// the list ("" for none) and signedIn whether anyone is signed in.
func CanRead(l *store.List, role string, signedIn bool) Access {
	switch l.Archive {
	case Public, "":
		return Allowed
	case Members:
		switch {
		case role != "":
			return Allowed
		case !signedIn:
			return SignIn
		}
		return Forbidden
	}
	return NoArchive
}

// HasFeed: only public archives have a feed (feed readers carry no
// session, and a members-only feed would leak through shared readers).
func HasFeed(l *store.List) bool { return l.Archive == Public || l.Archive == "" }
