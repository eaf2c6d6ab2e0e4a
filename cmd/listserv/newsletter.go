package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/token"
)

func newsletterCmd(ctx context.Context, args []string, stdout io.Writer) error {
	verb, rest, err := sub(args, "newsletter")
	if err != nil {
		return err
	}
	switch verb {
	case "create":
		return newsletterCreate(ctx, rest, stdout)
	case "link":
		return newsletterLink(ctx, rest, stdout)
	}
	return fmt.Errorf("%w: unknown newsletter command %q (create, link)", errUsage, verb)
}

// newsletterCreate makes a list of kind newsletter: announce policy (only
// editors publish; mail to it is a submission) and a weekly schedule.
func newsletterCreate(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("newsletter create")
	name := f.String("name", "", "display name")
	sched := f.String("schedule", newsletter.DefaultSchedule, "weekday, time and zone of each issue")
	pos, err := f.parseExact(args, 1, "newsletter ADDRESS")
	if err != nil {
		return err
	}
	sc, err := newsletter.ParseSchedule(*sched)
	if err != nil {
		return badInput(err)
	}
	l := &store.List{Address: pos[0], Name: *name, Kind: store.KindNewsletter, Policy: store.PolicyAnnounce}
	if err := admin.CheckList(l); err != nil {
		return err
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateList(ctx, l); errors.Is(err, store.ErrExists) {
		return fmt.Errorf("%w: %s exists already", admin.ErrInvalid, l.Address)
	} else if err != nil {
		return err
	}
	next, err := sc.Next(time.Now())
	if err != nil {
		return err
	}
	if err := db.SetNewsletter(ctx, &store.Newsletter{ListID: l.ID, Schedule: sc.String(), NextDue: next}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created newsletter %s (List-Id <%s>), first issue %s\n", l.Address, l.ListID(),
		next.In(sc.Loc()).Format("Monday 2 January 2006 15:04 MST"))
	return nil
}

func itemCmd(ctx context.Context, args []string, stdout io.Writer) error {
	verb, rest, err := sub(args, "item")
	if err != nil {
		return err
	}
	switch verb {
	case "add":
		return itemAdd(ctx, rest, stdout)
	case "ls":
		return itemLs(ctx, rest, stdout)
	case "withdraw":
		return itemWithdraw(ctx, rest, stdout)
	}
	return fmt.Errorf("%w: unknown item command %q (add, ls, withdraw)", errUsage, verb)
}

// openNewsletter opens the store and finds a newsletter (not a
// discussion list).
func openNewsletter(ctx context.Context, f *flagSet, address string) (*sqldb.DB, *store.List, error) {
	db, l, err := f.openList(ctx, address)
	if err != nil {
		return nil, nil, err
	}
	if l.Kind != store.KindNewsletter {
		db.Close()
		return nil, nil, fmt.Errorf("%w: %s is a discussion list, not a newsletter (\"listserv newsletter create\" makes one)", admin.ErrInvalid, address)
	}
	return db, l, nil
}

// itemAdd adds an approved item and prints its id.
func itemAdd(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("item add")
	it := &store.Item{State: store.ItemApproved, Source: "operator"}
	f.StringVar(&it.Kind, "kind", "", "event, research, ask or offer")
	f.StringVar(&it.Title, "title", "", "title (one line)")
	f.StringVar(&it.URL, "url", "", "link (booking link for an event)")
	f.StringVar(&it.Summary, "summary", "", "description or short summary")
	starts := f.String("starts", "", "event start, RFC 3339 (2027-01-31T18:00:00Z)")
	ends := f.String("ends", "", "event end, RFC 3339")
	f.StringVar(&it.Zone, "zone", "Europe/London", "event time zone (IANA)")
	f.StringVar(&it.Location, "location", "", "event place")
	f.StringVar(&it.Region, "region", "", "UK nation or region of the place")
	closes := f.String("closes", "", "closing date of an ask or offer, YYYY-MM-DD (default in 4 weeks)")
	f.StringVar(&it.By, "by", "", "organiser, authors or organisation, or by whom")
	f.StringVar(&it.Respond, "respond", "", "how to respond to an ask or offer")
	topics := f.String("topics", "", "comma-separated topics")
	pos, err := f.parseExact(args, 1, "NEWSLETTER")
	if err != nil {
		return err
	}
	if err := itemTimes(it, *starts, *ends, *closes); err != nil {
		return err
	}
	if it.Kind == store.ItemEvent && it.URL != "" {
		it.BookingURL, it.URL = it.URL, ""
	}
	if *topics != "" {
		it.Topics = strings.Split(*topics, ",")
	}
	if err := newsletter.Normalize(it, time.Now()); err != nil {
		return badInput(err)
	}
	db, l, err := openNewsletter(ctx, f, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	it.ListID = l.ID
	if err := db.AddItem(ctx, it); err != nil {
		return err
	}
	fmt.Fprintln(stdout, it.ID)
	return nil
}

func itemTimes(it *store.Item, starts, ends, closes string) error {
	var err error
	loc, lerr := time.LoadLocation(it.Zone)
	if lerr != nil {
		return fmt.Errorf("%w: --zone %q is not a known time zone", admin.ErrInvalid, it.Zone)
	}
	if starts != "" {
		if it.Starts, err = newsletter.ParseTime("--starts", starts, loc); err != nil {
			return badInput(err)
		}
	}
	if ends != "" {
		if it.Ends, err = newsletter.ParseTime("--ends", ends, loc); err != nil {
			return badInput(err)
		}
	}
	if closes != "" {
		if it.Closes, err = newsletter.ParseDate("--closes", closes); err != nil {
			return badInput(err)
		}
	}
	if it.Kind != store.ItemEvent && (starts != "" || ends != "") {
		return fmt.Errorf("%w: --starts and --ends are for events only", admin.ErrInvalid)
	}
	return nil
}

// itemJSON is the stable --json shape of an item.
type itemJSON struct {
	ID       int64      `json:"id"`
	Kind     string     `json:"kind"`
	State    string     `json:"state"`
	Title    string     `json:"title"`
	URL      string     `json:"url,omitempty"`
	Summary  string     `json:"summary,omitempty"`
	By       string     `json:"by,omitempty"`
	Starts   *time.Time `json:"starts,omitempty"`
	Ends     *time.Time `json:"ends,omitempty"`
	Zone     string     `json:"zone,omitempty"`
	Location string     `json:"location,omitempty"`
	Closes   string     `json:"closes,omitempty"`
	Topics   []string   `json:"topics,omitempty"`
	Sequence int        `json:"sequence"`
}

func toItemJSON(it *store.Item) itemJSON {
	j := itemJSON{ID: it.ID, Kind: it.Kind, State: it.State, Title: it.Title, URL: it.URL + it.BookingURL,
		Summary: it.Summary, By: it.By, Location: it.Location, Topics: it.Topics, Sequence: it.Sequence}
	if !it.Starts.IsZero() {
		s, e := it.Starts.UTC(), it.Ends.UTC()
		j.Starts, j.Ends, j.Zone = &s, &e, it.Zone
	}
	if !it.Closes.IsZero() {
		j.Closes = it.Closes.UTC().Format(time.DateOnly)
	}
	return j
}

// itemLs lists a newsletter's items, newest first, in pages of the store.
func itemLs(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("item ls")
	asJSON := f.Bool("json", false, "one JSON array")
	pos, err := f.parseExact(args, 1, "NEWSLETTER")
	if err != nil {
		return err
	}
	db, l, err := openNewsletter(ctx, f, pos[0])
	if err != nil {
		return err
	}
	defer db.Close()
	var all []itemJSON
	filter := store.ItemFilter{ListID: l.ID}
	for {
		page, err := db.ListItems(ctx, filter, 500)
		if err != nil {
			return err
		}
		for _, it := range page {
			all = append(all, toItemJSON(it))
		}
		if len(page) < 500 {
			break
		}
		filter.AfterID = page[len(page)-1].ID
	}
	if *asJSON {
		if all == nil {
			all = []itemJSON{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(all)
	}
	for _, it := range all {
		when := it.Closes
		if it.Starts != nil {
			when = it.Starts.Format("2006-01-02 15:04Z")
		}
		fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\t%s\n", it.ID, it.Kind, it.State, when, it.Title)
	}
	return nil
}

// itemWithdraw takes an item out of future issues and pages.
func itemWithdraw(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("item withdraw")
	pos, err := f.parseExact(args, 1, "ID")
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("%w: item id must be a number, not %q", admin.ErrInvalid, pos[0])
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	it, err := db.SetItemState(ctx, id, []string{store.ItemPending, store.ItemApproved, store.ItemPublished}, store.ItemWithdrawn)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: no item %d", admin.ErrInvalid, id)
	case errors.Is(err, store.ErrAlreadyHandled):
		return fmt.Errorf("%w: item %d is %s already", admin.ErrInvalid, id, it.State)
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "withdrew item %d (%s)\n", id, it.Title)
	return nil
}

// badInput is a newsletter validation error as an operator error (exit 2).
func badInput(err error) error {
	return fmt.Errorf("%w: %s", admin.ErrInvalid, strings.TrimPrefix(err.Error(), newsletter.ErrInvalid.Error()+": "))
}

// newsletterDigest handles "digest send|preview" for a newsletter (the
// digest engine handles discussion lists); handled is false when the
// arguments do not name a newsletter.
func newsletterDigest(ctx context.Context, verb string, args []string, stdout io.Writer) (handled bool, err error) {
	if verb != "send" && verb != "preview" {
		return false, nil
	}
	f := newFlags("digest " + verb)
	f.Bool("now", false, "send the next issue now")
	base := f.str("base-url", "LISTSERV_BASE_URL", "http://127.0.0.1:8080", "public URL of the web UI, for links")
	f.Duration("lease", 2*time.Minute, "(digests only)")
	member := f.String("member", "", "preview as this subscriber")
	format := f.String("format", "", "text or html")
	pos, perr := f.parseExact(args, 1, "LIST")
	if perr != nil {
		return false, nil
	}
	db, err := f.open(ctx)
	if err != nil {
		return false, nil
	}
	defer db.Close()
	l, err := db.GetList(ctx, pos[0])
	if err != nil || l.Kind != store.KindNewsletter {
		return false, nil
	}
	secret, err := db.Secret(ctx)
	if err == nil {
		*base, err = baseURL(ctx, db, *base)
	}
	if err != nil {
		return true, err
	}
	e := newsletter.New(db, token.New(secret), newsletter.Config{BaseURL: *base}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if verb == "preview" {
		return true, newsletterPreview(ctx, e, l, *member, *format, stdout)
	}
	is, n, err := e.SendNow(ctx, l)
	if errors.Is(err, newsletter.ErrNothing) {
		fmt.Fprintf(stdout, "nothing to send for %s: no current items and no introduction\n", l.Address)
		return true, nil
	}
	if err != nil {
		return true, err
	}
	fmt.Fprintf(stdout, "queued issue %d of %s to %d subscribers\n", is.Number, l.Address, n)
	return true, nil
}

// newsletterPreview prints the next issue's text or HTML.
func newsletterPreview(ctx context.Context, e *newsletter.Engine, l *store.List, member, format string, stdout io.Writer) error {
	switch format {
	case "", "text", "plain":
		format = store.FormatPlain
	case "html":
		format = store.FormatHTML
	default:
		return fmt.Errorf("%w: --format must be text or html for a newsletter, not %q", admin.ErrInvalid, format)
	}
	r, err := e.Preview(ctx, l, member, format)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %s is not subscribed to %s", admin.ErrInvalid, member, l.Address)
	}
	if err != nil {
		return err
	}
	out := r.Text
	if format == store.FormatHTML {
		out = r.HTML
	}
	_, err = io.WriteString(stdout, out)
	return err
}
