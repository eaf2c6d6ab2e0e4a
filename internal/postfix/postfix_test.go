package postfix_test

import (
	"context"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/internal/postfix"
	"github.com/demnet-uk/listserv/internal/smtpsink"
)

// TestInstance: mail for another domain is relayed to the sink; mail for
// the list domain waits in the queue while nothing listens for LMTP.
func TestInstance(t *testing.T) {
	postfix.Available(t)
	sink := smtpsink.Start(t, smtpsink.Options{})
	pf := postfix.Start(t, postfix.Config{LMTP: postfix.FreeAddr(t), Relay: sink.Addr()})

	msg := "From: a@example.net\r\nSubject: hi\r\nMessage-ID: <one@example.net>\r\n\r\nhello\r\n"
	if err := smtp.SendMail(pf.SMTP, nil, "a@example.net", []string{"b@example.com"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := smtp.SendMail(pf.SMTP, nil, "a@example.net", []string{"Team@Lists.Example.org"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := sink.WaitCount(ctx, 1); err != nil {
		t.Fatalf("relayed mail did not reach the sink: %v", err)
	}
	if got := sink.CountFor("b@example.com"); got != 1 {
		t.Errorf("sink has %d copies for b@example.com, want 1", got)
	}
	for {
		qs, err := pf.Queue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Tried and deferred: the recipient has a reason, in whichever
		// queue Postfix keeps the message meanwhile.
		if len(qs) == 1 && len(qs[0].Recipients) == 1 && qs[0].Recipients[0].Reason != "" {
			r := qs[0].Recipients[0]
			if r.Address != "Team@Lists.Example.org" || !strings.Contains(r.Reason, "refused") {
				t.Fatalf("deferred recipient: %+v", r)
			}
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("list mail not deferred: queue %+v", qs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
