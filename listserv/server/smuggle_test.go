package server_test

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestSmugglingRefused speaks raw SMTP, since Go clients normalise bare LF:
// a bare "\n.\n" must not end the message nor smuggle a second one.
func TestSmugglingRefused(t *testing.T) {
	e := start(t, t.TempDir()+"/db")
	e.list(t, &store.List{Address: "team@lists.example.org", Policy: store.PolicyOpen}, teamMembers...)
	for name, body := range map[string]string{
		"bare LF dot":  "Subject: a\r\n\r\nhello\n.\nMAIL FROM:<evil@x>\r\nRCPT TO:<team@lists.example.org>\r\n",
		"bare CR":      "Subject: b\r\n\r\nhello\r.\rworld\r\n",
		"bare CR only": "Subject: c\r\n\r\nhel\rlo\r\n",
	} {
		c, err := net.DialTimeout("tcp", e.srv.Addr("smtp"), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c)
		lines := []string{"EHLO x", "MAIL FROM:<ann@example.net>", "RCPT TO:<team@lists.example.org>", "DATA"}
		readReply(t, r)
		for _, l := range lines {
			c.Write([]byte(l + "\r\n"))
			readReply(t, r)
		}
		c.Write([]byte(body + ".\r\n"))
		if got := readReply(t, r); !strings.HasPrefix(got, "550 5.6.0") {
			t.Errorf("%s: DATA reply %q, want 550 5.6.0", name, got)
		}
		c.Write([]byte("QUIT\r\n"))
		c.Close()
	}
	time.Sleep(300 * time.Millisecond)
	if n := e.sink.Count(); n != 0 {
		t.Errorf("%d copies of smuggled mail sent", n)
	}
}

// readReply reads one (possibly multi-line) SMTP reply and returns its last line.
func readReply(t *testing.T, r *bufio.Reader) string {
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
