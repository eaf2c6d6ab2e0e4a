package newsletter

import (
	"bytes"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/demnet-uk/listserv/listserv/store"
)

// maxICS bounds an attached calendar file read as an event.
const maxICS = 256 << 10

// EventFromICS reads the first VEVENT of an iCalendar file as an event:
// SUMMARY, DTSTART/DTEND (with TZID, UTC, or a whole day), LOCATION,
// DESCRIPTION, URL and ORGANIZER's name. golang-ical parses (unfolding
// lines, unescaping TEXT); the times are read here so that a floating
// time means the newsletter's zone, not the server's.
func EventFromICS(data []byte) (*store.Item, error) {
	if len(data) > maxICS {
		return nil, invalid("the calendar file is larger than %d KB", maxICS>>10)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		return nil, invalid("the calendar file could not be read: %v", err)
	}
	evs := cal.Events()
	if len(evs) == 0 {
		return nil, invalid("the calendar file has no event")
	}
	ev := evs[0]
	val := func(p ics.ComponentProperty) string {
		if pr := ev.GetProperty(p); pr != nil {
			return strings.TrimSpace(pr.Value)
		}
		return ""
	}
	it := &store.Item{Kind: store.ItemEvent, Title: val(ics.ComponentPropertySummary), Location: val(ics.ComponentPropertyLocation),
		Summary: val(ics.ComponentPropertyDescription), Zone: "Europe/London"}
	if u := val(ics.ComponentPropertyUrl); checkURL("url", u) == nil {
		it.URL = u
	}
	if o := ev.GetProperty(ics.ComponentPropertyOrganizer); o != nil {
		if cn := o.ICalParameters["CN"]; len(cn) > 0 {
			it.By = strings.Trim(cn[0], `"`)
		}
	}
	var day bool
	if it.Starts, day, it.Zone, err = icsTime(ev.GetProperty(ics.ComponentPropertyDtStart), it.Zone); err != nil {
		return nil, err
	}
	it.AllDay = day
	if p := ev.GetProperty(ics.ComponentPropertyDtEnd); p != nil {
		if it.Ends, _, _, err = icsTime(p, it.Zone); err != nil {
			return nil, err
		}
	}
	return it, nil
}

// icsTime reads a DATE-TIME (UTC "Z", with TZID, or floating in def) or
// a DATE (day true), returning the zone it is in.
func icsTime(p *ics.IANAProperty, def string) (time.Time, bool, string, error) {
	if p == nil || p.Value == "" {
		return time.Time{}, false, def, invalid("the calendar event has no start (DTSTART)")
	}
	v, zoneName := strings.TrimSpace(p.Value), def
	if tz := p.ICalParameters["TZID"]; len(tz) > 0 {
		if _, err := time.LoadLocation(tz[0]); err == nil && tz[0] != "Local" {
			zoneName = tz[0]
		}
	}
	loc := zone(zoneName)
	if t, err := time.ParseInLocation("20060102", v, loc); err == nil {
		return t, true, zoneName, nil
	}
	if t, err := time.Parse("20060102T150405Z", v); err == nil {
		return t, false, zoneName, nil
	}
	if t, err := time.ParseInLocation("20060102T150405", v, loc); err == nil {
		return t, false, zoneName, nil
	}
	return time.Time{}, false, def, invalid("the calendar time %q could not be read", v)
}

// errString is err's message without the ErrInvalid prefix, for people.
func errString(err error) string {
	return strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")
}
