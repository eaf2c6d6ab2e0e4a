package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Regions are the UK nations and English regions an event's place may
// name (the form's list; mail may say anything).
var Regions = []string{"England", "Scotland", "Wales", "Northern Ireland", "North East", "North West",
	"Yorkshire and the Humber", "East Midlands", "West Midlands", "East of England", "London", "South East", "South West"}

// itemForm is an item's fields as a form shows and posts them (times
// as the browser's datetime-local and date inputs write them).
type itemForm struct {
	Kind, Title, Summary, URL, By                string
	Starts, Ends, Zone, Location, Region, Online string
	Booking, Published, Topics, Respond, Closes  string
	AllDay                                       bool
	Regions                                      []string
	IsEvent, IsResearch, IsOpen                  bool // which fields the kind has
	KindLabel, TitleLabel, SummaryLabel, ByLabel string
}

func (f *itemForm) label() {
	f.Regions = Regions
	f.IsEvent, f.IsResearch = f.Kind == store.ItemEvent, f.Kind == store.ItemResearch
	f.IsOpen = f.Kind == store.ItemAsk || f.Kind == store.ItemOffer
	f.KindLabel = newsletter.KindLabel(f.Kind)
	f.TitleLabel, f.SummaryLabel, f.ByLabel = "Title", "Description", "Organised by"
	switch f.Kind {
	case store.ItemResearch:
		f.SummaryLabel, f.ByLabel = "Short summary", "Authors or organisation"
	case store.ItemAsk:
		f.TitleLabel, f.SummaryLabel, f.ByLabel = "What is needed", "More detail", "Who is asking"
	case store.ItemOffer:
		f.TitleLabel, f.SummaryLabel, f.ByLabel = "What is offered", "More detail", "Who is offering"
	}
}

// formOf reads an item form from a POST.
func formOf(r *http.Request) *itemForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := &itemForm{Kind: v("kind"), Title: v("title"), Summary: v("summary"), URL: v("url"), By: v("by"),
		Starts: v("starts"), Ends: v("ends"), Zone: v("zone"), Location: v("location"), Region: v("region"),
		Online: v("online"), Booking: v("booking"), Published: v("published"), Topics: v("topics"),
		Respond: v("respond"), Closes: v("closes"), AllDay: r.PostFormValue("allday") != ""}
	f.label()
	return f
}

// item builds the item the form describes; problems name the fields
// that could not be read (Normalize then checks the rest).
func (f *itemForm) item() (*store.Item, []string) {
	vals := map[string]string{newsletter.FTitle: f.Title, newsletter.FSummary: f.Summary, newsletter.FURL: f.URL,
		newsletter.FBy: f.By, newsletter.FTopics: f.Topics}
	switch {
	case f.IsEvent:
		vals[newsletter.FStarts], vals[newsletter.FEnds], vals[newsletter.FZone] = f.Starts, f.Ends, f.Zone
		vals[newsletter.FLocation], vals[newsletter.FRegion], vals[newsletter.FOnline] = f.Location, f.Region, f.Online
		vals[newsletter.FBooking] = f.Booking
		if f.AllDay {
			vals[newsletter.FAllDay] = "yes"
		}
	case f.IsResearch:
		vals[newsletter.FPublished] = f.Published
	case f.IsOpen:
		vals[newsletter.FRespond], vals[newsletter.FCloses] = f.Respond, f.Closes
	}
	for k, v := range vals {
		if v == "" {
			delete(vals, k)
		}
	}
	return newsletter.FromFields(f.Kind, "", newsletter.Fields{Values: vals})
}

// formFromItem fills a form from a stored item (an editor's edit form).
func formFromItem(it *store.Item) *itemForm {
	f := &itemForm{Kind: it.Kind, Title: it.Title, Summary: it.Summary, URL: it.URL, By: it.By, Zone: it.Zone,
		Location: it.Location, Region: it.Region, Online: it.OnlineURL, Booking: it.BookingURL,
		Topics: strings.Join(it.Topics, ", "), Respond: it.Respond, AllDay: it.AllDay}
	loc := zone(it.Zone)
	if !it.Starts.IsZero() {
		f.Starts = it.Starts.In(loc).Format("2006-01-02T15:04")
	}
	if !it.Ends.IsZero() {
		f.Ends = it.Ends.In(loc).Format("2006-01-02T15:04")
		if it.AllDay { // the form shows the last day, not the midnight after it
			f.Ends = it.Ends.In(loc).Add(-time.Minute).Format(time.DateOnly)
			f.Starts = it.Starts.In(loc).Format(time.DateOnly)
		}
	}
	if !it.Published.IsZero() {
		f.Published = it.Published.UTC().Format(time.DateOnly)
	}
	if !it.Closes.IsZero() {
		f.Closes = it.Closes.UTC().Format(time.DateOnly)
	}
	f.label()
	return f
}

// itemViewOf is how the permalink page and previews show an item.
func itemViewOf(it *store.Item, l *store.List) itemView {
	v := itemView{Item: it, Kind: newsletter.KindLabel(it.Kind), Topics: strings.Join(it.Topics, ", "),
		Open: it.State != store.ItemExpired, Newsletter: l}
	switch it.Kind {
	case store.ItemEvent:
		v.Date = it.Starts.In(zone(it.Zone)).Format("Monday 2 January 2006")
		v.When, v.Where = newsletter.When(it), newsletter.Where(it)
	case store.ItemAsk, store.ItemOffer:
		v.Closes = newsletter.Closes(it)
	case store.ItemResearch:
		if !it.Published.IsZero() {
			v.Date = it.Published.UTC().Format("2 January 2006")
		}
	}
	return v
}
