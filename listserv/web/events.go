package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/feeds"
	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
	"github.com/demnet-uk/listserv/listserv/subscribe"
)

// itemRow is one item in a browse list.
type itemRow struct {
	ID                        int64
	Link, ICS                 string
	Kind, Title, By, Summary  string
	When, Where, Closes, Date string
	URL, Published            string
	Topics                    []string
	Online                    bool
}

func toRow(it *store.Item) itemRow {
	id := strconv.FormatInt(it.ID, 10)
	row := itemRow{ID: it.ID, Link: "/items/" + id, Kind: newsletter.KindLabel(it.Kind), Title: it.Title, By: it.By,
		Summary: it.Summary, URL: it.URL, Topics: it.Topics, Online: it.OnlineURL != ""}
	switch it.Kind {
	case store.ItemEvent:
		row.ICS, row.When, row.Where, row.Date = "/items/"+id+".ics", newsletter.When(it), newsletter.Where(it), feeds.EventDate(it)
	case store.ItemResearch:
		if !it.Published.IsZero() {
			row.Published = it.Published.UTC().Format("2 January 2006")
		}
	default:
		if !it.Closes.IsZero() {
			row.Closes = it.Closes.UTC().Format("Monday 2 January 2006")
		}
	}
	return row
}

// eventDay is the events of one date, as the newsletter groups them.
type eventDay struct {
	Date   string
	Events []itemRow
}

func byDay(items []*store.Item) []eventDay {
	var days []eventDay
	for _, it := range items {
		row := toRow(it)
		if n := len(days); n > 0 && days[n-1].Date == row.Date {
			days[n-1].Events = append(days[n-1].Events, row)
			continue
		}
		days = append(days, eventDay{Date: row.Date, Events: []itemRow{row}})
	}
	return days
}

// Attendance choices on /events.
var attendOptions = []subscribe.Option{{Value: store.AttendInPerson, Label: "In person"}, {Value: store.AttendOnline, Label: "Online"}}

// eventsPage lists upcoming events by date, filtered by region and by
// online or in person, a page at a time (keyset on start time and id).
func (s *Server) eventsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	region, attend := q.Get("region"), q.Get("attend")
	f := store.EventFilter{States: live, EndsFrom: time.Now()}
	if label := subscribe.Label(subscribe.Regions, region); label != "" {
		// Items name regions in words ("North East", as the submission
		// form offers, or the directory's "North East England"), compared
		// without case by the store.
		f.Regions = []string{region, strings.ReplaceAll(region, "-", " "), label}
	} else {
		region = ""
	}
	if subscribe.Label(attendOptions, attend) != "" {
		f.Attend = attend
	} else {
		attend = ""
	}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	from, _ := strconv.ParseInt(q.Get("from"), 10, 64)
	if after > 0 {
		f.AfterID, f.AfterStart = after, time.UnixMilli(from)
	}
	items, err := s.st.ListEvents(r.Context(), f, browsePage+1)
	if err != nil {
		s.oops(w, r, "events page", err)
		return
	}
	next := ""
	if len(items) > browsePage {
		items = items[:browsePage]
		last := items[len(items)-1]
		next = withQuery("/events", "region", region, "attend", attend, "after", strconv.FormatInt(last.ID, 10),
			"from", strconv.FormatInt(last.Starts.UnixMilli(), 10))
	}
	s.Render(w, r, http.StatusOK, "events", map[string]any{
		"Days": byDay(items), "Region": region, "Attend": attend, "Regions": subscribe.Regions, "Attends": attendOptions,
		"Next": next, "Paged": after > 0, "Filtered": region != "" || attend != "",
		"Feeds": s.links(r, "Events", "/events.atom", "/events.ics"),
	})
}
