package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// lockedBuffer is a log destination the server's goroutines share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines are the JSON log records so far.
func (l *lockedBuffer) lines(t *testing.T) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(l.b.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, rec)
	}
	return out
}

// TestLogLinesCarryMessageID: a held post followed through the logs
// (stored, moderators told, approved on the web) by one key: every line
// about it carries message=ID, the stored message's id.
func TestLogLinesCarryMessageID(t *testing.T) {
	buf := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	e := startLogged(t, t.TempDir()+"/db", log, func(c *server.Config) { c.Moderation.Poll = 50 * time.Millisecond })
	e.list(t, &store.List{Address: "team@lists.example.org"}, modTeam...)
	e.mustSend(t, "x@else.example", []string{"team@lists.example.org"}, post("x@else.example", "traced", "traced@x", ""))
	h := modHeldWith(t, e, "traced")
	// seen waits for log lines with these messages, each carrying the post's id.
	seen := func(msgs ...string) {
		t.Helper()
		waitFor(t, fmt.Sprintf("log lines %q", msgs), func() bool {
			found := 0
			for _, want := range msgs {
				for _, rec := range buf.lines(t) {
					if rec["msg"] != want {
						continue
					}
					if id, _ := rec["message"].(float64); int64(id) != h.MessageID {
						t.Fatalf("log line %q carries message=%v, want %d: %v", want, rec["message"], h.MessageID, rec)
					}
					found++
					break
				}
			}
			return found == len(msgs)
		})
	}
	// The notice first: an item approved before the notifier sees it is
	// (rightly) never notified.
	seen("post stored", "held item notified")
	mod := modSignIn(t, e, "mod@example.net")
	_, queue := mod.get("/moderate")
	if code, _ := mod.post(fmt.Sprintf("/moderate/%d", h.ID), url.Values{"csrf": {csrfOf(t, queue)}, "action": {"approve"}}); code != 200 {
		t.Fatalf("approve: %d", code)
	}
	seen("moderated")
}
