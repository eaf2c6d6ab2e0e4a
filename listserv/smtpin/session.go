package smtpin

import (
	"bytes"
	"context"
	"errors"
	"io"
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

type session struct {
	b         *backend
	remote    string
	transport string
	from      string
	rcpts     []*pipeline.Recipient
}

func (s *session) Reset()        { s.from, s.rcpts = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from, s.rcpts = from, nil
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
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
	s.rcpts = append(s.rcpts, r)
	return nil
}

func (s *session) Data(r io.Reader) error {
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

// read takes the whole message, refuses smuggling and normalises line ends.
func (s *session) read(r io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
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
	env := pipeline.Envelope{From: s.from, Transport: s.transport, Remote: s.remote}
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

func (s *lmtpSession) LMTPData(r io.Reader, status smtp.StatusCollector) error {
	raw, err := s.read(r)
	if err != nil {
		return err
	}
	_, errs := s.deliver(raw)
	for i, rc := range s.rcpts {
		status.SetStatus(rc.Address, errs[i])
	}
	return nil
}
