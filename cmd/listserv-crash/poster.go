package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// post is one message the harness sends to the list.
type post struct {
	id      string // Message-ID without angle brackets
	subject string
}

// newPosts makes n posts with unique Message-IDs and Subjects.
func newPosts(tag string, n int) []post {
	out := make([]post, n)
	for i := range out {
		out[i] = post{id: fmt.Sprintf("%s-p%03d@harness.example", tag, i+1), subject: fmt.Sprintf("crash test %s post %d", tag, i+1)}
	}
	return out
}

func (p post) bytes() []byte {
	return fmt.Appendf(nil, "From: Poster <poster@example.net>\r\nTo: Crash <%s>\r\nSubject: %s\r\n"+
		"Message-ID: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"Post %s.\r\n.A line starting with a dot.\r\n", listAddr, p.subject, p.id, time.Now().Format(time.RFC1123Z), p.id)
}

// intake sends posts from a few concurrent SMTP clients and records which
// got 250 (acked). A client whose connection dies stops: the server was
// killed.
type intake struct {
	mu    sync.Mutex
	acked []post
	n     atomic.Int64
	done  chan struct{}
}

func startIntake(addr string, posts []post, clients int) *intake {
	in := &intake{done: make(chan struct{})}
	var wg sync.WaitGroup
	for c := range clients {
		var mine []post
		for i := c; i < len(posts); i += clients {
			mine = append(mine, posts[i])
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.client(addr, mine)
		}()
	}
	go func() { wg.Wait(); close(in.done) }()
	return in
}

func (in *intake) client(addr string, posts []post) {
	c, err := smtp.Dial(addr)
	if err != nil {
		return
	}
	defer c.Close()
	if err := c.Hello("poster.example.net"); err != nil {
		return
	}
	for _, p := range posts {
		if err := sendOne(c, p); err != nil {
			return
		}
		in.mu.Lock()
		in.acked = append(in.acked, p)
		in.mu.Unlock()
		in.n.Add(1)
	}
	_ = c.Quit()
}

func sendOne(c *smtp.Client, p post) error {
	if err := c.Mail("poster@example.net", nil); err != nil {
		return err
	}
	if err := c.Rcpt(listAddr, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(p.bytes()); err != nil {
		return err
	}
	return w.Close() // nil only for a 250
}

// wait waits for every client to finish (or die with the server).
func (in *intake) wait() { <-in.done }

// ackedIDs returns the Message-IDs of the posts that got 250.
func (in *intake) ackedIDs() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]string, len(in.acked))
	for i, p := range in.acked {
		out[i] = p.id
	}
	return out
}
