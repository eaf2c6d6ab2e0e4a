package smtpin

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/listserv/pipeline"
)

// readBackend runs the real session.read (go-smtp's DATA reader, then
// normalize) and records what it returns, without a pipeline.
type readBackend struct {
	mu    sync.Mutex
	mails int
	data  [][]byte
	errs  []error
}

func (b *readBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &readSession{b: b}, nil }

type readSession struct{ b *readBackend }

func (s *readSession) Reset()        {}
func (s *readSession) Logout() error { return nil }
func (s *readSession) Mail(string, *smtp.MailOptions) error {
	s.b.mu.Lock()
	s.b.mails++
	s.b.mu.Unlock()
	return nil
}
func (s *readSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *readSession) Data(r io.Reader) error {
	raw, err := (&session{rcpts: []*pipeline.Recipient{{}}}).read(r)
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.data = append(s.b.data, raw)
	s.b.errs = append(s.b.errs, err)
	return err
}

// TestWireSmuggling sends raw DATA through go-smtp and session.read: no
// variant of a dot line with a bare LF may end the message early and let
// the rest be read as commands, and the ones normalize can see are refused.
func TestWireSmuggling(t *testing.T) {
	for _, tt := range []struct {
		name, data string
		refuse     bool // must be refused; otherwise either outcome is safe
	}{
		{"LF dot LF", "Subject: a\r\n\r\nhello\n.\nMAIL FROM:<evil@x>\r\nRCPT TO:<b@x>\r\nDATA\r\nowned\r\n", true},
		{"LF dot CRLF", "Subject: a\r\n\r\nhello\n.\r\nMAIL FROM:<evil@x>\r\nRCPT TO:<b@x>\r\nDATA\r\nowned\r\n", true},
		{"bare CR dot bare CR", "Subject: a\r\n\r\nhello\r.\rMAIL FROM:<evil@x>\r\n", true},
		// go-smtp drops the dot of "\r\n.\n" before normalize sees it, so
		// this arrives as "\r\n\n": not refused, but not a second message.
		{"CRLF dot LF", "Subject: a\r\n\r\nhello\r\n.\nMAIL FROM:<evil@x>\r\nRCPT TO:<b@x>\r\nDATA\r\nowned\r\n", false},
		{"clean", "Subject: a\r\n\r\nhello\r\n..stuffed\r\n", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			be := &readBackend{}
			srv := smtp.NewServer(be)
			srv.Domain = "localhost"
			srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Skipf("no loopback listener: %v", err)
			}
			go srv.Serve(l)
			defer srv.Close()

			c, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			r := bufio.NewReader(c)
			reply := func() string {
				t.Helper()
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						t.Fatalf("read reply: %v", err)
					}
					if len(line) < 4 || line[3] != '-' {
						return strings.TrimSpace(line)
					}
				}
			}
			reply()
			for _, cmd := range []string{"EHLO x", "MAIL FROM:<ann@example.net>", "RCPT TO:<team@lists.example.org>", "DATA"} {
				io.WriteString(c, cmd+"\r\n")
				reply()
			}
			io.WriteString(c, tt.data+".\r\n")
			got := reply()
			io.WriteString(c, "QUIT\r\n")
			reply()

			be.mu.Lock()
			defer be.mu.Unlock()
			if be.mails != 1 || len(be.data) != 1 {
				t.Fatalf("%d MAIL commands and %d DATA transactions, want 1 and 1 (reply %q)", be.mails, len(be.data), got)
			}
			if tt.refuse {
				if !strings.HasPrefix(got, "550 5.6.0") || be.errs[0] != errBareCR {
					t.Errorf("reply %q, error %v; want 550 5.6.0", got, be.errs[0])
				}
				return
			}
			if be.errs[0] == nil {
				if !strings.HasPrefix(got, "250") {
					t.Errorf("reply %q after an accepted read", got)
				}
				raw := be.data[0]
				if bytes.Contains(raw, []byte("MAIL FROM")) != strings.Contains(tt.data, "MAIL FROM") {
					t.Errorf("stored %q lost the would-be commands", raw)
				}
				for i, c := range raw {
					if c == '\n' && (i == 0 || raw[i-1] != '\r') || c == '\r' && (i+1 == len(raw) || raw[i+1] != '\n') {
						t.Fatalf("stored message has a bare line end at %d: %q", i, raw)
					}
				}
			}
			t.Logf("reply %q, read error %v", got, be.errs[0])
		})
	}
}
