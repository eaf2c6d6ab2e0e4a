package feeds

import (
	"strconv"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// ItemEntry is an item's entry, identified by its permalink. Its text
// says when and where for events, by whom and when published for
// research, and until when for asks and offers, then the summary.
func ItemEntry(base string, it *store.Item) Entry {
	link := newsletter.ItemURL(base, it.ID)
	title := it.Title
	if it.Kind == store.ItemAsk || it.Kind == store.ItemOffer {
		title = newsletter.KindLabel(it.Kind) + ": " + title
	}
	var lines []string
	switch it.Kind {
	case store.ItemEvent:
		lines = append(lines, EventDate(it)+", "+newsletter.When(it))
		if w := newsletter.Where(it); w != "" {
			lines = append(lines, "Where: "+w)
		}
	case store.ItemResearch:
		if !it.Published.IsZero() {
			lines = append(lines, "Published "+it.Published.UTC().Format("2 January 2006"))
		}
		if len(it.Topics) > 0 {
			lines = append(lines, "Topics: "+strings.Join(it.Topics, ", "))
		}
	default:
		if c := newsletter.Closes(it); c != "" {
			lines = append(lines, strings.ToUpper(c[:1])+c[1:])
		}
	}
	if it.By != "" {
		lines = append(lines, "By "+it.By)
	}
	if it.Summary != "" {
		lines = append(lines, "", it.Summary)
	}
	published := it.Approved
	if published.IsZero() {
		published = it.Created
	}
	return Entry{ID: link, Title: title, Link: link, Author: it.By, Text: strings.Join(lines, "\n"),
		Published: published, Updated: it.LastModified}
}

// EventDate is an event's first day in its own zone ("Monday 29 March 2027").
func EventDate(it *store.Item) string {
	loc, err := time.LoadLocation(it.Zone)
	if err != nil {
		loc = time.UTC
	}
	return it.Starts.In(loc).Format("Monday 2 January 2006")
}

// IssueEntry is an issue's entry, identified by its archive page.
func IssueEntry(base string, l *store.List, is *store.NewsletterIssue) Entry {
	link := newsletter.IssueURL(base, l, is.Number)
	text := strconv.Itoa(len(is.ItemIDs)) + " items."
	if len(is.ItemIDs) == 1 {
		text = "1 item."
	}
	if is.Intro != "" {
		text = is.Intro + "\n\n" + text
	}
	when := is.Sent
	if when.IsZero() {
		when = is.Date
	}
	// The title is the mail's subject: "Network weekly: Issue 3, Monday 11 January 2027".
	return Entry{ID: link, Title: newsletter.Name(l) + ": Issue " + strconv.Itoa(is.Number) + ", " +
		is.Date.UTC().Format("Monday 2 January 2006"), Link: link, Text: text, Published: when, Updated: when}
}
