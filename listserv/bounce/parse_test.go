package bounce

import (
	"os"
	"strings"
	"testing"
)

func TestParseSeeds(t *testing.T) {
	for _, c := range []struct {
		file, addr string
		kind       Kind
		class      Class
	}{
		{"dsn.eml", "ann@example.com", Failed, Permanent},
		{"qmail.eml", "bob@example.com", Failed, Permanent},
		{"arf.eml", "carol@example.com", Feedback, ""},
	} {
		raw, err := os.ReadFile("testdata/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		r := Parse(raw)
		if r.Kind != c.kind || len(r.Recipients) != 1 || r.Recipients[0].Address != c.addr || r.Recipients[0].Class != c.class {
			t.Errorf("%s: got %+v, want %s %s %s", c.file, r, c.kind, c.addr, c.class)
		}
	}
}

// TestDelayedDSN: a DSN whose action is delayed is a temporary failure;
// one saying delivered scores nobody.
func TestDelayedDSN(t *testing.T) {
	dsn := func(action, status string) []byte {
		return []byte(strings.ReplaceAll("From: MAILER-DAEMON@mx.example.net\nSubject: Delivery Status Notification\n"+
			"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\nreport\n"+
			"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; ann@example.com\n"+
			"Action: "+action+"\nStatus: "+status+"\n\n--b--\n", "\n", "\r\n"))
	}
	if r := Parse(dsn("delayed", "4.4.1")); r.Kind != Failed || r.Recipients[0].Class != Temporary {
		t.Errorf("delayed: %+v", r)
	}
	if r := Parse(dsn("failed", "5.1.1")); r.Kind != Failed || r.Recipients[0].Class != Permanent {
		t.Errorf("failed: %+v", r)
	}
	if r := Parse(dsn("delivered", "2.0.0")); r.Kind != Delivered || len(r.Recipients) != 0 {
		t.Errorf("delivered: %+v", r)
	}
}

// TestVacationIsNotBounce: an out-of-office answer names nobody.
func TestVacationIsNotBounce(t *testing.T) {
	raw := "From: Ann <ann@example.com>\r\nTo: team-bounces+x@lists.example.org\r\nSubject: Out of Office: hello\r\n" +
		"Auto-Submitted: auto-replied\r\n\r\nI am away until Monday. Write to bob@example.com meanwhile.\r\n"
	if r := Parse([]byte(raw)); r.Kind != AutoReply || len(r.Recipients) != 0 {
		t.Errorf("vacation: %+v", r)
	}
}

// TestSendmailTranscript: old Sendmail opens failure lines with the reply
// code ("554 <x@y>... Host unknown"), and the addressee of the unsent
// message quoted below the transcript is no failure unless the
// transcript names nobody.
func TestSendmailTranscript(t *testing.T) {
	head := "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.com>\nTo: ann@example.jp\nSubject: Returned mail: User unknown\n\n" +
		"   ----- Transcript of session follows -----\n"
	unsent := "\n   ----- Unsent message follows -----\nFrom: ann@example.jp\nTo: typo@exampel.org\nSubject: hi\n\nhello\n"
	got := func(transcript string) map[string]Class {
		out := map[string]Class{}
		for _, x := range Parse([]byte(head + transcript + unsent)).Recipients {
			out[x.Address] = x.Class
		}
		return out
	}
	r := got("554 <bob@example.edu>... 550 Host unknown\n550 <carol@example.org>... User unknown\n")
	if len(r) != 2 || r["bob@example.edu"] != Permanent || r["carol@example.org"] != Permanent {
		t.Errorf("transcript with failures: %v, want bob and carol permanent only", r)
	}
	r = got("421 example.org (smtp)... Deferred: Connection timed out\n")
	if len(r) != 1 || r["typo@exampel.org"] != Temporary {
		t.Errorf("transcript naming nobody: %v, want the unsent message's addressee, temporary", r)
	}
}

// TestSiteReports: Yale's nameserver report names bare local parts (both
// Yale domains count); LLNL's directory answer wraps the address in prose.
func TestSiteReports(t *testing.T) {
	yale := "From: MAILER-DAEMON@mr2.its.yale.edu\nTo: list-bounces@example.org\nSubject: Returned mail - nameserver error report\n\n" +
		" --------Message not delivered to the following:\n\n userx    No matches to nameserver query\n\n --------Error Detail (phquery V4.1):\n"
	llnl := "From: postmaster@llnl.gov\nTo: list-bounces@example.org\nSubject: FAILED MAIL to \"ann\"\n\n" +
		"The address to\nwhich your message was addressed, ann@example.gov, did not exactly match an\nLLNL email address.\n"
	for _, c := range []struct {
		name, raw string
		want      []string
	}{
		{"yale", yale, []string{"userx@yale.edu", "userx@cs.yale.edu"}},
		{"llnl", llnl, []string{"ann@example.gov"}},
	} {
		r := Parse([]byte(c.raw))
		var got []string
		for _, x := range r.Recipients {
			if x.Class != Permanent {
				t.Errorf("%s: %s is %s, want permanent", c.name, x.Address, x.Class)
			}
			got = append(got, x.Address)
		}
		if r.Kind != Failed || strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: got %s %v, want %v", c.name, r.Kind, got, c.want)
		}
	}
}

// TestTextClassWords: "has NOT been delivered" is final, and a report
// that says "This is a permanent error" is permanent even when its prose
// carries a phone number that reads as a 4xx reply code.
func TestTextClassWords(t *testing.T) {
	for name, body := range map[string]string{
		"not delivered": "Your message to ann@example.it has reached our local address\nann@example.it, but this email address is wrong or no longer valid.\n\nYour message has NOT been delivered.\n",
		"phone number":  "Your mail message to the following address(es) could not be delivered. This\nis a permanent error. Please contact Customer Support at 480-624-2500.\n\n<ann@example.it>:\nchild status 100...the user's mailfolder is full.\n",
	} {
		r := Parse([]byte("From: MAILER-DAEMON@mx.example.it\nTo: list-bounces@example.org\nSubject: Undeliverable mail\n\n" + body))
		if r.Kind != Failed || len(r.Recipients) != 1 || r.Recipients[0].Address != "ann@example.it" || r.Recipients[0].Class != Permanent {
			t.Errorf("%s: got %s %+v, want ann@example.it permanent", name, r.Kind, r.Recipients)
		}
	}
}

// TestExchangeSummaryTo: Exchange's "Your message To: list@ ... did not
// reach the following recipient(s)" names the returned message's
// addressee first; only the recipient below is a failure.
func TestExchangeSummaryTo(t *testing.T) {
	raw := "From: System Administrator <postmaster@mx.example.edu>\nTo: list-bounces@example.org\nSubject: Undeliverable: hello\n\n" +
		"Your message\n\n  To:      list@example.org\n  Subject: hello\n  Sent:    Fri, 20 Jul 2001 08:53:08 -0700\n\n" +
		"did not reach the following recipient(s):\n\nann@example.edu on Fri, 20 Jul 2001 11:08:59 -0700\n    The recipient name is not recognized\n"
	r := Parse([]byte(raw))
	if r.Kind != Failed || len(r.Recipients) != 1 || r.Recipients[0].Address != "ann@example.edu" {
		t.Errorf("got %s %+v, want ann@example.edu only", r.Kind, r.Recipients)
	}
}

// TestEnclosedBounce: a relay's report that names nobody but encloses
// the real DSN scores the DSN's recipient; one enclosing an ordinary
// message scores nobody.
func TestEnclosedBounce(t *testing.T) {
	wrap := func(inner string) []byte {
		return []byte("From: Mail Delivery Subsystem <MAILER-DAEMON@relay.example.jp>\nTo: list-bounces@example.org\nSubject: Returned mail: User unknown\n" +
			"Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: text/plain\n\n" +
			"----- The following addresses had permanent delivery errors -----\n\n--o\nContent-Type: message/rfc822\n\n" + inner + "\n--o--\n")
	}
	dsn := "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\nTo: list-bounces@example.org\nSubject: Returned mail: User unknown\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=i\n\n--i\nContent-Type: text/plain\n\nsee below\n" +
		"--i\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; ann@example.org\nAction: failed\nStatus: 5.1.1\n\n--i--\n"
	if r := Parse(wrap(dsn)); r.Kind != Failed || len(r.Recipients) != 1 || r.Recipients[0].Address != "ann@example.org" || r.Recipients[0].Class != Permanent {
		t.Errorf("enclosed DSN: got %s %+v, want ann@example.org permanent", r.Kind, r.Recipients)
	}
	post := "From: Bob <bob@example.net>\nTo: list@example.org, ann@example.org\nSubject: hello\n\nhi\n"
	if r := Parse(wrap(post)); r.Kind == Failed {
		t.Errorf("enclosed post: got %s %+v, want nobody", r.Kind, r.Recipients)
	}
}

// TestEximLocalPart: Exim's failed list may name a bare local part (the
// returned message has the whole address) or a file delivery "generated
// by" the address.
func TestEximLocalPart(t *testing.T) {
	head := "From: Mail Delivery System <Mailer-Daemon@mx.example.org>\nTo: list-bounces@example.org\nSubject: Mail delivery failed: returning message to sender\n\n" +
		"A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n"
	for name, c := range map[string]struct{ raw, want string }{
		"bare": {head + "  ann\n    host mx.example.org [192.0.2.20]: 550 5.1.1 no such user\n\n" +
			"------ This is a copy of the message, including all the headers. ------\n\nReceived: from list.example.org\n\tfor ann@example.ed.jp; Fri, 01 Oct 2010 19:15:19 +0900\nFrom: list@example.org\n\nhi\n", "ann@example.ed.jp"},
		"generated":   {head + "  save to /var/spool/mail/ann\n    generated by ann%example.com@mx.example.org\n    mailbox is full: retry timeout exceeded\n", "ann%example.com@mx.example.org"},
		"undisclosed": {head + "  an undisclosed address\n    (generated from ann@example.com)\n", "ann@example.com"},
		"sent by": {"From: Mail Delivery System <Mailer-Daemon@mx.example.org>\nTo: list-bounces@example.org\nSubject: Mail delivery failed\n\n" +
			"A message sent by\n\n  <list-bounces+tok@example.org>\n\ncould not be delivered to one or more of its recipients. The following\naddress(es) failed:\n\n" +
			"  ann@example.net\n    (ultimately generated from ann@example.com)\n    550 5.1.1 unknown\n", "ann@example.net"},
	} {
		r := Parse([]byte(c.raw))
		if r.Kind != Failed || len(r.Recipients) != 1 || r.Recipients[0].Address != c.want || r.Recipients[0].Class != Permanent {
			t.Errorf("%s: got %s %+v, want %s permanent", name, r.Kind, r.Recipients, c.want)
		}
	}
}

// TestFMLRefusal: an fml list that refuses our post (we are no member of
// it) names itself as the failed recipient.
func TestFMLRefusal(t *testing.T) {
	raw := "From: neko-admin@example.org\nTo: list-bounces@example.org\nSubject: You list-bounces@example.org are not member (neko ML)\n" +
		"X-MLServer: fml [fml 4.0.3 release (20011202/4.0.3)]\n\nYou are not a member of this mailing list <neko@example.org>.\n"
	r := Parse([]byte(raw))
	if r.Kind != Failed || len(r.Recipients) != 1 || r.Recipients[0].Address != "neko@example.org" || r.Recipients[0].Class != Permanent {
		t.Errorf("got %s %+v, want neko@example.org permanent", r.Kind, r.Recipients)
	}
}

// TestQuotedLocalPart: a local part only quotes can spell keeps them;
// needless quotes and display names go.
func TestQuotedLocalPart(t *testing.T) {
	for in, want := range map[string]string{
		`550 5.1.1 <"neko..nyaan."@Example.org>... User Unknown`: `"neko..nyaan."@example.org`,
		`rfc822; "ann"@example.org`:                              `ann@example.org`,
		`"Ann Smith" <ann@example.org>`:                          `ann@example.org`,
	} {
		if got := addressesIn(in); len(got) != 1 || got[0] != want {
			t.Errorf("addressesIn(%s) = %q, want %s", in, got, want)
		}
	}
}

// TestAOLScreenNames: AOL names bare screen names; each is NAME@aol.com.
func TestAOLScreenNames(t *testing.T) {
	raw := "From: Mail Delivery Subsystem <MAILER-DAEMON@aol.com>\nTo: list-bounces@example.org\nSubject: Mail Delivery Problem\n\n" +
		"Sorry. Your mail to the following recipients could not be delivered because they are not accepting mail with attachments:\n\tAnnScreen\n\n"
	r := Parse([]byte(raw))
	if r.Kind != Failed || len(r.Recipients) != 1 || r.Recipients[0].Address != "annscreen@aol.com" || r.Recipients[0].Class != Permanent {
		t.Errorf("got %s %+v, want annscreen@aol.com permanent", r.Kind, r.Recipients)
	}
}

// TestBiglobe: Biglobe's explicit list counts even a postmaster address,
// but never the report's own addressee.
func TestBiglobe(t *testing.T) {
	raw := "From: postmaster@biglobe.ne.jp\nTo: list-bounces@example.org\nSubject: Returned mail: Service unavailable\n\n" +
		"   ----- The following addresses had delivery problems -----\npostmaster@mxr.example.ne.jp\nlist-bounces@example.org\n\n" +
		"   ----- Non-delivered information -----\nThe number of messages in recipient's mailbox exceeded the local limit.\n"
	r := Parse([]byte(raw))
	if r.Kind != Failed || len(r.Recipients) != 1 || r.Recipients[0].Address != "postmaster@mxr.example.ne.jp" || r.Recipients[0].Class != Permanent {
		t.Errorf("got %s %+v, want postmaster@mxr.example.ne.jp permanent", r.Kind, r.Recipients)
	}
}

// TestSendmailExpandedFrom: Sendmail's "(expanded from: x)" under an
// alias target names x too, the address the list sent to.
func TestSendmailExpandedFrom(t *testing.T) {
	raw := "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.nl>\nTo: list-bounces@example.org\nSubject: Returned mail: Too many hops\n\n" +
		"   ----- The following addresses had permanent fatal errors -----\nann@shaft.example.nl\n    (expanded from: ann@example.nl)\n\n" +
		"   ----- Transcript of session follows -----\n554 Too many hops 26 (25 max)\n"
	r := Parse([]byte(raw))
	var got []string
	for _, x := range r.Recipients {
		got = append(got, x.Address+" "+string(x.Class))
	}
	if want := "ann@shaft.example.nl permanent,ann@example.nl permanent"; strings.Join(got, ",") != want {
		t.Errorf("got %s %v, want %s", r.Kind, got, want)
	}
}

// TestLineEnds: blank lines before the header, and CR-only line ends with
// a stray LF among them, still read as a message.
func TestLineEnds(t *testing.T) {
	dsn := "From: MAILER-DAEMON@mx.example.net\nTo: list-bounces@example.org\nSubject: Undelivered Mail\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\nreport\n" +
		"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; ann@example.com\nAction: failed\nStatus: 5.1.1\n\n--b--\n"
	for name, raw := range map[string]string{
		"blank lines first": "          \nFrom: MAILER-DAEMON@mx.example.net\nTo: list-bounces@example.org\nSubject: Undelivered Mail\n\n" +
			"<ann@example.com>: 550 5.1.1 user unknown\n",
		"CR with a stray LF": strings.ReplaceAll(dsn, "\n", "\r") + "\n",
	} {
		r := Parse([]byte(raw))
		if r.Kind != Failed || len(r.Recipients) != 1 || r.Recipients[0].Address != "ann@example.com" {
			t.Errorf("%s: got %s %+v, want ann@example.com", name, r.Kind, r.Recipients)
		}
	}
}

// TestFoldedContentType: "Content-Type: text/plain" folded onto a charset
// line without its ';' is still the report's text.
func TestFoldedContentType(t *testing.T) {
	raw := "From: \"Mail Deliver System\" <MAILER-DAEMON>\nTo: list-bounces@example.org\nSubject: Returned Mail: User unknown\n" +
		"Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n   charset=\"iso-2022-jp\"\n\n" +
		"---The following addresses had delivery errors---\n\nann@example.org [User unknown]\n\n" +
		"--b\nReceived: from list.example.org\nFrom: list@example.org\n\nthe returned post\n--b--\n"
	r := Parse([]byte(raw))
	if r.Kind != Failed || len(r.Recipients) != 1 || r.Recipients[0].Address != "ann@example.org" {
		t.Errorf("got %s %+v, want ann@example.org", r.Kind, r.Recipients)
	}
}

// TestSNSEnvelope: an SES bounce inside an SNS envelope, where the SES
// JSON is an escaped string, names only the bounced recipient, not the
// original sender quoted in its commonHeaders.
func TestSNSEnvelope(t *testing.T) {
	raw := "From: SES <no-reply@sns.amazonaws.com>\nTo: list-bounces@example.org\nSubject: AWS Notification Message\nContent-Type: text/plain; charset=UTF-8\n\n" +
		`{"Type" : "Notification", "Message" : "{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\",\"bouncedRecipients\":[{\"emailAddress\":\"ann@example.com\",\"status\":\"5.1.1\"}]},\"mail\":{\"commonHeaders\":{\"from\":[\"list@example.org\"],\"to\":[\"ann@example.com\"]}}}"}` + "\n"
	r := Parse([]byte(raw))
	if r.Detector != "ses" || r.Kind != Failed || len(r.Recipients) != 1 || r.Recipients[0].Address != "ann@example.com" {
		t.Errorf("got %s %s %+v, want ses ann@example.com", r.Detector, r.Kind, r.Recipients)
	}
}

// TestPostfixReportUnavailable: a Postfix bounce whose delivery report is
// missing names the returned message's one addressee.
func TestPostfixReportUnavailable(t *testing.T) {
	raw := "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\nTo: list-bounces@example.org\nSubject: Undelivered Mail Returned to Sender\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\n" +
		"I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n\t--- Delivery report unavailable ---\n\n" +
		"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n" +
		"--b\nContent-Type: message/rfc822\n\nFrom: list@example.org\nTo: ann@example.fr\nSubject: hi\n\nhi\n--b--\n"
	r := Parse([]byte(raw))
	if r.Kind != Failed || len(r.Recipients) != 1 || r.Recipients[0].Address != "ann@example.fr" || r.Recipients[0].Class != Permanent {
		t.Errorf("got %s %+v, want ann@example.fr permanent", r.Kind, r.Recipients)
	}
}
