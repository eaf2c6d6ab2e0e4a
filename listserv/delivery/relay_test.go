package delivery

import (
	"context"
	"crypto/tls"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/internal/smtpsink"
)

const (
	asciiFrom = "team-bounces+x@lists.example.org"
	utf8Rcpt  = "jürgen@bücher.example"
)

var testCopy = &Copy{Body: []byte("Subject: hello\r\n\r\n.leading dot\r\nbody\r\n")}

// dialRelay opens one relay connection to rawURL; roots, when set, is the
// only CA the relay trusts (for a sink with a test certificate).
func dialRelay(t *testing.T, rawURL string, tlsCfg *tls.Config) (*relayConn, error) {
	t.Helper()
	r, err := NewRelay(rawURL, "lists.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if tlsCfg != nil {
		if err := r.client.SetTLSConfig(tlsCfg); err != nil {
			t.Fatal(err)
		}
	}
	c, err := r.Dial(t.Context())
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.Close() })
	return c.(*relayConn), nil
}

// TestRelaySMTPUTF8: MAIL carries SMTPUTF8 exactly when an address is not
// ASCII, with and without PIPELINING; the body arrives intact either way.
func TestRelaySMTPUTF8(t *testing.T) {
	for _, noPipe := range []bool{false, true} {
		sink := smtpsink.Start(t, smtpsink.Options{NoPipelining: noPipe})
		c, err := dialRelay(t, sink.URL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.pipelined == noPipe || !c.utf8 {
			t.Fatalf("NoPipelining=%v: relay saw pipelining=%v smtputf8=%v", noPipe, c.pipelined, c.utf8)
		}
		for _, to := range []string{"ann@example.net", utf8Rcpt} {
			if err := c.Send(t.Context(), 1, asciiFrom, to, testCopy); err != nil {
				t.Fatalf("NoPipelining=%v: send to %s: %v", noPipe, to, err)
			}
		}
		ms := sink.Messages()
		if len(ms) != 2 {
			t.Fatalf("NoPipelining=%v: %d messages, want 2", noPipe, len(ms))
		}
		if ms[0].UTF8 || !ms[1].UTF8 || ms[1].To[0] != utf8Rcpt {
			t.Errorf("NoPipelining=%v: SMTPUTF8 on ASCII copy %v, on UTF-8 copy %v (to %q)", noPipe, ms[0].UTF8, ms[1].UTF8, ms[1].To)
		}
		if !strings.Contains(string(ms[1].Data), "\r\n.leading dot\r\n") {
			t.Errorf("NoPipelining=%v: body not intact: %q", noPipe, ms[1].Data)
		}
	}
}

// TestRelayWithoutSMTPUTF8: a non-ASCII recipient through a relay that
// does not offer SMTPUTF8 is a permanent failure for that copy only.
func TestRelayWithoutSMTPUTF8(t *testing.T) {
	for _, noPipe := range []bool{false, true} {
		sink := smtpsink.Start(t, smtpsink.Options{NoSMTPUTF8: true, NoPipelining: noPipe})
		c, err := dialRelay(t, sink.URL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		err = c.Send(t.Context(), 1, asciiFrom, utf8Rcpt, testCopy)
		var se *SendError
		if !errors.As(err, &se) || se.Code != 553 || se.Enhanced != "5.6.7" || se.Temporary() || se.Broken {
			t.Fatalf("NoPipelining=%v: UTF-8 recipient without SMTPUTF8: err = %v, want a permanent 553 5.6.7", noPipe, err)
		}
		if err := c.Send(t.Context(), 1, asciiFrom, "ann@example.net", testCopy); err != nil {
			t.Fatalf("NoPipelining=%v: the next ASCII copy: %v", noPipe, err)
		}
		if ms := sink.Messages(); len(ms) != 1 || ms[0].To[0] != "ann@example.net" {
			t.Errorf("NoPipelining=%v: sink got %d messages, want only ann's", noPipe, len(ms))
		}
	}
}

// TestRelayNoPipeliningRefusal: without PIPELINING a refused recipient
// fails that copy, and the connection goes on with the next.
func TestRelayNoPipeliningRefusal(t *testing.T) {
	sink := smtpsink.Start(t, smtpsink.Options{NoPipelining: true, Rcpt: refuseGone})
	c, err := dialRelay(t, sink.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.pipelined {
		t.Fatal("the relay thinks the sink offers PIPELINING")
	}
	ctx := context.Background()
	var se *SendError
	if err := c.Send(ctx, 1, asciiFrom, "gone@example.net", testCopy); !errors.As(err, &se) || se.Code != 550 {
		t.Fatalf("refused recipient: err = %v, want 550", err)
	}
	for _, to := range []string{"ann@example.net", "bob@example.net"} {
		if err := c.Send(ctx, 1, asciiFrom, to, testCopy); err != nil {
			t.Fatalf("send to %s after a refusal: %v", to, err)
		}
	}
	if n := sink.Count(); n != 2 {
		t.Errorf("sink accepted %d copies, want 2", n)
	}
}

// TestRelaySMTPSAuth: an smtps:// relay URL speaks implicit TLS and
// authenticates with the URL's credentials; wrong ones cannot send.
func TestRelaySMTPSAuth(t *testing.T) {
	srvTLS, roots := smtpsink.TestTLS(t)
	sink := smtpsink.Start(t, smtpsink.Options{TLS: srvTLS, Auth: func(user, pass string) error {
		if user != "lists" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		return nil
	}})
	clientTLS := &tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	relayURL := func(user *url.Userinfo) string {
		return (&url.URL{Scheme: "smtps", User: user, Host: sink.Addr()}).String()
	}
	c, err := dialRelay(t, relayURL(url.UserPassword("lists", "s3cret")), clientTLS)
	if err != nil {
		t.Fatalf("dial with the right credentials: %v", err)
	}
	if err := c.Send(t.Context(), 1, asciiFrom, "ann@example.net", testCopy); err != nil {
		t.Fatalf("send over smtps with AUTH: %v", err)
	}
	if n := sink.Count(); n != 1 {
		t.Fatalf("sink accepted %d copies, want 1", n)
	}

	if _, err := dialRelay(t, relayURL(url.UserPassword("lists", "wrong")), clientTLS); err == nil {
		t.Error("dial with a wrong password succeeded")
	}
	c, err = dialRelay(t, relayURL(nil), clientTLS)
	if err != nil {
		t.Fatalf("dial without credentials: %v", err)
	}
	var se *SendError
	if err := c.Send(t.Context(), 1, asciiFrom, "ann@example.net", testCopy); !errors.As(err, &se) || se.Code != 530 {
		t.Errorf("send without AUTH: err = %v, want 530", err)
	}
	if n := sink.Count(); n != 1 {
		t.Errorf("sink accepted %d copies, want still 1", n)
	}
}

// refuseGone is a sink's RCPT check that refuses gone@example.net as an
// unknown user.
func refuseGone(_, to string) error {
	if to == "gone@example.net" {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	return nil
}

func nextCopy(to string) *Copy {
	cp := *testCopy
	cp.NextFrom, cp.NextTo = asciiFrom, to
	return &cp
}

// TestRelayAnnouncesNextCopy: a copy that names the next one opens its
// transaction with its own end; each copy still gets its own answer, a
// refused announced recipient fails only its copy, and a copy other than
// the announced one is refused as a broken connection (redial) without
// anything reaching the sink.
func TestRelayAnnouncesNextCopy(t *testing.T) {
	sink := smtpsink.Start(t, smtpsink.Options{Rcpt: refuseGone})
	c, err := dialRelay(t, sink.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	steps := []struct {
		to, next string
		code     int // 0: accepted
	}{
		{"a@example.net", "b@example.net", 0},
		{"b@example.net", "gone@example.net", 0},
		{"gone@example.net", "c@example.net", 550},
		{"c@example.net", utf8Rcpt, 0},
		{utf8Rcpt, "", 0},
	}
	for _, s := range steps {
		err := c.Send(ctx, 1, asciiFrom, s.to, nextCopy(s.next))
		var se *SendError
		switch {
		case s.code == 0 && err != nil:
			t.Fatalf("send to %s: %v", s.to, err)
		case s.code != 0 && (!errors.As(err, &se) || se.Code != s.code):
			t.Fatalf("send to %s: err = %v, want %d", s.to, err, s.code)
		}
	}
	var got []string
	for _, m := range sink.Messages() {
		got = append(got, m.To...)
		if !strings.Contains(string(m.Data), "body\r\n") {
			t.Errorf("copy to %v lost its body: %q", m.To, m.Data)
		}
	}
	if want := "a@example.net b@example.net c@example.net " + utf8Rcpt; strings.Join(got, " ") != want {
		t.Errorf("sink got %q, want %q", got, want)
	}

	// Announce d, then send e instead: refused as broken, nothing sent.
	if err := c.Send(ctx, 1, asciiFrom, "a2@example.net", nextCopy("d@example.net")); err != nil {
		t.Fatal(err)
	}
	var se *SendError
	if err := c.Send(ctx, 1, asciiFrom, "e@example.net", testCopy); !errors.As(err, &se) || !se.Broken {
		t.Fatalf("copy other than the announced one: err = %v, want a broken connection", err)
	}
	c.Close()
	if n := sink.Count(); n != 5 {
		t.Errorf("sink accepted %d messages, want 5 (no empty or stray message)", n)
	}
}
