package smtpin

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime/debug"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/listserv/pipeline"
)

// Replies. go-smtp type-asserts *smtp.SMTPError, so these are returned
// unwrapped; anything else would leak internals as 554.
var (
	errNoSuchUser   = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such list or address here"}
	errTempFailure  = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary local problem, try again later"}
	errBareCR       = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Bare CR or bare LF before a dot is not allowed (SMTP smuggling)"}
	errMalformed    = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message has no valid RFC 5322 header"}
	errLongLine     = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Line too long (RFC 5322 allows 998 characters)"}
	errNoRecipients = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "No valid recipients"}
)

const rcptTimeout = 30 * time.Second

// Refusals of the envelope and of limits.
var (
	errNestedMail = &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "Nested MAIL command: send RSET first"}
	errTimeLimit  = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Time limit reached, closing connection"}
)

type session struct {
	b         *backend
	conn      *limitConn // nil when served without the limit listener
	remote    string
	helo      string // HELO/EHLO name, for SPF
	transport string
	inTx      bool // MAIL was accepted and no RSET or DATA ended it
	from      string
	rcpts     []*pipeline.Recipient
	// args holds each accepted RCPT exactly as go-smtp passed it (and
	// keeps it): the key its LMTP StatusCollector knows the recipient by.
	args []string
}

func (s *session) Reset() {
	s.inTx, s.from, s.rcpts, s.args = false, "", nil, nil
	s.conn.endData()
}

func (s *session) Logout() error { return nil }

// Mail starts a transaction. go-smtp accepts a second MAIL and keeps its
// recipients; clearing ours then made LMTP answer 250 for recipients we
// no longer had. A second MAIL needs RSET first (RFC 5321 section 4.1.4).
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.conn.expired() {
		return errTimeLimit // a partial line go-smtp read at the deadline
	}
	if s.inTx {
		return errNestedMail
	}
	s.inTx, s.from = true, from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.conn.expired() {
		return errTimeLimit
	}
	ctx, cancel := context.WithTimeout(context.Background(), rcptTimeout)
	defer cancel()
	r, err := s.b.p.Resolve(ctx, to)
	if errors.Is(err, pipeline.ErrUnknownRecipient) {
		s.b.log.Info("recipient refused", "rcpt", to, "from", s.from, "remote", s.remote)
		return errNoSuchUser
	}
	if err != nil {
		s.b.log.Error("resolve recipient", "rcpt", to, "err", err)
		return errTempFailure
	}
	s.rcpts, s.args = append(s.rcpts, r), append(s.args, to)
	return nil
}

func (s *session) Data(r io.Reader) (err error) {
	defer s.b.observe(time.Now())
	defer s.recoverTo(&err)
	raw, err := s.read(r)
	if err != nil {
		return err
	}
	_, errs := s.deliver(raw)
	// SMTP has one reply for all recipients: the worst one wins.
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// recoverTo turns a panic (a bug) into 451 and a log line instead of
// go-smtp's 421 and a closed connection. The pipeline recovers per
// recipient, so nothing committed is answered with this.
func (s *session) recoverTo(err *error) {
	if v := recover(); v != nil {
		s.b.log.Error("session panic", "remote", s.remote, "panic", v, "stack", string(debug.Stack()))
		*err = errTempFailure
	}
}

// read takes the whole message within the DATA deadline, refuses
// smuggling and malformed headers, and normalises line ends.
func (s *session) read(r io.Reader) ([]byte, error) {
	s.conn.startData()
	var buf bytes.Buffer
	_, err := buf.ReadFrom(r)
	s.conn.endData()
	if s.conn.expired() {
		return nil, errTimeLimit
	}
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return nil, se
		}
		if errors.Is(err, smtp.ErrTooLongLine) {
			return nil, errLongLine
		}
		return nil, errTempFailure
	}
	if len(s.rcpts) == 0 {
		return nil, errNoRecipients
	}
	if err := checkMessage(buf.Bytes()); err != nil {
		s.b.log.Info("message refused", "reason", err.Message, "from", s.from, "remote", s.remote)
		return nil, err
	}
	raw, err := normalize(buf.Bytes())
	if err != nil {
		return nil, errBareCR
	}
	return raw, nil
}

// deliver runs the pipeline and maps its results to SMTP replies.
func (s *session) deliver(raw []byte) ([]pipeline.Outcome, []error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env := pipeline.Envelope{From: s.from, Transport: s.transport, Remote: s.remote, Helo: s.helo}
	outs, errs := s.b.p.Deliver(ctx, env, s.rcpts, raw)
	for i, err := range errs {
		if err == nil {
			continue
		}
		if errors.Is(err, pipeline.ErrMalformed) {
			errs[i] = errMalformed
			continue
		}
		s.b.log.Error("intake failed", "rcpt", s.rcpts[i].Address, "from", s.from, "err", err)
		errs[i] = errTempFailure
	}
	return outs, errs
}

// lmtpSession answers each recipient separately (RFC 2033).
type lmtpSession struct{ *session }

// LMTPData reports one status per accepted RCPT, under the exact string
// go-smtp gave Rcpt (a list named twice gets two lines, the same status).
// go-smtp fills any recipient left unset with the returned error.
func (s *lmtpSession) LMTPData(r io.Reader, status smtp.StatusCollector) (err error) {
	defer s.b.observe(time.Now())
	defer s.recoverTo(&err)
	raw, err := s.read(r)
	if err != nil {
		return err
	}
	_, errs := s.deliver(raw)
	for i, to := range s.args {
		if !s.setStatus(status, to, errs[i]) {
			err = errTempFailure // whoever go-smtp still waits for: retry
		}
	}
	return err
}

// setStatus reports false if the collector refused the key (it panics);
// the other recipients still get their status.
func (s *lmtpSession) setStatus(status smtp.StatusCollector, to string, e error) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			s.b.log.Error("LMTP status refused", "rcpt", to, "panic", v)
			ok = false
		}
	}()
	status.SetStatus(to, e)
	return true
}
