package digest

import (
	"fmt"
	"strings"
)

// RFC 1153 separators: 70 dashes after the table of contents, 30
// between messages.
var (
	tocSeparator = strings.Repeat("-", 70)
	msgSeparator = strings.Repeat("-", 30)
)

// renderPlain is an RFC 1153 digest: heading, numbered topics, then each
// post's Date, From, Subject and Message-ID and its text.
func renderPlain(is *Issue) string {
	var b strings.Builder
	title := listName(is.List) + " " + is.Title()
	if is.Parts > 1 {
		title += fmt.Sprintf(" (part %d of %d)", is.Part, is.Parts)
	}
	b.WriteString(title + "\n\n")
	b.WriteString(toc(is))
	b.WriteString("\n" + tocSeparator + "\n")
	for i, p := range is.Posts {
		b.WriteString("\n")
		b.WriteString(postText(is, i, p))
		b.WriteString("\n" + msgSeparator + "\n")
	}
	b.WriteString("\n" + footer(is))
	end := "End of " + listName(is.List) + " Digest"
	b.WriteString("\n" + end + "\n" + strings.Repeat("*", len(end)) + "\n")
	return b.String()
}

// toc is "Today's Topics" with "1. Subject (Author)" lines.
func toc(is *Issue) string {
	var b strings.Builder
	b.WriteString("Topics:\n\n")
	for i, p := range is.Posts {
		fmt.Fprintf(&b, "%4d. %s (%s)\n", i+1, oneLine(p.Subject), oneLine(p.Author()))
	}
	return b.String()
}

func postText(is *Issue, i int, p *Post) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Message: %d\nDate: %s\nFrom: %s\nSubject: %s\nMessage-ID: <%s>\n\n",
		i+1, oneLine(p.Date), oneLine(fromLine(p)), oneLine(p.Subject), p.MessageID)
	b.WriteString(escapeSeparators(p.Text))
	b.WriteString("\n")
	if len(p.Attachments) > 0 {
		b.WriteString("\nAttachments (not included in the digest):\n")
		for _, a := range p.Attachments {
			b.WriteString("  - " + a.String() + "\n")
		}
	}
	b.WriteString("\nReply to this post: " + ReplyLink(is.List, p) + "\n")
	return b.String()
}

func fromLine(p *Post) string {
	if p.FromName != "" {
		return p.FromName + " <" + p.FromAddr + ">"
	}
	return p.FromAddr
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// escapeSeparators keeps a post's own line of 30 dashes from reading as
// a message separator (RFC 1153: such lines are altered).
func escapeSeparators(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.TrimRight(l, " ") == msgSeparator {
			lines[i] = " " + l
		}
	}
	return strings.Join(lines, "\n")
}

// renderSummary is subjects, authors and first lines, each with its link.
func renderSummary(is *Issue) string {
	var b strings.Builder
	b.WriteString(listName(is.List) + " " + is.Title() + " (summary)\n\n")
	for i, p := range is.Posts {
		fmt.Fprintf(&b, "%d. %s\n   %s, %s\n", i+1, oneLine(p.Subject), oneLine(p.Author()), oneLine(p.Date))
		if fl := p.FirstLine(); fl != "" {
			b.WriteString("   " + fl + "\n")
		}
		b.WriteString("   Reply: " + ReplyLink(is.List, p) + "\n\n")
	}
	b.WriteString(msgSeparator + "\n" + footer(is))
	return b.String()
}
