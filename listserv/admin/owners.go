package admin

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ListKeys are the list settings UpdateList takes, by their CLI names;
// ListDigestKeys are taken too.
var ListKeys = []string{"name", "description", "policy", "archive", "subject-prefix", "reply-to", "max-size", "footer"}

// MaxFooter bounds a list's footer (it goes into every copy).
const MaxFooter = 2000

// settingWords names each setting in an audit entry.
var settingWords = map[string]string{
	"name": "the name", "description": "the description", "policy": "who may post",
	"archive": "who may read the archive", "subject-prefix": "the subject prefix", "reply-to": "where replies go",
	"max-size": "the largest post", "footer": "the footer", "digest-hour": "the digest hour",
	"digest-weekday": "the weekly digest day", "digest-max-posts": "the posts per digest",
	"digest-max-bytes": "the bytes per digest",
}

// UpdateList changes a list's settings and digest defaults given by their
// CLI names (`list set` and the owners' settings page), in one audited
// transaction. It returns the names of the settings that changed; none is
// not an error (nothing is written then).
func UpdateList(ctx context.Context, st OwnerStore, l *store.List, set map[string]string, by string) ([]string, error) {
	nl := *l
	var ld, old *store.ListDigest
	var changed, words []string
	for _, k := range append(append([]string{}, ListKeys...), ListDigestKeys...) {
		v, ok := set[k]
		if !ok {
			continue
		}
		before := listValue(&nl, ld, k)
		if strings.HasPrefix(k, "digest-") {
			if ld == nil {
				d, err := st.GetListDigest(ctx, l.ID)
				if err != nil {
					return nil, err
				}
				c := *d
				ld, old = d, &c
				before = listValue(&nl, old, k)
			}
			if err := SetListDigestField(ld, k, v); err != nil {
				return nil, err
			}
		} else if err := setListKey(&nl, k, v); err != nil {
			return nil, err
		}
		if after := listValue(&nl, ld, k); after != before {
			changed = append(changed, k)
			words = append(words, fmt.Sprintf("%s from %s to %s", settingWords[k], quoteSetting(before), quoteSetting(after)))
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	if ld != nil && *ld == *old {
		ld = nil
	}
	a := &store.Audit{Actor: by, Action: "list settings", ListID: l.ID, Target: l.Address,
		Detail: by + " changed " + strings.Join(words, "; ")}
	if err := st.SaveListSettings(ctx, &nl, ld, a); err != nil {
		return nil, err
	}
	*l = nl
	return changed, nil
}

func setListKey(l *store.List, k, v string) error {
	if k != "footer" {
		return SetListField(l, k, v)
	}
	v = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n"))
	if len(v) > MaxFooter {
		return invalid("the footer is longer than %d characters", MaxFooter)
	}
	if strings.ContainsFunc(v, func(r rune) bool { return r < ' ' && r != '\n' && r != '\t' || r == 0x7f }) {
		return invalid("the footer must be plain text")
	}
	l.Footer = v
	return nil
}

// listValue is one setting as text, for the audit entry.
func listValue(l *store.List, d *store.ListDigest, k string) string {
	switch k {
	case "name":
		return l.Name
	case "description":
		return l.Description
	case "policy":
		return l.Policy
	case "archive":
		return l.Archive
	case "subject-prefix":
		return l.SubjectPrefix
	case "reply-to":
		return l.ReplyTo
	case "max-size":
		return strconv.FormatInt(l.MaxSize, 10)
	case "footer":
		return l.Footer
	}
	if d == nil {
		return ""
	}
	switch k {
	case "digest-hour":
		return strconv.Itoa(d.Hour)
	case "digest-weekday":
		return d.Weekday.String()
	case "digest-max-posts":
		return strconv.Itoa(d.MaxPosts)
	case "digest-max-bytes":
		return strconv.FormatInt(d.MaxBytes, 10)
	}
	return ""
}

func quoteSetting(v string) string {
	if v == "" {
		return "(none)"
	}
	return strconv.Quote(clip(v))
}

// AddMembers adds members the caller vouches for (no confirmation), in
// one audited transaction: `member add` and the owners' members page.
func AddMembers(ctx context.Context, st OwnerStore, l *store.List, ms []store.NewMember, by string) (added, skipped int, err error) {
	if len(ms) == 0 {
		return 0, 0, invalid("no addresses given")
	}
	names := make([]string, 0, 3)
	for i := range ms {
		if err := CheckMember(&ms[i]); err != nil {
			return 0, 0, err
		}
		if i < 3 {
			names = append(names, ms[i].Address)
		}
	}
	who := strings.Join(names, ", ")
	if len(ms) > 3 {
		who += fmt.Sprintf(" and %d more", len(ms)-3)
	}
	a := &store.Audit{Actor: by, Action: "add members", ListID: l.ID, Target: l.Address, Detail: by + " added " + who}
	return st.AddMembersAudited(ctx, l.ID, ms, a)
}

// member finds a list's member or says, as bad input, that there is none.
func member(ctx context.Context, st OwnerStore, l *store.List, address string) (*store.Member, error) {
	m, err := st.GetMember(ctx, l.ID, strings.TrimSpace(address))
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalid("%s is not a member of %s", clip(address), l.Address)
	}
	return m, err
}

// RemoveMember takes a member off a list, keeping the departure as consent
// evidence (how: operator or owner) and an audit entry: `member rm` and
// the owners' members page.
func RemoveMember(ctx context.Context, st OwnerStore, l *store.List, address, how, by string) (*store.Member, error) {
	m, err := member(ctx, st, l, address)
	if err != nil {
		return nil, err
	}
	c := &store.Consent{Action: "left", How: how, Origin: by, At: time.Now()}
	a := &store.Audit{Actor: by, Action: "remove member", ListID: l.ID, Target: m.Address,
		Detail: by + " removed " + m.Address + " from " + l.Address}
	return st.RemoveMemberAudited(ctx, m.ID, c, a)
}

// EnableMember turns back on the delivery of a member bounces disabled,
// clearing the score: `member enable` and the owners' members page.
func EnableMember(ctx context.Context, st OwnerStore, l *store.List, address, by string) (*store.Member, error) {
	m, err := member(ctx, st, l, address)
	if err != nil {
		return nil, err
	}
	a := &store.Audit{Actor: by, Action: "re-enable member", ListID: l.ID, Target: m.Address,
		Detail: fmt.Sprintf("%s turned delivery back on for %s (bounce score was %.1f)", by, m.Address, m.BounceScore)}
	return st.EnableMemberAudited(ctx, m.ID, a)
}
