package bounce

import (
	"regexp"
	"strings"
)

// bounceSubject matches the subjects MTAs give their bounces.
var bounceSubject = regexp.MustCompile(`(?i)undeliver|undelivered|delivery (status|failure|notification|has failed|problem|report)|failure notice|returned mail|mail delivery|delivery failed|non.?delivery|could not (be )?deliver|not delivered|returned to sender|mail system error|rejected|bounce|nicht zustellbar|unzustellbar|fehlgeschlagen|delivery ?fail|failed delivery|warning: could not send|message status|permanent error|delayed mail|delay(ed)? (notification|delivery)|error sending message|mail failure|user unknown|mailbox unavailable|message you sent|unable to deliver|cannot be delivered|couldn't be delivered|wasn't delivered|blocked|NDN|系统退信|エラー|配信`)

var robotSender = regexp.MustCompile(`(?i)(mailer-daemon|mailer_daemon|post_?master|mail delivery (sub)?system|mail administrator|mailadmin|administrator|mmdf|smtp|mail-?router|mailmaster|internet mail delivery|microsoftexchange|notes|daemon|autonotify|bounce|no-?reply|notification)`)

// looksLikeBounce decides whether the generic reading may run at all.
func (m *msg) looksLikeBounce() bool {
	if m.bounceMarks() {
		return true
	}
	rp := m.hdr.Get("Return-Path")
	return rp != "" && strings.Trim(rp, "<> ") == ""
}

// bounceMarks: the report type, a bounce subject or a robot sender.
func (m *msg) bounceMarks() bool {
	if strings.HasPrefix(m.ctype, "multipart/report") || bounceSubject.MatchString(m.subject) {
		return true
	}
	return robotSender.MatchString(m.from)
}

// challengeRE marks challenge-response systems that answer with a
// bounce-like "confirm you are a sender" message: not a failure.
var challengeRE = regexp.MustCompile(`(?i)requires confirmation|whitelist\.aspx|boxbe|challenge[- ]response|verify (that )?you are (a )?(human|real)|sender verification request|please (click|confirm).{0,40}(deliver|approved? sender)`)

func detectChallenge(m *msg) *Result {
	if challengeRE.MatchString(m.from) || challengeRE.MatchString(m.text) {
		return &Result{Kind: AutoReply}
	}
	for _, b := range m.status {
		if challengeRE.Match(b) {
			return &Result{Kind: AutoReply}
		}
	}
	return nil
}

// vacationSubject: an answer written by a robot for a person away.
var vacationSubject = regexp.MustCompile(`(?i)^\s*(auto(matic)?[ -]?(reply|response|antwort|svar|respuesta)|out of (the )?office|abwesend|abwesenheit|absence|away from|on vacation|vacation|r[ée]ponse automatique|risposta automatica|automatyczna)|\(automatic response\)|autoreply|auto-reply`)

func detectAutoReply(m *msg) *Result {
	if m.isAutoReplyHeader() || vacationSubject.MatchString(m.subject) {
		if !bounceSubject.MatchString(m.subject) || vacationSubject.MatchString(m.subject) {
			return &Result{Kind: AutoReply}
		}
	}
	return nil
}

// isAutoReplyHeader follows RFC 3834 and the vendor fields (the rule of
// notice.IsAutoReply, on this package's header type). Auto-Submitted:
// auto-replied alone does not count: RFC 3464 asks DSNs to carry it too.
func (m *msg) isAutoReplyHeader() bool {
	for _, f := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply"} {
		if m.hdr.Get(f) != "" {
			return true
		}
	}
	if strings.EqualFold(strings.TrimSpace(m.hdr.Get("X-Apple-Action")), "VACATION") {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(m.hdr.Get("Precedence"))) {
	case "auto_reply":
		return true
	}
	as := strings.ToLower(m.hdr.Get("Auto-Submitted"))
	return strings.Contains(as, "auto-replied") && !m.bounceMarks()
}

// leadRE is a line that opens with an address: the way qmail, Postfix,
// Exim, Sendmail, Exchange, Gmail, Yahoo and most others list failures.
var leadRE = regexp.MustCompile(`(?i)^[ \t>*-]*(?:[45]\d\d[ \t-]+)?(?:(?:rcpt to|recipient address|original recipient|failed recipient|final recipient|recipient|address|unknown user|invalid recipient|user|e-?mail|to)(?:\s*:\s*|\s+))?["'<(\[]*(` + addrRE.String() + `)[>"')\]]*(.*)$`)

// sentByRE ends Exim's "A message sent by" (the sender's address follows).
var sentByRE = regexp.MustCompile(`(?i)\bmessage sent by\s*$`)

// prevLine is the last non-blank line before lines[i].
func prevLine(lines []string, i int) string {
	for j := i - 1; j >= 0; j-- {
		if strings.TrimSpace(lines[j]) != "" {
			return lines[j]
		}
	}
	return ""
}

// expandedRE is Sendmail's note under an alias target.
var expandedRE = regexp.MustCompile(`(?i)^\s*\(expanded from:?\s*<?(` + addrRE.String() + `)>?\)`)

// toFieldRE: a line that reads as a To header field.
var toFieldRE = regexp.MustCompile(`(?i)^[ \t>]*to\s*:`)

// detectText is the generic reading of a report: addresses that open a
// line, each with the status found after it.
func detectText(m *msg) *Result {
	if !m.looksLikeBounce() {
		return nil
	}
	report, returned := splitReturned(strings.ReplaceAll(m.text, "\r", ""))
	lines := strings.Split(report, "\n")
	type cand struct {
		addr string
		line int
	}
	var cs, self, toLines []cand
	for i, line := range lines {
		sm := leadRE.FindStringSubmatch(line)
		if sm == nil {
			continue
		}
		a := clean(sm[1])
		if !trailerOK(sm[2]) {
			continue
		}
		if b := bracketedRE.FindStringSubmatch(sm[2]); b != nil {
			a = clean(b[1]) // "x@y <z@w>": the bracketed one is the address (RFC 5322 name-addr)
		}
		if m.bystander(a) {
			if m.selfSent(a) {
				self = append(self, cand{a, i})
			}
			continue
		}
		if i > 0 && sentByRE.MatchString(prevLine(lines, i)) {
			continue // Exim's "A message sent by <sender>": the sender
		}
		if toFieldRE.MatchString(line) {
			toLines = append(toLines, cand{a, i})
			continue
		}
		cs = append(cs, cand{a, i})
	}
	if len(cs) == 0 {
		// "To: x" may be the failed recipient, or (Exchange's "Your
		// message To: ... Subject: ... did not reach") the returned
		// message's addressee: only when nothing else is named.
		cs = toLines
	}
	headerNamed := false
	if len(cs) == 0 {
		// Exim lists the failures in X-Failed-Recipients, also when its
		// report names them by a pipe or file ("save to ...").
		for _, a := range addressesIn(m.hdr.Get("X-Failed-Recipients")) {
			if !m.notifiedOrRobot(a) {
				lines = append(lines, a)
				cs, headerNamed = append(cs, cand{a, len(lines) - 1}), true
			}
		}
	}
	if len(cs) == 0 && len(self) > 0 {
		// Someone wrote to themselves and that failed: the sender is
		// the recipient.
		cs = self
	}
	if len(cs) == 0 {
		// Second tier: an address anywhere on a line that speaks of a
		// failure or carries a reply code.
		for i, line := range lines {
			if !failureLine.MatchString(line) || headerLine.MatchString(line) {
				continue
			}
			for _, a := range addressesIn(line) {
				if !m.bystander(a) {
					cs = append(cs, cand{a, i})
				}
			}
		}
	}
	if len(cs) == 0 {
		// Last: the returned message's only addressee (old Sendmail
		// quotes it inline and names nobody in the transcript).
		if a := quotedTo(m, returned); a != "" {
			lines = append(lines, a)
			cs = append(cs, cand{a, len(lines) - 1})
		}
	}
	if len(cs) == 0 {
		return nil
	}
	var rs []Recipient
	for k, c := range cs {
		end := len(lines)
		if k+1 < len(cs) && cs[k+1].line > c.line {
			end = cs[k+1].line
		}
		end = min(end, c.line+12)
		window := strings.Join(lines[c.line:end], "\n")
		if headerNamed {
			window = report // the address is not in the text: its reason is somewhere in it
		}
		class, code := textClass(window)
		if class == Temporary && givenUpRE.MatchString(report) {
			class = Permanent // the last reply was 4xx, but the MTA has stopped trying
		}
		if class == "" && temporaryRE.MatchString(window) {
			class = Temporary
		}
		if class == "" && permanentRE.MatchString(report) {
			// The report's own words beat a stray number in its prose
			// (a support phone number "480-624-2500" reads as 4xx).
			class = Permanent
		}
		if class == "" {
			class, code = textClass(report)
		}
		if class == "" {
			class = phraseClass(m.text + "\n" + m.subject)
		}
		rs = addRecipient(rs, Recipient{Address: c.addr, Class: class, Status: code})
		if c.line+1 < len(lines) {
			// Sendmail's "(expanded from: x)": x is the address the
			// list sent to, which a member subscribed.
			if sm := expandedRE.FindStringSubmatch(lines[c.line+1]); sm != nil && !m.bystander(clean(sm[1])) {
				rs = addRecipient(rs, Recipient{Address: clean(sm[1]), Class: class, Status: code})
			}
		}
	}
	return &Result{Kind: Failed, Recipients: rs}
}

// returnedRE marks where a text report ends and the returned message it
// quotes begins (Sendmail's "Unsent message follows", Exim's "This is a
// copy of your message", qmail's "Below this line is a copy"): addresses
// below it are the message's, not failures.
var returnedRE = regexp.MustCompile(`(?im)^[ \t-]*(-{3,}|={3,})[ \t]*((original|unsent|returned) message( follows| below)?|this is a copy of (your|the) message|below this line is a copy)`)

// splitReturned cuts s where the returned message begins, if marked.
func splitReturned(s string) (report, returned string) {
	if loc := returnedRE.FindStringIndex(s); loc != nil {
		return s[:loc[0]], s[loc[0]:]
	}
	return s, ""
}

// quotedTo is the one address of the To field of an inline returned
// message, unless it is a bystander.
func quotedTo(m *msg, returned string) string {
	for _, line := range strings.Split(returned, "\n") {
		if len(line) > 3 && strings.EqualFold(line[:3], "to:") {
			as := addressesIn(line[3:])
			if len(as) == 1 && !m.bystander(as[0]) {
				return as[0]
			}
			return ""
		}
	}
	return ""
}

// failureLine is a line that says why or to whom delivery failed.
var failureLine = regexp.MustCompile(`(?i)(^|\s)[45]\d\d[\s-]|\b[45]\.\d{1,3}\.\d{1,3}\b|deliver|unknown|not found|no such|does not exist|doesn't exist|invalid|rejected|refused|failed|failure|could not|couldn't|unable|undeliverable|mailbox|recipient|quota|disabled|inactive|not (a )?valid|returned|bounce|error`)

// headerLine is a header field of a quoted message, not report text.
var headerLine = regexp.MustCompile(`(?i)^(from|to|cc|reply-to|sender|return-path|message-id|in-reply-to|references|received|date|subject|x-[a-z0-9-]+|dkim-signature|list-[a-z]+):`)

// trailerOK: what follows the address on its line is a separator or a
// reason, not more prose ("user@x wrote:", "x@y has been sent to").
func trailerOK(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return true
	}
	switch s[0] {
	case ':', '.', '(', ',', ';', '-', '[':
		return !strings.HasPrefix(strings.ToLower(s), ": wrote")
	}
	ls := strings.ToLower(s)
	for _, p := range []string{"on ", "user ", "mailbox", "unknown", "host ", "does not", "doesn't", "is not", "not ", "no ", "smtp", "<", "550", "551", "552", "553", "554", "450", "451", "452", "421", "5.", "4.", "account", "quota", "reason", "because", "recipient", "error", "failed", "rejected", "has been disabled", "is disabled", "over", "message", "invalid", "denied", "refused", "delivery", "said"} {
		if strings.HasPrefix(ls, p) {
			return true
		}
	}
	return false
}

// textClass finds the class in a span of text by its status codes.
func textClass(s string) (Class, string) {
	if c := findEnhanced(s); c != "" && c[0] != '2' {
		return digitClass(c[:1]), c
	}
	for _, sm := range basicRE.FindAllStringSubmatch(s, -1) {
		if sm[1] == "4" || sm[1] == "5" {
			return digitClass(sm[1]), ""
		}
	}
	return "", ""
}

// permanentRE: the report says in words that the failure is final.
var permanentRE = regexp.MustCompile(`(?i)this\s+is\s+a\s+permanent\s+error|permanent\s+fatal\s+error`)

// temporaryRE: the report says delivery goes on ("has NOT been
// delivered" alone is final; "has not yet been delivered" is not).
var temporaryRE = regexp.MustCompile(`(?i)\bdelayed\b|has not yet been delivered|not yet been delivered|will (continue to )?(re)?try|will be retried|temporar(y|ily)|deferred|still trying|delivery attempts will continue|warning: message|retry timeout exceeded|retry time not reached`)

// givenUpRE: the report counts the attempts it made before it stopped
// ("occurred after 30 attempt(s) to deliver over 92 hours"), so the
// message will not arrive although the last reply was temporary. qmail's
// "I'm not going to try again" is not here: the corpus (Sisimai) keeps
// its 4.x.x queue timeouts temporary.
var givenUpRE = regexp.MustCompile(`(?i)after \d+ attempt\(?s?\)? to deliver`)

// bracketedRE: an address in angle brackets right after the one that
// opened the line.
var bracketedRE = regexp.MustCompile(`^\s*<(` + addrRE.String() + `)>`)

// phraseClass is the last resort: the words of the report.
func phraseClass(s string) Class {
	if temporaryRE.MatchString(s) && !strings.Contains(strings.ToLower(s), "permanent") {
		return Temporary
	}
	return Permanent
}

// detectOriginalTo is the last resort for a bounce whose report names
// nobody (Google Groups, some carriers): the returned message's only
// addressee, when the report speaks of a failure.
func detectOriginalTo(m *msg) *Result {
	if !m.looksLikeBounce() || len(m.origTo) != 1 || m.bystander(m.origTo[0]) {
		return nil
	}
	class, code := textClass(m.text)
	if class == "" {
		// Without a reply code, only a report that says the group or
		// address does not exist or refuses the post will do.
		if !groupRE.MatchString(m.text + "\n" + m.from) {
			return nil
		}
		class = phraseClass(m.text + "\n" + m.subject)
	}
	return &Result{Kind: Failed, Recipients: []Recipient{{Address: m.origTo[0], Class: class, Status: code}}}
}

// groupRE: Google Groups and similar services that answer for a group,
// and Postfix bounces whose delivery report is missing ("Delivery report
// unavailable"): the returned message names the one recipient.
var groupRE = regexp.MustCompile(`(?i)delivery report unavailable|google ?groups|googlegroups|グループ|group you tried to contact|does not exist|doesn't exist|no such (user|address|mailbox)`)
