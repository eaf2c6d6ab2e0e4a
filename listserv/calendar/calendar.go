// Package calendar writes newsletter events as iCalendar (RFC 5545):
// /events.ics, one calendar per newsletter and the per-event file the
// newsletter mail links to ("add to calendar").
//
// Implementation notes:
//   - github.com/arran4/golang-ical writes the objects: it folds lines at 75
//     octets without splitting a UTF-8 character and escapes TEXT values.
//     emersion/go-ical was the other candidate but does not fold at all.
//     golang-ical writes no VTIMEZONE body, so vtimezone.go derives one
//     from Go's zone data for every TZID used.
//   - METHOD:PUBLISH (RFC 5546): subscribers' calendars replace an event
//     with the same UID when its SEQUENCE is higher; the store bumps
//     SEQUENCE and LAST-MODIFIED whenever an event's fields change.
//   - Times are written as wall time with TZID (never as UTC only), so a
//     10:00 event stays at 10:00 after the clocks change; all-day events
//     are DATE values with an exclusive DTEND.
package calendar

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/demnet-uk/listserv/listserv/store"
)

const (
	localFormat = "20060102T150405"
	dateFormat  = "20060102"
	// ProductID names this software in PRODID (RFC 5545 3.7.3).
	ProductID = "-//listserv//newsletter calendar//EN"
	// ContentType is the media type to serve calendars with.
	ContentType = "text/calendar; charset=utf-8"
)

// Options say where the calendar lives and when it is written.
type Options struct {
	BaseURL string    // public URL: permalinks, and the host part of UIDs
	Name    string    // the calendar's name (NAME, X-WR-CALNAME)
	Now     time.Time // DTSTAMP: when this calendar object is made
}

// UID is an event's stable identifier: the item id at the site's host.
func UID(baseURL string, id int64) string {
	return "item-" + strconv.FormatInt(id, 10) + "@" + host(baseURL)
}

func host(baseURL string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "listserv.invalid"
}

// Write writes the events among items as one VCALENDAR with a VTIMEZONE
// for every zone they use. Items of other kinds are skipped.
func Write(w io.Writer, items []*store.Item, o Options) error {
	cal := ics.NewCalendar()
	cal.SetProductId(ProductID)
	cal.SetMethod(ics.MethodPublish)
	if o.Name != "" {
		cal.SetName(o.Name)
	}
	// Subscribed calendars poll; RFC 7986 REFRESH-INTERVAL and the
	// Outlook/Apple twin say how often is enough (golang-ical's name for
	// the property already carries VALUE=DURATION).
	cal.SetRefreshInterval("PT6H")
	cal.SetXPublishedTTL("PT6H")
	if err := addZones(cal, items); err != nil {
		return err
	}
	for _, it := range items {
		if it.Kind == store.ItemEvent {
			cal.AddVEvent(event(it, o))
		}
	}
	return cal.SerializeTo(w, ics.WithNewLineWindows)
}

// addZones adds one VTIMEZONE per zone the events use, covering the
// years they span.
func addZones(cal *ics.Calendar, items []*store.Item) error {
	type span struct{ first, last int }
	spans := map[string]*span{}
	var order []string
	for _, it := range items {
		z := it.Zone
		if it.Kind != store.ItemEvent || it.AllDay || isUTC(z) {
			continue
		}
		loc, err := time.LoadLocation(z)
		if err != nil {
			return fmt.Errorf("calendar: event %d: time zone %q: %w", it.ID, z, err)
		}
		a, b := it.Starts.In(loc).Year(), it.Ends.In(loc).Year()
		if b < a {
			b = a
		}
		s, ok := spans[z]
		if !ok {
			spans[z], order = &span{a, b}, append(order, z)
			continue
		}
		s.first, s.last = min(s.first, a), max(s.last, b)
	}
	for _, z := range order {
		tz, err := Timezone(z, spans[z].first, spans[z].last)
		if err != nil {
			return err
		}
		cal.AddVTimezone(tz)
	}
	return nil
}

func isUTC(zone string) bool { return zone == "" || zone == "UTC" || zone == "Etc/UTC" }

// event is one VEVENT.
func event(it *store.Item, o Options) *ics.VEvent {
	ev := ics.NewEvent(UID(o.BaseURL, it.ID))
	ev.SetDtStampTime(o.Now)
	ev.SetCreatedTime(it.Created)
	ev.SetLastModifiedAt(it.LastModified)
	ev.SetSequence(it.Sequence)
	ev.SetSummary(it.Title)
	setTimes(ev, it)
	if where := location(it); where != "" {
		ev.SetLocation(where)
	}
	ev.SetDescription(description(it, o.BaseURL))
	ev.SetURL(permalink(o.BaseURL, it.ID))
	ev.SetStatus(ics.ObjectStatusConfirmed)
	return ev
}

// setTimes writes DTSTART and DTEND: DATE values for all-day events,
// wall time with TZID otherwise, UTC for UTC events.
func setTimes(ev *ics.VEvent, it *store.Item) {
	loc, err := time.LoadLocation(it.Zone)
	if err != nil || isUTC(it.Zone) {
		loc = time.UTC
	}
	s, e := it.Starts.In(loc), it.Ends.In(loc)
	if e.Before(s) {
		e = s
	}
	switch {
	case it.AllDay:
		first, end := day(s), day(e)
		if !end.After(first) {
			end = first.AddDate(0, 0, 1)
		}
		ev.SetAllDayStartAt(first)
		ev.SetAllDayEndAt(end)
	case loc == time.UTC:
		ev.SetStartAt(s)
		ev.SetEndAt(e)
	default:
		ev.SetProperty(ics.ComponentPropertyDtStart, s.Format(localFormat), ics.WithTZID(it.Zone))
		ev.SetProperty(ics.ComponentPropertyDtEnd, e.Format(localFormat), ics.WithTZID(it.Zone))
	}
}

// day is the date nearest to t: an all-day event's bounds are midnights
// in its zone, but one stored as start + 24 h lands an hour off midnight
// on the days the clocks change.
func day(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if t.Hour() >= 12 {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func location(it *store.Item) string {
	var parts []string
	if it.Location != "" {
		p := it.Location
		if it.Region != "" {
			p += " (" + it.Region + ")"
		}
		parts = append(parts, p)
	}
	if it.OnlineURL != "" {
		parts = append(parts, "Online: "+it.OnlineURL)
	}
	return strings.Join(parts, "; ")
}

func description(it *store.Item, base string) string {
	var b strings.Builder
	if it.Summary != "" {
		b.WriteString(it.Summary + "\n\n")
	}
	if it.By != "" {
		b.WriteString("Organised by " + it.By + "\n")
	}
	if it.OnlineURL != "" {
		b.WriteString("Join online: " + it.OnlineURL + "\n")
	}
	if it.BookingURL != "" {
		b.WriteString("Booking: " + it.BookingURL + "\n")
	}
	b.WriteString("Details: " + permalink(base, it.ID))
	return b.String()
}

func permalink(base string, id int64) string {
	return strings.TrimRight(base, "/") + "/items/" + strconv.FormatInt(id, 10)
}
