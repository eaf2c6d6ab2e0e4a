package archive

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"regexp"

	"github.com/demnet-uk/listserv/listserv/store"
)

// PostPager is the store read an export needs.
type PostPager interface {
	ListArchivePosts(ctx context.Context, p store.ArchivePage) ([]*store.ArchivePost, error)
}

// exportPage is how many posts (with their bytes) an export holds at once:
// memory stays flat whatever the archive's size.
const exportPage = 100

// WriteMbox streams the posts of page (From/To bound it; Limit and After
// are ignored) to w as mboxrd: LF line ends, "From " lines quoted.
func WriteMbox(ctx context.Context, st PostPager, page store.ArchivePage, w io.Writer) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	page.Raw, page.Limit, page.Desc, page.After = true, exportPage, false, store.ArchiveKey{}
	n := 0
	for {
		ps, err := st.ListArchivePosts(ctx, page)
		if err != nil {
			return n, err
		}
		for _, p := range ps {
			if err := writeMboxEntry(bw, p); err != nil {
				return n, err
			}
			n++
		}
		if len(ps) < exportPage {
			return n, bw.Flush()
		}
		page.After = ps[len(ps)-1].Key()
	}
}

// fromLine matches lines mboxrd quotes: ">*From ".
var fromLine = regexp.MustCompile(`^>*From `)

func writeMboxEntry(w *bufio.Writer, p *store.ArchivePost) error {
	sender := p.FromAddr
	if sender == "" {
		sender = "MAILER-DAEMON"
	}
	w.WriteString("From " + sender + " " + p.Received.UTC().Format("Mon Jan _2 15:04:05 2006") + "\n")
	raw := p.Raw
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if fromLine.Match(line) {
			w.WriteByte('>')
		}
		w.Write(line)
		w.WriteByte('\n')
	}
	_, err := w.WriteString("\n")
	return err
}
