package imapd

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"log/slog"
	"math/big"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/demnet-uk/listserv/listserv/apppass"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

type fixture struct {
	db   *sqldb.DB
	srv  *Server
	team *store.List
	pw   string // ann's app password
}

func newFixture(t *testing.T, tlsCfg *tls.Config) *fixture {
	t.Helper()
	ctx := t.Context()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "l.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	team := &store.List{Address: "team@lists.example.org", Archive: "members"}
	if err := db.CreateList(ctx, team); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AddMembers(ctx, team.ID, []store.NewMember{{Address: "ann@example.net"}}); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	auth := apppass.New(db, log)
	pw, _, err := auth.Create(ctx, "ann@example.net", "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	srv := New(db, auth, Config{TLS: tlsCfg, Log: log})
	t.Cleanup(func() { srv.Close() })
	return &fixture{db: db, srv: srv, team: team, pw: pw}
}

// remoteAs makes every accepted connection report a remote address that
// is not loopback, though the socket is on 127.0.0.1.
type remoteAs struct {
	net.Listener
	addr net.Addr
}

func (l remoteAs) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return spoofed{c, l.addr}, nil
}

type spoofed struct {
	net.Conn
	remote net.Addr
}

func (c spoofed) RemoteAddr() net.Addr { return c.remote }

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func selfSigned(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lists.example.org"},
		DNSNames: []string{"lists.example.org"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

var clientTLS = &tls.Config{InsecureSkipVerify: true} // the test's own self-signed certificate

// TestLoginNeedsTLSOffLoopback: a client that is not on loopback is told
// LOGINDISABLED and refused LOGIN in plaintext; after STARTTLS, or over
// implicit TLS, the same password signs in.
func TestLoginNeedsTLSOffLoopback(t *testing.T) {
	f := newFixture(t, selfSigned(t))
	far := &net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 40000}
	plain := listen(t)
	go f.srv.Serve(remoteAs{plain, far})
	c, err := imapclient.DialInsecure(plain.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	caps, err := c.Capability().Wait()
	if err != nil || !caps.Has(imap.CapLoginDisabled) || !caps.Has(imap.CapStartTLS) {
		t.Fatalf("capabilities off loopback: %v, %v", caps, err)
	}
	if err := c.Login("ann@example.net", f.pw).Wait(); err == nil || !strings.Contains(err.Error(), "PRIVACYREQUIRED") {
		t.Fatalf("plaintext LOGIN off loopback: %v", err)
	}
	st, err := imapclient.DialStartTLS(plain.Addr().String(), &imapclient.Options{TLSConfig: clientTLS})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Login("ann@example.net", f.pw).Wait(); err != nil {
		t.Fatalf("LOGIN after STARTTLS: %v", err)
	}
	implicit := listen(t)
	go f.srv.ServeTLS(remoteAs{implicit, far})
	it, err := imapclient.DialTLS(implicit.Addr().String(), &imapclient.Options{TLSConfig: clientTLS})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if err := it.Login("ann@example.net", f.pw).Wait(); err != nil {
		t.Fatalf("LOGIN over implicit TLS: %v", err)
	}
	// Loopback may sign in without TLS.
	local := listen(t)
	go f.srv.Serve(local)
	lc, err := imapclient.DialInsecure(local.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lc.Close()
	if err := lc.Login("ann@example.net", f.pw).Wait(); err != nil {
		t.Fatalf("plaintext LOGIN on loopback: %v", err)
	}
}

// TestLoginThrottled: after five failures for one account even the right
// password is refused for the window; after ten from one client, any
// account is.
func TestLoginThrottled(t *testing.T) {
	f := newFixture(t, nil)
	ln := listen(t)
	go f.srv.Serve(ln)
	login := func(user, pw string) error {
		c, err := imapclient.DialInsecure(ln.Addr().String(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.Login(user, pw).Wait()
	}
	if err := login("ann@example.net", f.pw); err != nil {
		t.Fatalf("right password before any failure: %v", err)
	}
	for i := range failPerAccount {
		if err := login("ann@example.net", "wrong"); err == nil || !strings.Contains(err.Error(), "AUTHENTICATIONFAILED") {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	if err := login("ann@example.net", f.pw); err == nil || !strings.Contains(err.Error(), "UNAVAILABLE") {
		t.Fatalf("right password after %d failures: %v, want refused", failPerAccount, err)
	}
	for i := failPerAccount; i < failPerClient; i++ {
		login("nobody@example.net", "wrong")
	}
	if err := login("other@example.net", "x"); err == nil || !strings.Contains(err.Error(), "UNAVAILABLE") {
		t.Fatalf("another account from the same client after %d failures: %v", failPerClient, err)
	}
	f.srv.now = func() time.Time { return time.Now().Add(failWindow) }
	if err := login("ann@example.net", f.pw); err != nil {
		t.Fatalf("right password after the window: %v", err)
	}
}

// TestRemovedMemberLosesList: a member with the list selected is refused
// at their next command once removed, and no longer sees it in LIST.
func TestRemovedMemberLosesList(t *testing.T) {
	f := newFixture(t, nil)
	ln := listen(t)
	go f.srv.Serve(ln)
	c, err := imapclient.DialInsecure(ln.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("ann@example.net", f.pw).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("Lists/team@lists.example.org", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait(); err != nil {
		t.Fatalf("search as a member: %v", err)
	}
	if _, err := f.db.RemoveMembers(t.Context(), f.team.ID, []string{"ann@example.net"}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err == nil || !strings.Contains(err.Error(), "NOPERM") || !strings.Contains(err.Error(), "no longer read team@") {
		t.Fatalf("search after removal: %v", err)
	}
	boxes, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range boxes {
		if strings.Contains(b.Mailbox, "team@") {
			t.Errorf("LIST still shows %s", b.Mailbox)
		}
	}
	if len(boxes) == 0 || boxes[0].Mailbox != "INBOX" {
		t.Errorf("LIST = %+v, want INBOX", boxes)
	}
}
