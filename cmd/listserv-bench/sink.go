package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/internal/smtpsink"
)

// relaySink is where the server delivers: the in-process smtpsink or
// Postfix's smtp-sink.
type relaySink interface {
	Count() int64
	WaitCount(ctx context.Context, n int64) error
	URL() string
	Addr() string
	PID() int // 0 when the sink runs inside the benchmark
	Close() error
}

// goSink is the in-process sink; its CPU is the benchmark's.
type goSink struct{ *smtpsink.Sink }

func (goSink) PID() int { return 0 }

// sinkKind resolves -sink auto: Postfix's smtp-sink when installed (a sink
// that is not written in Go by us, and what smtp-source is measured
// against), else the in-process sink.
func sinkKind(kind string) string {
	if kind != "auto" {
		return kind
	}
	if _, err := postfixTool("smtp-sink"); err == nil {
		return "postfix"
	}
	return "go"
}

// newSink starts the relay the server delivers to: "go" (in-process,
// counting only) or "postfix" (smtp-sink).
func newSink(kind string) (relaySink, error) {
	if kind == "postfix" {
		return startPostfixSink()
	}
	s, err := smtpsink.New(smtpsink.Options{CountOnly: true})
	if err != nil {
		return nil, err
	}
	// smtpsink.Close hangs if called before its Serve goroutine has
	// registered the listener with go-smtp; a greeting proves it has.
	if err := awaitGreeting(s.Addr()); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("smtpsink: %w", err)
	}
	return goSink{s}, nil
}

// awaitGreeting connects to addr and reads the SMTP 220 greeting.
func awaitGreeting(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "220") {
		return fmt.Errorf("greeting %q", strings.TrimSpace(line))
	}
	_, _ = io.WriteString(c, "QUIT\r\n")
	return nil
}
