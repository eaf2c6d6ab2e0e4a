package newsletter

import (
	"strings"

	"github.com/demnet-uk/listserv/listserv/store"
)

// renderText is the plain-text issue, "This Week in Rust" style: one
// heading per section, events grouped by date, one item per bullet with
// its permalink.
func renderText(c *Content) string {
	var b strings.Builder
	title := Name(c.List) + ": " + Title(c)
	b.WriteString(title + "\n\n")
	if c.Intro != "" {
		b.WriteString(wrap(c.Intro, "") + "\n\n")
	}
	if c.Empty() || (len(c.Events)+len(c.Research)+len(c.Asks)+len(c.Offers) == 0) {
		b.WriteString("Nothing new in your sections this week.\n\n")
	}
	if days := c.Days(); len(days) > 0 {
		section(&b, "Events")
		for _, d := range days {
			b.WriteString(d.Day.Format("Monday 2 January 2006") + "\n\n")
			for _, e := range d.Events {
				line := "* " + e.Title + ", " + When(e)
				if w := Where(e); w != "" {
					line += ", " + w
				}
				b.WriteString(wrap(line, "  ") + "\n")
				detail(&b, e.By, "Organised by ")
				detail(&b, e.Summary, "")
				b.WriteString("  Details: " + ItemURL(c.BaseURL, e.ID) + "\n")
				b.WriteString("  Add to calendar: " + ICSURL(c.BaseURL, e.ID) + "\n\n")
			}
		}
	}
	if len(c.Research) > 0 {
		section(&b, "Research")
		for _, r := range c.Research {
			line := "* " + r.Title
			if r.By != "" {
				line += ", by " + r.By
			}
			if !r.Published.IsZero() {
				line += " (" + r.Published.UTC().Format("2 January 2006") + ")"
			}
			b.WriteString(wrap(line, "  ") + "\n")
			detail(&b, r.Summary, "")
			detail(&b, strings.Join(r.Topics, ", "), "Topics: ")
			b.WriteString("  Details: " + ItemURL(c.BaseURL, r.ID) + "\n\n")
		}
	}
	openItems(&b, c, "Asks", c.Asks)
	openItems(&b, c, "Offers", c.Offers)
	b.WriteString("-- \n")
	b.WriteString(wrap(footerWhy(c), "") + "\n")
	b.WriteString("Choose your sections and format: " + prefsURL(c) + "\n")
	b.WriteString("Unsubscribe in one click: " + unsubMark + "\n")
	b.WriteString("Read this issue on the web: " + archiveURL(c) + "\n")
	return b.String()
}

func openItems(b *strings.Builder, c *Content, name string, items []*store.Item) {
	if len(items) == 0 {
		return
	}
	section(b, name)
	for _, it := range items {
		line := "* " + it.Title
		if it.By != "" {
			line += ", from " + it.By
		}
		if cl := Closes(it); cl != "" {
			line += " (" + cl + ")"
		}
		b.WriteString(wrap(line, "  ") + "\n")
		detail(b, it.Summary, "")
		detail(b, it.Respond, "To respond: ")
		b.WriteString("  Details and reply: " + ItemURL(c.BaseURL, it.ID) + "\n\n")
	}
}

func section(b *strings.Builder, name string) {
	b.WriteString(name + "\n" + strings.Repeat("-", len(name)) + "\n\n")
}

func detail(b *strings.Builder, text, prefix string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	b.WriteString(wrap(prefix+text, "  ") + "\n")
}

// wrap fills text to 72 columns, each line after the first (and the
// first, when indent is set) indented; paragraphs are kept.
func wrap(text, indent string) string {
	var out []string
	for _, para := range strings.Split(strings.TrimSpace(text), "\n") {
		line := indent
		if len(out) == 0 && strings.HasPrefix(text, "* ") {
			line = ""
		}
		for _, w := range strings.Fields(para) {
			if len([]rune(line))+len([]rune(w)) > 72 && strings.TrimSpace(line) != "" {
				out = append(out, strings.TrimRight(line, " "))
				line = indent
			}
			line += w + " "
		}
		out = append(out, strings.TrimRight(line, " "))
	}
	return strings.Join(out, "\n")
}

func footerWhy(c *Content) string {
	return "You get " + Name(c.List) + " because you subscribed to it (" + c.List.Address + ")."
}

func prefsURL(c *Content) string { return strings.TrimRight(c.BaseURL, "/") + "/me" }

func archiveURL(c *Content) string {
	if c.Number == 0 {
		return strings.TrimRight(c.BaseURL, "/") + "/newsletters/" + c.List.ListID() + "/next"
	}
	return IssueURL(c.BaseURL, c.List, c.Number)
}
