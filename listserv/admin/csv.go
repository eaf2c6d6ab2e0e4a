package admin

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// importBatch rows go in one transaction (PostgreSQL COPY, SQLite
// multi-row inserts).
const importBatch = 10000

// ReadMembersCSV reads "address,name,mode" with a header row. Every row is
// checked before anything is imported, so a bad file changes nothing.
func ReadMembersCSV(r io.Reader, source string) ([]store.NewMember, error) {
	br := newBoundedReader(r)
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if errors.Is(err, ErrInvalid) {
		return nil, err
	}
	if err != nil {
		return nil, invalid("CSV has no header row: %v", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	ai, ok := col["address"]
	if !ok {
		return nil, invalid("CSV header must name an address column (address,name,mode)")
	}
	var out []store.NewMember
	var bad []string
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, ErrInvalid) {
			return nil, err // a limit of boundedReader
		}
		if err != nil {
			return nil, invalid("CSV: %v", err) // a csv.ParseError names its line
		}
		if rows++; rows > MaxImportRows {
			return nil, invalid("more than %d rows; split the file", MaxImportRows)
		}
		// The file's own line number: the reader skips blank lines and a
		// quoted field may span several, so counting records drifts.
		line, _ := cr.FieldPos(0)
		m := store.NewMember{Address: field(rec, ai), Name: field(rec, colOr(col, "name")),
			Mode: field(rec, colOr(col, "mode")), Source: source}
		if m.Address == "" && len(rec) == 1 {
			continue // blank line
		}
		err = checkSizes(m.Address, m.Name)
		if err == nil {
			err = CheckMember(&m)
		}
		if err != nil {
			bad = append(bad, fmt.Sprintf("line %d: %s", line, strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")))
			if len(bad) >= 20 {
				break
			}
			continue
		}
		out = append(out, m)
	}
	if len(bad) > 0 {
		return nil, invalid("nothing imported; fix these rows:\n  %s", strings.Join(bad, "\n  "))
	}
	return out, nil
}

func colOr(col map[string]int, name string) int {
	if i, ok := col[name]; ok {
		return i
	}
	return -1
}

func field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// ImportMembers adds ms in large batches and returns added and skipped.
func ImportMembers(ctx context.Context, st Store, listID int64, ms []store.NewMember) (added, skipped int, err error) {
	for start := 0; start < len(ms); start += importBatch {
		a, s, err := st.AddMembers(ctx, listID, ms[start:min(start+importBatch, len(ms))])
		added, skipped = added+a, skipped+s
		if err != nil {
			return added, skipped, err
		}
	}
	return added, skipped, nil
}
