package fetch

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Source is one hosted mailbox to read.
type Source struct {
	// Implicit is imaps:// (TLS from the start); imap:// uses STARTTLS
	// when the server offers it and plaintext only on loopback.
	Implicit   bool
	Addr       string // host:port
	User, Pass string
	Mailbox    string
	// List is the list every message goes to (?list=, or the list whose
	// --fetch it is); empty: the recipients are read from the headers.
	List string
	// Key names the mailbox in the store: the URL without the password.
	Key string
}

// ErrBadURL: the URL cannot name a mailbox.
var ErrBadURL = errors.New("bad fetch URL")

// Parse reads imaps://user:pass@host[:993]/Mailbox[?list=ADDRESS] (or
// imap://, port 143). The mailbox defaults to INBOX; user and password
// are URL-escaped (%40 for an @ in the user name).
func Parse(raw string) (*Source, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	s := &Source{}
	port := "143"
	switch u.Scheme {
	case "imaps":
		s.Implicit, port = true, "993"
	case "imap":
	default:
		return nil, fmt.Errorf("%w: %q: use imaps://user:password@host/Mailbox (or imap://)", ErrBadURL, redact(u))
	}
	if u.Hostname() == "" || u.User == nil || u.User.Username() == "" {
		return nil, fmt.Errorf("%w: %q needs a user name and a host", ErrBadURL, redact(u))
	}
	s.User = u.User.Username()
	s.Pass, _ = u.User.Password()
	if u.Port() != "" {
		port = u.Port()
	}
	s.Addr = net.JoinHostPort(u.Hostname(), port)
	s.Mailbox = strings.TrimPrefix(u.Path, "/")
	if s.Mailbox == "" {
		s.Mailbox = "INBOX"
	}
	for k := range u.Query() {
		if k != "list" {
			return nil, fmt.Errorf("%w: unknown parameter %q (only list=ADDRESS)", ErrBadURL, k)
		}
	}
	s.List = strings.ToLower(u.Query().Get("list"))
	key := &url.URL{Scheme: u.Scheme, User: url.User(s.User), Host: s.Addr, Path: "/" + s.Mailbox}
	s.Key = key.String()
	return s, nil
}

// redact is u without its password, for messages and logs.
func redact(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.User(c.User.Username())
	}
	return c.String()
}

// String is the source without its password.
func (s *Source) String() string { return s.Key }
