package imapd

import (
	"context"
	"errors"
	"net"
	"reflect"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/demnet-uk/listserv/listserv/apppass"
	"github.com/demnet-uk/listserv/listserv/store"
)

// cmdTimeout bounds the store work of one command.
const cmdTimeout = 2 * time.Minute

// session is one connection.
type session struct {
	srv     *Server
	conn    *imapserver.Conn
	client  string // remote IP, for throttling and logs
	address string // signed-in person; "" before LOGIN
	sel     *selected
}

func (s *Server) newSession(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
	host, _, err := net.SplitHostPort(c.NetConn().RemoteAddr().String())
	if err != nil {
		host = c.NetConn().RemoteAddr().String()
	}
	return &session{srv: s, conn: c, client: host}, nil, nil
}

func (s *session) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), cmdTimeout)
}

// Close ends the connection.
func (s *session) Close() error { s.sel = nil; return nil }

// Errors sent to clients. NOPERM carries the reason in words.
var (
	errThrottled = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeUnavailable,
		Text: "Too many failed sign-ins; try again in 15 minutes"}
	errInternal = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeServerBug,
		Text: "Temporary server problem, try again later"}
)

func noPerm(text string) error {
	return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeNoPerm, Text: text}
}

func nonExistent(text string) error {
	return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeNonExistent, Text: text}
}

// Login checks an app password. Failures are counted per client and per
// account; past the limit even a right password is refused until the
// window ends, so guessing costs an attacker the whole window.
func (s *session) Login(username, password string) error {
	ctx, cancel := s.ctx()
	defer cancel()
	now := s.srv.now()
	account := store.NormalizeAddress(username)
	if s.srv.clientFails.blocked(s.client, now) || s.srv.accountFails.blocked(account, now) {
		s.srv.log.Warn("IMAP sign-in throttled", "client", s.client, "address", account)
		return errThrottled
	}
	p, err := s.srv.auth.Verify(ctx, account, password)
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, apppass.ErrBadPassword) {
			s.srv.log.Error("IMAP sign-in", "err", err)
			return errInternal
		}
		s.srv.clientFails.fail(s.client, now)
		s.srv.accountFails.fail(account, now)
		s.srv.log.Info("IMAP sign-in failed", "client", s.client, "address", account)
		return imapserver.ErrAuthFailed
	}
	s.address = p.Address
	s.srv.log.Info("IMAP sign-in", "client", s.client, "address", p.Address, "app_password", p.ID)
	return nil
}

// Namespace: one personal namespace, no others (RFC 2342).
func (s *session) Namespace() (*imap.NamespaceData, error) {
	return &imap.NamespaceData{Personal: []imap.NamespaceDescriptor{{Prefix: "", Delim: delim}}}, nil
}

// The mailbox tree is fixed: every change to it is refused.

func (s *session) Create(mailbox string, _ *imap.CreateOptions) error {
	return noPerm("Mailboxes cannot be created here: this server only shows list archives")
}

func (s *session) Delete(mailbox string) error {
	return noPerm("Mailboxes cannot be deleted here: list archives are read-only")
}

func (s *session) Rename(mailbox, newName string, _ *imap.RenameOptions) error {
	return noPerm("Mailboxes cannot be renamed here: list archives are read-only")
}

// Subscribe and Unsubscribe succeed for mailboxes that exist: every
// mailbox one may read is always subscribed.
func (s *session) Subscribe(mailbox string) error {
	_, err := s.mailbox(mailbox)
	return err
}

func (s *session) Unsubscribe(mailbox string) error {
	_, err := s.mailbox(mailbox)
	return err
}

func (s *session) Append(mailbox string, r imap.LiteralReader, _ *imap.AppendOptions) (*imap.AppendData, error) {
	return nil, noPerm("Messages cannot be added here: list archives are read-only; post to the list by email instead")
}

func (s *session) Copy(numSet imap.NumSet, dest string) (*imap.CopyData, error) {
	if _, err := s.need(); err != nil {
		return nil, err
	}
	return nil, noPerm("Messages cannot be copied into this server's mailboxes: they are read-only; copy them to a mailbox of your own mail account")
}

func (s *session) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	if _, err := s.need(); err != nil {
		return err
	}
	return noPerm("Messages cannot be moved out of a list archive: it is read-only; copy them to a mailbox of your own mail account")
}

// Expunge refuses EXPUNGE and UID EXPUNGE, but lets CLOSE through: go-imap
// calls Expunge for CLOSE too (go-imap#672) and a refusal there would
// leave the mailbox selected. CLOSE is the call whose writer has no
// connection (imapserver/select.go: &ExpungeWriter{}); nothing can be
// \Deleted here, so CLOSE expunges nothing.
func (s *session) Expunge(w *imapserver.ExpungeWriter, uids *imap.UIDSet) error {
	if uids == nil && closing(w) {
		return nil
	}
	if _, err := s.need(); err != nil {
		return err
	}
	return noPerm("Messages cannot be expunged: list archives are read-only")
}

// closing reports whether w is CLOSE's silent writer (pinned by
// TestExpungeRefusedCloseWorks against the go-imap version in go.mod).
func closing(w *imapserver.ExpungeWriter) bool {
	f := reflect.ValueOf(w).Elem().FieldByName("conn")
	return !f.IsValid() || f.IsNil()
}

func (s *session) Unselect() error {
	s.sel = nil
	return nil
}
