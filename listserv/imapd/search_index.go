package imapd

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	gomessage "github.com/emersion/go-message"

	"github.com/demnet-uk/listserv/listserv/store"
)

// indexStore is what IndexSearcher reads: the archive's full-text index
// and the stored posts.
type indexStore interface {
	scanStore
	SearchArchiveAll(ctx context.Context, listID int64, q store.ArchiveQuery, afterID int64, limit int) ([]*store.ArchivePost, error)
}

// IndexSearcher answers SEARCH BODY and TEXT from the web archive's
// full-text index (subject, author and body): the index names the posts
// holding every word of the text as a word start, and only those are read
// and matched exactly as ScanSearcher matches, so a big archive costs its
// hits, not its size. Text with no word in it (punctuation alone) is
// scanned. A TEXT search for a string found only in a header the index
// does not cover (To, Message-ID) is missed: that is the price of not
// reading every post, as with Dovecot's full-text search.
type IndexSearcher struct {
	St indexStore
	// CatchUp, when set, indexes posts stored but not yet indexed before
	// each search (the indexer runs just after intake; a client told of a
	// new post by IDLE may search for it at once).
	CatchUp func(ctx context.Context) (int, error)
}

// indexBatch is how many candidates are read at once; maxIndexTerms is
// as many words as the web's search takes.
const (
	indexBatch    = 200
	maxIndexTerms = 12
)

// SearchText implements TextSearcher.
func (s IndexSearcher) SearchText(ctx context.Context, listID int64, text string, bodyOnly bool) ([]int64, error) {
	q := wordsQuery(text, bodyOnly)
	if len(q.Terms) == 0 {
		return ScanSearcher{St: s.St}.SearchText(ctx, listID, text, bodyOnly)
	}
	if s.CatchUp != nil {
		if _, err := s.CatchUp(ctx); err != nil {
			return nil, fmt.Errorf("index new posts: %w", err)
		}
	}
	lower := strings.ToLower(text)
	var out []int64
	var after int64
	for {
		ps, err := s.St.SearchArchiveAll(ctx, listID, q, after, indexBatch)
		if err != nil {
			return nil, fmt.Errorf("index search: %w", err)
		}
		if len(ps) == 0 {
			return sortedUIDs(out), nil
		}
		uids := make([]int64, 0, len(ps))
		for _, p := range ps {
			uids = append(uids, p.UID)
		}
		ms, err := s.St.ArchiveMessages(ctx, listID, uids, true)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			e, err := gomessage.Read(bytes.NewReader(m.Raw))
			if e == nil && err != nil {
				continue
			}
			if matchEntity(e, lower, !bodyOnly) {
				out = append(out, m.UID)
			}
		}
		after = ps[len(ps)-1].ID
	}
}

// wordsQuery is text as index terms: every run of letters and digits,
// lower-cased, as a word start (IMAP matches substrings; a word start is
// the nearest the index answers).
func wordsQuery(text string, bodyOnly bool) store.ArchiveQuery {
	q := store.ArchiveQuery{}
	if bodyOnly {
		q.Field = "body"
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if len(q.Terms) == maxIndexTerms {
			break // more words only narrow further; the exact match checks them
		}
		q.Terms = append(q.Terms, store.SearchTerm{Words: []string{w}, Prefix: true})
	}
	return q
}

// sortedUIDs returns uids in ascending order (the index pages by post id,
// which erasure can put out of UID order).
func sortedUIDs(uids []int64) []int64 {
	slices.Sort(uids)
	return uids
}
