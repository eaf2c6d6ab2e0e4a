package bounce

import (
	"fmt"
	"os"
	"testing"
)

// TestDebugFile prints what the parser sees in BOUNCE_FILE (development aid).
func TestDebugFile(t *testing.T) {
	f := os.Getenv("BOUNCE_FILE")
	if f == "" {
		t.Skip("BOUNCE_FILE not set")
	}
	raw, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	m := readMessage(raw)
	fmt.Printf("from=%q subject=%q ctype=%q bounce=%v status=%d feedback=%d origFrom=%v origTo=%v\n---text---\n%s\n---\n",
		m.from, m.subject, m.ctype, m.looksLikeBounce(), len(m.status), len(m.feedback), m.origFrom, m.origTo, m.text)
	fmt.Printf("%+v\n", Parse(raw))
}
