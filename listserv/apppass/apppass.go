// Package apppass creates, lists, revokes and checks app passwords: the
// passwords a person's mail client signs in to the IMAP archive with.
// The web page (/me/app-passwords) and the CLI (listserv app-password)
// both act through Engine, one function per action. Only an argon2id
// hash is kept; the password is shown once, when it is made.
package apppass

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/demnet-uk/listserv/listserv/store"
)

// MaxPerAddress bounds how many app passwords one person may have (each
// sign-in may have to check them all).
const MaxPerAddress = 10

// maxName is the longest name, in characters.
const maxName = 60

// Errors the CLI and the page turn into messages.
var (
	ErrInvalid     = errors.New("invalid")
	ErrTooMany     = fmt.Errorf("%w: at most %d app passwords per address; revoke one first", ErrInvalid, MaxPerAddress)
	ErrBadPassword = errors.New("wrong address or app password")
)

// Store is what app passwords need.
type Store interface {
	CreateAppPassword(ctx context.Context, p *store.AppPassword) error
	ListAppPasswords(ctx context.Context, address string) ([]*store.AppPassword, error)
	DeleteAppPassword(ctx context.Context, address string, id int64) error
	TouchAppPassword(ctx context.Context, id int64, at time.Time) error
	AddAudit(ctx context.Context, a *store.Audit) error
}

// Engine acts on app passwords.
type Engine struct {
	st  Store
	log *slog.Logger
	now func() time.Time
}

// New returns an engine over st.
func New(st Store, log *slog.Logger) *Engine {
	return &Engine{st: st, log: log, now: time.Now}
}

// Create makes a new app password for address and returns it in clear
// (to be shown once) with its stored record. by is who asked (audit).
func (e *Engine) Create(ctx context.Context, address, name, by string) (string, *store.AppPassword, error) {
	address = store.NormalizeAddress(address)
	if err := checkAddress(address); err != nil {
		return "", nil, err
	}
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		name = "mail client"
	}
	if utf8.RuneCountInString(name) > maxName {
		return "", nil, fmt.Errorf("%w: the name is longer than %d characters", ErrInvalid, maxName)
	}
	have, err := e.st.ListAppPasswords(ctx, address)
	if err != nil {
		return "", nil, err
	}
	if len(have) >= MaxPerAddress {
		return "", nil, ErrTooMany
	}
	secret := newSecret()
	h, err := hash(canonical(secret))
	if err != nil {
		return "", nil, err
	}
	p := &store.AppPassword{Address: address, Name: name, Hash: h, Created: e.now()}
	if err := e.st.CreateAppPassword(ctx, p); err != nil {
		return "", nil, err
	}
	e.audit(ctx, by, "app password created", address, p)
	return secret, p, nil
}

// List returns address's app passwords, oldest first.
func (e *Engine) List(ctx context.Context, address string) ([]*store.AppPassword, error) {
	return e.st.ListAppPasswords(ctx, store.NormalizeAddress(address))
}

// Revoke deletes one of address's app passwords; store.ErrNotFound when
// address has no such password.
func (e *Engine) Revoke(ctx context.Context, address string, id int64, by string) error {
	address = store.NormalizeAddress(address)
	if err := e.st.DeleteAppPassword(ctx, address, id); err != nil {
		return err
	}
	e.audit(ctx, by, "app password revoked", address, &store.AppPassword{ID: id})
	return nil
}

// Verify checks password against address's app passwords, records the
// use of the one that matches and returns it; ErrBadPassword otherwise.
func (e *Engine) Verify(ctx context.Context, address, password string) (*store.AppPassword, error) {
	address = store.NormalizeAddress(address)
	if checkAddress(address) != nil || canonical(password) == "" {
		return nil, ErrBadPassword
	}
	ps, err := e.st.ListAppPasswords(ctx, address)
	if err != nil {
		return nil, err
	}
	password = canonical(password)
	for _, p := range ps {
		ok, err := matches(p.Hash, password)
		if err != nil {
			e.log.Warn("unreadable app password hash", "address", address, "id", p.ID, "err", err)
			continue
		}
		if ok {
			p.LastUsed = e.now()
			if err := e.st.TouchAppPassword(ctx, p.ID, p.LastUsed); err != nil {
				e.log.Warn("record app password use", "err", err)
			}
			return p, nil
		}
	}
	return nil, ErrBadPassword
}

func (e *Engine) audit(ctx context.Context, by, action, address string, p *store.AppPassword) {
	detail := address
	if p.Name != "" {
		detail += ": " + p.Name
	}
	a := &store.Audit{At: e.now(), Actor: by, Action: action, Target: "app-password:" + strconv.FormatInt(p.ID, 10), Detail: detail}
	if err := e.st.AddAudit(ctx, a); err != nil {
		e.log.Warn("audit app password", "err", err)
	}
}

func checkAddress(a string) error {
	local, domain, ok := strings.Cut(a, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(a, " \t\r\n<>") {
		return fmt.Errorf("%w: %q is not an email address", ErrInvalid, a)
	}
	return nil
}

// alphabet has no 0/o, 1/l/i: the password may be read aloud or typed
// from a phone screen.
const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// newSecret is 20 characters in groups of four (about 99 bits).
func newSecret() string {
	var b strings.Builder
	n := big.NewInt(int64(len(alphabet)))
	for i := range 20 {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		v, err := rand.Int(rand.Reader, n)
		if err != nil {
			panic(err) // crypto/rand does not fail on supported systems
		}
		b.WriteByte(alphabet[v.Int64()])
	}
	return b.String()
}

// canonical is what is hashed and compared: lower case, letters and
// digits only, so "ABCD efgh-..." typed from a screen still matches.
func canonical(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, s)
}
