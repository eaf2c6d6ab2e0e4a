package dkimsign

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/dkimtest"
)

// testKeys makes one RSA and one Ed25519 key of lists.example.org and the
// records that publish them.
func testKeys(t testing.TB) ([]*Key, dkimtest.Records) {
	t.Helper()
	recs := dkimtest.Records{}
	var keys []*Key
	for _, alg := range []string{RSA, Ed25519} {
		s, err := Generate(alg)
		if err != nil {
			t.Fatal(err)
		}
		k := &Key{Domain: "lists.example.org", Selector: "s" + alg, Algorithm: alg, Signer: s}
		txt, err := TXTRecord(s)
		if err != nil {
			t.Fatal(err)
		}
		recs[RecordName(k.Selector, k.Domain)] = txt
		keys = append(keys, k)
	}
	return keys, recs
}

const shared = "List-Id: Team <team.lists.example.org>\r\n" +
	"List-Post: <mailto:team@lists.example.org>\r\n" +
	"From: Ann  Example <ann@example.net>\r\n" +
	"To:   team@lists.example.org\r\n" +
	"Subject: [team] a long subject line that goes on and on so it\r\n" +
	" is folded over two lines\r\n" +
	"Date: Mon, 1 Mar 2027 10:00:00 +0000\r\n" +
	"Message-ID: <1@example.net>\r\n" +
	"Received: from x by y; Mon, 1 Mar 2027 10:00:00 +0000\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n"

const body = "Hello  all,\t \r\n\r\nsecond\tpara   \r\n\r\n\r\n"

func perMember(tok string) []byte {
	return []byte("List-Unsubscribe: <https://lists.example.org/u/" + tok +
		">, <mailto:team-leave@lists.example.org?subject=unsubscribe>\r\n" +
		"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
}

var perNames = []string{"List-Unsubscribe", "List-Unsubscribe-Post"}

// TestCopiesVerify signs copies that differ in their List-Unsubscribe and
// checks each with go-msgauth and dkimpy, with both keys.
func TestCopiesVerify(t *testing.T) {
	keys, recs := testKeys(t)
	p, err := NewPost(keys, []byte(shared), []byte(body), perNames, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"AAAA", "BBBB-a-much-longer-token-value-for-bob"} {
		own := perMember(tok)
		sig, err := p.Sign(own)
		if err != nil {
			t.Fatal(err)
		}
		raw := append(append(append(sig, own...), shared...), "\r\n"+body...)
		doms := dkimtest.GoVerify(t, raw, recs)
		if len(doms) != 2 {
			t.Fatalf("want 2 signatures, got %v", doms)
		}
		dkimtest.PyVerify(t, raw, recs, 2)
		if !bytes.Contains(unfold(sig), []byte("list-unsubscribe:list-unsubscribe-post")) {
			t.Errorf("List-Unsubscribe not signed:\n%s", sig)
		}
		for _, l := range strings.Split(string(sig), "\r\n") {
			if len(l) > 78 {
				t.Errorf("line of %d octets: %q", len(l), l)
			}
		}
	}
}

// TestTamperFails is the positive control: a changed List-Unsubscribe,
// an added From, or a changed body do not verify.
func TestTamperFails(t *testing.T) {
	keys, recs := testKeys(t)
	p, err := NewPost(keys[1:], []byte(shared), []byte(body), perNames, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	own := perMember("AAAA")
	sig, err := p.Sign(own)
	if err != nil {
		t.Fatal(err)
	}
	good := string(append(append(append(sig, own...), shared...), "\r\n"+body...))
	for name, bad := range map[string]string{
		"unsubscribe": strings.Replace(good, "/u/AAAA", "/u/EVIL", 1),
		"second From": strings.Replace(good, "MIME-Version", "From: boss@example.net\r\nMIME-Version", 1),
		"body":        strings.Replace(good, "second", "SECOND", 1),
	} {
		if fails(t, []byte(bad), recs) == 0 {
			t.Errorf("%s: tampered copy verified", name)
		}
	}
	if fails(t, []byte(good), recs) != 0 {
		t.Error("control copy fails")
	}
}

func fails(t *testing.T, raw []byte, recs dkimtest.Records) int {
	vs, err := verify(raw, recs)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range vs {
		if v != nil {
			n++
		}
	}
	return n
}

// TestSignMessage signs a whole message (a notice) once.
func TestSignMessage(t *testing.T) {
	keys, recs := testKeys(t)
	raw := []byte("From: team-owner@lists.example.org\r\nTo: ann@example.net\r\nSubject: notice\r\n" +
		"Date: Mon, 1 Mar 2027 10:00:00 +0000\r\n\r\nYour post is held.\r\n")
	sig, err := SignMessage(keys, raw, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	full := append(sig, raw...)
	dkimtest.GoVerify(t, full, recs)
	dkimtest.PyVerify(t, full, recs, 2)
}

// TestBodyHash matches RFC 6376's relaxed rules on known cases.
func TestBodyHash(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"\r\n\r\n":              "",
		"a  b \t\r\n\r\n":       "a b\r\n",
		"x":                     "x\r\n",
		" lead\r\n\r\nend\r\n ": " lead\r\n\r\nend\r\n",
	} {
		if got, w := bodyHash([]byte(in)), sum(want); !bytes.Equal(got, w) {
			t.Errorf("body %q: hash is not that of %q", in, want)
		}
	}
}

func sum(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

// TestRelaxedHeader follows RFC 6376 section 3.4.2.
func TestRelaxedHeader(t *testing.T) {
	got := string(relaxedHeader([]byte("SubJect \t:  Hello \r\n\t  World  \r\n")))
	if want := "subject:Hello World\r\n"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

// TestPublicValue: the Ed25519 p= is the raw 32-byte key.
func TestPublicValue(t *testing.T) {
	s, _ := Generate(Ed25519)
	p, _ := PublicValue(s)
	b, err := base64.StdEncoding.DecodeString(p)
	if err != nil || len(b) != 32 {
		t.Fatalf("p=%s: %d bytes, %v", p, len(b), err)
	}
	pemb, err := MarshalPEM(s)
	if err != nil {
		t.Fatal(err)
	}
	back, alg, err := ParsePEM(pemb)
	if err != nil || alg != Ed25519 || !back.Public().(ed25519.PublicKey).Equal(s.Public()) {
		t.Fatalf("PEM round trip: %v %s", err, alg)
	}
}

func unfold(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\r\n\t"), nil) }
