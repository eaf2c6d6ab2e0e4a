package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"time"
)

const (
	benchList = "bench@lists.example.org"
	smallList = "small@lists.example.org"
	smallSize = 10
	postSize  = 4096 // bytes of a whole post, header included
)

// memberAddr is the address of member i (from 1) of the big list.
func memberAddr(i int) string { return fmt.Sprintf("m%d@example.net", i) }

// smallAddr is the address of member i (from 1) of the small list.
func smallAddr(i int) string { return fmt.Sprintf("s%d@example.net", i) }

// writeMembersCSV writes n members as "address,name,mode" rows.
func writeMembersCSV(path string, n int) error { return writeMembersCSVMode(path, n, "each") }

// writeMembersCSVMode is writeMembersCSV with every member in mode.
func writeMembersCSVMode(path string, n int, mode string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	fmt.Fprintln(w, "address,name,mode")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "%s,Member %d,%s\n", memberAddr(i), i, mode)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var bodyWords = strings.Fields(`the council consultation on local democracy closes next
month and we would like every member organisation to send a short reply covering
turnout registration outreach accessibility of polling stations young voters
citizens assemblies participatory budgeting and how residents hear about meetings`)

// post builds a realistic plain-text post of about postSize bytes with CRLF
// line endings.
func post(from, to, subject, msgID string, date time.Time) []byte {
	return postSized(from, to, subject, msgID, date, postSize)
}

// postSized is post of about size bytes.
func postSized(from, to, subject, msgID string, date time.Time, size int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: Bench Poster <%s>\r\n", from)
	fmt.Fprintf(&b, "To: <%s>\r\n", to)
	fmt.Fprintf(&b, "Subject: %s\r\n", subject)
	fmt.Fprintf(&b, "Message-ID: <%s>\r\n", msgID)
	fmt.Fprintf(&b, "Date: %s\r\n", date.Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	b.WriteString("Content-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString("Hello all,\r\n\r\n")
	const trailer = "\r\n\r\n-- \r\nBench Poster\r\n"
	line, w := 0, 0
	for b.Len()+len(trailer) < size {
		word := bodyWords[w%len(bodyWords)]
		w++
		if line+len(word)+1 > 72 {
			b.WriteString("\r\n")
			line = 0
		}
		if line > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	b.WriteString(trailer)
	return []byte(b.String())
}
