package sqldb

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// SetNewsletter upserts a newsletter's settings.
func (db *DB) SetNewsletter(ctx context.Context, n *store.Newsletter) error {
	if n.Weeks <= 0 {
		n.Weeks = 6
	}
	var due any
	if !n.NextDue.IsZero() {
		due = n.NextDue.UnixMilli()
	}
	_, err := db.d.exec(ctx, `INSERT INTO newsletters (list_id, schedule, weeks, intro, next_due) VALUES ($1,$2,$3,$4,$5)
		ON CONFLICT (list_id) DO UPDATE SET schedule = excluded.schedule, weeks = excluded.weeks,
		intro = excluded.intro, next_due = excluded.next_due`, n.ListID, n.Schedule, n.Weeks, n.Intro, due)
	return wrap("set newsletter", err)
}

const newsletterCols = `list_id, schedule, weeks, intro, COALESCE(next_due, 0)`

func scanNewsletter(r row) (*store.Newsletter, error) {
	var n store.Newsletter
	var due int64
	if err := r.Scan(&n.ListID, &n.Schedule, &n.Weeks, &n.Intro, &due); err != nil {
		return nil, err
	}
	n.NextDue = fromMS(due)
	return &n, nil
}

// GetNewsletter returns a newsletter's settings.
func (db *DB) GetNewsletter(ctx context.Context, listID int64) (*store.Newsletter, error) {
	n, err := scanNewsletter(db.d.queryRow(ctx, `SELECT `+newsletterCols+` FROM newsletters WHERE list_id = $1`, listID))
	return n, wrap("get newsletter", err)
}

// DueNewsletters are those due at now (a handful: read in full).
func (db *DB) DueNewsletters(ctx context.Context, now time.Time) ([]*store.Newsletter, error) {
	rs, err := db.d.query(ctx, `SELECT `+newsletterCols+` FROM newsletters WHERE next_due IS NOT NULL AND next_due <= $1
		ORDER BY next_due`, now.UnixMilli())
	if err != nil {
		return nil, wrap("due newsletters", err)
	}
	return collect(rs, scanNewsletter)
}

// NextNewsletterDue is the earliest next_due.
func (db *DB) NextNewsletterDue(ctx context.Context) (time.Time, bool, error) {
	var due *int64
	if err := db.d.queryRow(ctx, `SELECT MIN(next_due) FROM newsletters`).Scan(&due); err != nil {
		return time.Time{}, false, wrap("next newsletter due", err)
	}
	if due == nil {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(*due), true, nil
}

// NewsletterSubscribers pages through members who get mail, with the
// sections and format of their profile.
func (db *DB) NewsletterSubscribers(ctx context.Context, listID, after int64, limit int) ([]*store.Subscriber, error) {
	rs, err := db.d.query(ctx, `SELECT m.id, m.list_id, m.address, m.name, m.role, m.mode, m.status, m.source,
		COALESCE(p.format, 'html'), COALESCE(p.sections, '')
		FROM members m LEFT JOIN people p ON p.address_key = m.address_key
		WHERE m.list_id = $1 AND m.id > $2 AND m.status = 'enabled' AND m.mode <> 'nomail'
		ORDER BY m.id LIMIT $3`, listID, after, limit)
	if err != nil {
		return nil, wrap("newsletter subscribers", err)
	}
	return collect(rs, func(r row) (*store.Subscriber, error) {
		m := &store.Member{}
		s := &store.Subscriber{Member: m}
		var secs string
		if err := r.Scan(&m.ID, &m.ListID, &m.Address, &m.Name, &m.Role, &m.Mode, &m.Status, &m.Source, &s.Format, &secs); err != nil {
			return nil, err
		}
		if secs != "" {
			s.Sections = strings.Split(secs, ",")
		}
		return s, nil
	})
}

const issueCols = `id, list_id, number, state, intro, items, issue_date, cursor, sent_count, created_at, sent_at`

func scanIssue(r row) (*store.NewsletterIssue, error) {
	var is store.NewsletterIssue
	var items string
	var date, created, sent int64
	if err := r.Scan(&is.ID, &is.ListID, &is.Number, &is.State, &is.Intro, &items, &date, &is.Cursor, &is.SentCount,
		&created, &sent); err != nil {
		return nil, err
	}
	for _, s := range strings.Split(items, ",") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			is.ItemIDs = append(is.ItemIDs, id)
		}
	}
	is.Date, is.Created, is.Sent = fromMS(date), fromMS(created), fromMS(sent)
	return &is, nil
}

// CreateIssue numbers and stores a new issue, unless one is being sent.
func (db *DB) CreateIssue(ctx context.Context, is *store.NewsletterIssue, nextDue time.Time) (*store.NewsletterIssue, error) {
	var open *store.NewsletterIssue
	err := db.d.tx(ctx, func(q querier) error {
		// Serialise issue creation per newsletter on its settings row.
		if _, err := q.exec(ctx, `UPDATE newsletters SET intro = intro WHERE list_id = $1`, is.ListID); err != nil {
			return err
		}
		o, err := scanIssue(q.queryRow(ctx, `SELECT `+issueCols+` FROM newsletter_issues WHERE list_id = $1 AND state = 'sending'`, is.ListID))
		if err == nil {
			open = o
			return store.ErrExists
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := q.queryRow(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM newsletter_issues WHERE list_id = $1`, is.ListID).
			Scan(&is.Number); err != nil {
			return err
		}
		ids := make([]string, len(is.ItemIDs))
		for i, id := range is.ItemIDs {
			ids[i] = strconv.FormatInt(id, 10)
		}
		now := time.Now().Truncate(time.Millisecond)
		is.State, is.Created, is.Cursor, is.SentCount = store.IssueSending, now, 0, 0
		if err := q.queryRow(ctx, `INSERT INTO newsletter_issues (list_id, number, state, intro, items, issue_date, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, is.ListID, is.Number, is.State, is.Intro, strings.Join(ids, ","),
			ms(is.Date), ms(now)).Scan(&is.ID); err != nil {
			return err
		}
		var due any
		if !nextDue.IsZero() {
			due = nextDue.UnixMilli()
		}
		_, err = q.exec(ctx, `UPDATE newsletters SET intro = '', next_due = $1 WHERE list_id = $2`, due, is.ListID)
		return err
	})
	if errors.Is(err, store.ErrExists) {
		return open, wrap("create issue", err)
	}
	if err != nil {
		return nil, wrap("create issue", err)
	}
	return is, nil
}

// SendingIssue is the newsletter's issue in state sending.
func (db *DB) SendingIssue(ctx context.Context, listID int64) (*store.NewsletterIssue, error) {
	is, err := scanIssue(db.d.queryRow(ctx, `SELECT `+issueCols+` FROM newsletter_issues WHERE list_id = $1 AND state = 'sending'`, listID))
	return is, wrap("sending issue", err)
}

// GetIssue finds an issue by number.
func (db *DB) GetIssue(ctx context.Context, listID int64, number int) (*store.NewsletterIssue, error) {
	is, err := scanIssue(db.d.queryRow(ctx, `SELECT `+issueCols+` FROM newsletter_issues WHERE list_id = $1 AND number = $2`, listID, number))
	return is, wrap("get issue", err)
}

// LastIssue is the newest issue.
func (db *DB) LastIssue(ctx context.Context, listID int64) (*store.NewsletterIssue, error) {
	is, err := scanIssue(db.d.queryRow(ctx, `SELECT `+issueCols+` FROM newsletter_issues WHERE list_id = $1
		ORDER BY number DESC LIMIT 1`, listID))
	return is, wrap("last issue", err)
}

// ListIssues pages newest first.
func (db *DB) ListIssues(ctx context.Context, listID int64, before, limit int) ([]*store.NewsletterIssue, error) {
	if before <= 0 {
		before = 1 << 30
	}
	rs, err := db.d.query(ctx, `SELECT `+issueCols+` FROM newsletter_issues WHERE list_id = $1 AND number < $2
		ORDER BY number DESC LIMIT $3`, listID, before, limit)
	if err != nil {
		return nil, wrap("list issues", err)
	}
	return collect(rs, scanIssue)
}

// QueueIssue queues a batch of copies and moves the cursor, fenced on it.
func (db *DB) QueueIssue(ctx context.Context, issueID, from, upto int64, mails []*store.QueuedMail) error {
	err := db.d.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, `UPDATE newsletter_issues SET cursor = $1, sent_count = sent_count + $2
			WHERE id = $3 AND cursor = $4 AND state = 'sending'`, upto, len(mails), issueID, from)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrLeaseLost
		}
		for _, m := range mails {
			if err := enqueueMail(ctx, q, m); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("queue issue", err)
}

// FinishIssue marks the issue sent and its approved items published.
func (db *DB) FinishIssue(ctx context.Context, issueID int64, at time.Time) error {
	err := db.d.tx(ctx, func(q querier) error {
		is, err := scanIssue(q.queryRow(ctx, `SELECT `+issueCols+` FROM newsletter_issues WHERE id = $1`+db.d.forUpdate(), issueID))
		if err != nil {
			return err
		}
		if is.State == store.IssueSent {
			return nil
		}
		if _, err := q.exec(ctx, `UPDATE newsletter_issues SET state = 'sent', sent_at = $1 WHERE id = $2`, at.UnixMilli(), issueID); err != nil {
			return err
		}
		if len(is.ItemIDs) == 0 {
			return nil
		}
		ps := make([]string, len(is.ItemIDs))
		args := make([]any, len(is.ItemIDs))
		for i, id := range is.ItemIDs {
			ps[i], args[i] = "$"+strconv.Itoa(i+1), id
		}
		_, err = q.exec(ctx, `UPDATE items SET state = 'published' WHERE state = 'approved' AND id IN (`+
			strings.Join(ps, ",")+`)`, args...)
		return err
	})
	return wrap("finish issue", err)
}
