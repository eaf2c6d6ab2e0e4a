// Package admin is what operators can do, shared by the CLI and (later) the
// web and JSON API: it validates input and turns it into store calls.
package admin

import (
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ErrInvalid marks bad operator input (the CLI exits 2 on it).
var ErrInvalid = errors.New("invalid input")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// CheckAddress validates a bare address (no display name).
func CheckAddress(a string) (string, error) {
	a = strings.TrimSpace(a)
	p, err := mail.ParseAddress(a)
	if err != nil || p.Address != a || !strings.Contains(a, "@") {
		return "", invalid("%q is not an email address", clip(a))
	}
	return a, nil
}

func oneOf(field, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return invalid("%s must be one of %s, not %q", field, strings.Join(allowed, ", "), clip(v))
}

// CheckList validates list settings.
func CheckList(l *store.List) error {
	if _, err := CheckAddress(l.Address); err != nil {
		return err
	}
	if lp := l.LocalPart(); strings.ContainsAny(lp, "+") {
		return invalid("a list address cannot contain '+' (used for VERP)")
	}
	if l.Policy != "" {
		if err := oneOf("policy", l.Policy, store.PolicyOpen, store.PolicyMembers, store.PolicyModerated, store.PolicyAnnounce); err != nil {
			return err
		}
	}
	if l.Archive != "" {
		if err := oneOf("archive", l.Archive, "public", "members", "off"); err != nil {
			return err
		}
	}
	if l.ReplyTo != "" {
		if err := oneOf("reply-to", l.ReplyTo, "list", "author"); err != nil {
			return err
		}
	}
	if strings.ContainsAny(l.Name+l.Description+l.SubjectPrefix, "\r\n") {
		return invalid("name, description and subject prefix must be one line")
	}
	return nil
}

// SetListField changes one setting by its CLI name.
func SetListField(l *store.List, key, value string) error {
	switch key {
	case "name":
		l.Name = value
	case "description":
		l.Description = value
	case "policy":
		l.Policy = value
	case "archive":
		l.Archive = value
	case "subject-prefix":
		l.SubjectPrefix = value
	case "reply-to":
		l.ReplyTo = value
	case "max-size":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < 0 {
			return invalid("max-size must be a number of bytes")
		}
		l.MaxSize = n
	default:
		return invalid("unknown setting %q (name, description, policy, archive, subject-prefix, reply-to, max-size)", key)
	}
	return CheckList(l)
}

// CheckMember validates one member to add.
func CheckMember(m *store.NewMember) error {
	a, err := CheckAddress(m.Address)
	if err != nil {
		return err
	}
	m.Address = a
	if m.Role != "" {
		if err := oneOf("role", m.Role, store.RoleMember, store.RoleModerator, store.RoleOwner); err != nil {
			return err
		}
	}
	if m.Mode != "" {
		if err := oneOf("mode", m.Mode, store.ModeEach, store.ModeDigest, store.ModeNoMail); err != nil {
			return err
		}
	}
	return nil
}
