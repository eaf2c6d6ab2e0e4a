package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// TestSTARTTLS: with a certificate the SMTP listener offers STARTTLS and a
// post sent over TLS is distributed.
func TestSTARTTLS(t *testing.T) {
	certFile, keyFile := selfSigned(t)
	e := start(t, t.TempDir()+"/db", func(c *server.Config) { c.TLSCert, c.TLSKey = certFile, keyFile })
	e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
	c, err := smtp.DialStartTLS(e.srv.Addr("smtp"), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	defer c.Close()
	if _, ok := c.TLSConnectionState(); !ok {
		t.Fatal("connection is not encrypted after STARTTLS")
	}
	raw := post("ann@example.net", "over tls", "tls@x", "")
	if err := c.SendMail("ann@example.net", []string{"team@lists.example.org"}, strings.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "copies", func() bool { return e.sink.Count() >= 4 })
}

func selfSigned(t *testing.T) (certFile, keyFile string) {
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
	kb, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile
}
