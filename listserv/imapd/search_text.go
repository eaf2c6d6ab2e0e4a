package imapd

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"

	gomessage "github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode iso-8859-*, windows-125x bodies
	"github.com/emersion/go-message/textproto"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TextSearcher answers SEARCH TEXT (header and body) and BODY (body
// only): the UIDs of a list's archived posts containing text,
// case-insensitively, in order.
//
// ScanSearcher, the default, reads every post of the list (correct, and
// slow on a large archive). The archive's full-text index answers the
// same question from an index: wire it in Config.Text when it exists.
type TextSearcher interface {
	SearchText(ctx context.Context, listID int64, text string, bodyOnly bool) ([]int64, error)
}

// scanStore is what a scan reads.
type scanStore interface {
	ArchiveUIDs(ctx context.Context, listID, after int64, limit int) ([]int64, error)
	ArchiveMessages(ctx context.Context, listID int64, uids []int64, raw bool) ([]*store.Message, error)
}

// ScanSearcher searches by reading the stored messages, decoded (quoted-
// printable, base64, charsets) part by part, as imapmemserver does.
type ScanSearcher struct{ St scanStore }

// SearchText implements TextSearcher.
func (s ScanSearcher) SearchText(ctx context.Context, listID int64, text string, bodyOnly bool) ([]int64, error) {
	return scanArchive(ctx, s.St, listID, func(raw []byte) bool {
		e, err := gomessage.Read(bytes.NewReader(raw))
		if e == nil && err != nil {
			return false
		}
		return matchEntity(e, strings.ToLower(text), !bodyOnly)
	})
}

// scanBatch is how many posts a scan holds in memory at once.
const scanBatch = 200

// scanArchive pages through a list's posts (keyset by UID) and returns
// the UIDs whose raw bytes match.
func scanArchive(ctx context.Context, st scanStore, listID int64, match func(raw []byte) bool) ([]int64, error) {
	var out []int64
	var after int64
	for {
		uids, err := st.ArchiveUIDs(ctx, listID, after, scanBatch)
		if err != nil || len(uids) == 0 {
			return out, err
		}
		ms, err := st.ArchiveMessages(ctx, listID, uids, true)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if match(m.Raw) {
				out = append(out, m.UID)
			}
		}
		after = uids[len(uids)-1]
	}
}

// headerMatcher matches posts with a field key containing value (any
// such field when value is empty), decoded (RFC 2047).
func headerMatcher(key, value string) func(raw []byte) bool {
	value = strings.ToLower(value)
	return func(raw []byte) bool {
		h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return false
		}
		mh := gomessage.Header{Header: h}
		fields := mh.FieldsByKey(key)
		return matchFields(fields, value)
	}
}

func matchFields(fields gomessage.HeaderFields, lower string) bool {
	for fields.Next() {
		if lower == "" {
			return true
		}
		v, err := fields.Text()
		if err != nil {
			v = fields.Value()
		}
		if strings.Contains(strings.ToLower(v), lower) {
			return true
		}
	}
	return false
}

// matchEntity looks for lower in the text parts of e (and in every
// header when withHeader).
func matchEntity(e *gomessage.Entity, lower string, withHeader bool) bool {
	if lower == "" {
		return true
	}
	if withHeader && matchFields(e.Header.Fields(), lower) {
		return true
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) || (err != nil && p == nil) {
				return false
			}
			if matchEntity(p, lower, withHeader) {
				return true
			}
		}
	}
	t, _, _ := e.Header.ContentType()
	if t != "" && !strings.HasPrefix(t, "text/") && !strings.HasPrefix(t, "message/") {
		return false
	}
	b, err := io.ReadAll(io.LimitReader(e.Body, 16<<20))
	if err != nil && len(b) == 0 {
		return false
	}
	return bytes.Contains(bytes.ToLower(b), []byte(lower))
}
