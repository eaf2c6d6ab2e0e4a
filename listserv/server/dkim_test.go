package server_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/demnet-uk/listserv/internal/dkimtest"
	"github.com/demnet-uk/listserv/internal/smtpsink"
	"github.com/demnet-uk/listserv/listserv/dkimsign"
	"github.com/demnet-uk/listserv/listserv/store"
)

// dkimKeys stores an RSA and an Ed25519 key for domain and returns the
// records that publish them.
func dkimKeys(t *testing.T, st store.Store, domain string) dkimtest.Records {
	t.Helper()
	recs := dkimtest.Records{}
	for _, alg := range []string{dkimsign.RSA, dkimsign.Ed25519} {
		k, err := dkimsign.Generate(alg)
		if err != nil {
			t.Fatal(err)
		}
		pemb, _ := dkimsign.MarshalPEM(k)
		if err := st.PutDKIMKey(context.Background(), &store.DKIMKey{Domain: domain, Selector: alg, Algorithm: alg, PrivatePEM: pemb}); err != nil {
			t.Fatal(err)
		}
		txt, _ := dkimsign.TXTRecord(k)
		recs[dkimsign.RecordName(alg, domain)] = txt
	}
	return recs
}

// TestDKIMSignedDelivery: list copies, a digest and a notice that arrive
// at the sink all carry an RSA and an Ed25519 signature of the list
// domain that go-msgauth and dkimpy both verify, with List-Unsubscribe
// signed; a domain without keys sends unsigned (the control).
func TestDKIMSignedDelivery(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		ctx := context.Background()
		unsigned := e.list(t, &store.List{Address: "plain@other.example.org"}, store.NewMember{Address: "bob@example.com"})
		recs := dkimKeys(t, e.st, "lists.example.org")
		l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team"}, teamMembers...)
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "Signed", "s1@example.net", ""))
		e.mustSend(t, "stranger@example.com", []string{"team@lists.example.org"}, post("stranger@example.com", "Held", "s2@example.com", ""))
		e.mustSend(t, "bob@example.com", []string{unsigned.Address}, post("bob@example.com", "Unsigned", "s3@example.com", ""))
		waitFor(t, "list copies", func() bool { return len(e.copiesTo("cat@example.org")) >= 1 })
		if _, err := e.srv.Digest.SendNow(ctx, l); err != nil {
			t.Fatal(err)
		}
		kinds := map[string]smtpsink.Message{}
		waitFor(t, "a copy, a digest, a notice and the unsigned copy", func() bool {
			for _, m := range e.sink.Messages() {
				kinds[kindOf(m)] = m
			}
			return len(kinds) >= 4
		})
		for kind, m := range kinds {
			if kind == "unsigned" {
				if bytes.Contains(m.Data, []byte("DKIM-Signature")) {
					t.Errorf("copy of a list without keys is signed:\n%s", m.Data)
				}
				continue
			}
			doms := dkimtest.GoVerify(t, m.Data, recs)
			if len(doms) != 2 || doms[0] != "lists.example.org" {
				t.Errorf("%s: signatures of %v", kind, doms)
			}
			dkimtest.PyVerify(t, m.Data, recs, 2)
		}
		for _, m := range e.sink.Messages() { // every signed copy verifies
			if kindOf(m) != "unsigned" {
				dkimtest.GoVerify(t, m.Data, recs)
			}
		}
	})
}

func kindOf(m smtpsink.Message) string {
	h := m.Header
	switch {
	case h("List-Id") != "" && bytes.Contains([]byte(h("List-Id")), []byte("other.example.org")):
		return "unsigned"
	case bytes.Contains([]byte(h("Subject")), []byte("Digest")) || bytes.Contains([]byte(h("Subject")), []byte("digest")):
		return "digest"
	case h("Subject") == "Signed":
		return "copy"
	}
	return "notice"
}
