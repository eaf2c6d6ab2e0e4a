package server_test

import (
	"bytes"
	"encoding/base64"
	"net"
	"strconv"
	"strings"
	"testing"
)

// imaplibScript drives Python's imaplib through a reader's session and
// prints what each step answered.
const imaplibScript = `
import imaplib, json, sys, base64, time
host, port, ann, annpw, bob, bobpw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
box = '"Lists/team@lists.example.org"'
out = {}
def text(r):
    return [x.decode() if isinstance(x, bytes) else repr(x) for x in r]
c = imaplib.IMAP4(host, port)
try:
    c.login(ann, "wrong-" + annpw)
    out["badlogin"] = "accepted"
except imaplib.IMAP4.error as e:
    out["badlogin"] = str(e)
c.login(ann, annpw)
typ, data = c.capability()
out["caps"] = data[0].decode().split()
typ, data = c.list('""', '*')
out["list"] = text(data)
typ, data = c.select(box)
out["select"] = [typ] + text(data)
out["select_untagged"] = {k: text(v) for k, v in c.untagged_responses.items()}
typ, data = c.search(None, 'FROM', 'bob')
out["search_from"] = text(data)
typ, data = c.search(None, 'SUBJECT', '"budget"')
out["search_subject"] = text(data)
typ, data = c.search(None, 'SINCE', time.strftime('%d-%b-%Y'))
out["search_since"] = text(data)
typ, data = c.search(None, 'BEFORE', '01-Jan-2000')
out["search_before"] = text(data)
typ, data = c.search(None, 'BODY', 'pineapple')
out["search_body"] = text(data)
typ, data = c.search(None, 'TEXT', 'Agenda')
out["search_text"] = text(data)
typ, data = c.uid('SEARCH', None, 'NOT', 'FROM', 'bob')
out["uid_search_not"] = text(data)
typ, data = c.fetch('1', '(BODY.PEEK[])')
out["fetch_raw"] = base64.b64encode(data[0][1]).decode()
typ, data = c.fetch('1', '(FLAGS)')
out["flags_before"] = text(data)
typ, data = c.store('1', '+FLAGS', '(\\Seen)')
out["store"] = [typ] + text(data)
typ, data = c.fetch('1:*', '(FLAGS)')
out["flags_after"] = text(data)
typ, data = c.search(None, 'UNSEEN')
out["unseen"] = text(data)
for name, fn in [
    ("append", lambda: c.append(box, None, None, b"From: x@example.net\r\nSubject: x\r\n\r\nx\r\n")),
    ("create", lambda: c.create('"Lists/new"')),
    ("delete", lambda: c.delete(box)),
    ("rename", lambda: c.rename(box, '"Lists/other"')),
    ("copy", lambda: c.copy('1', 'INBOX')),
    ("store_deleted", lambda: c.store('1', '+FLAGS', '(\\Deleted)')),
    ("expunge", lambda: c.expunge()),
    ("select_secret", lambda: c.select('"Lists/secret@lists.example.org"')),
]:
    try:
        typ, data = fn()
        out[name] = [typ] + text(data)
    except imaplib.IMAP4.error as e:
        out[name] = ["ERR", str(e)]
c.select(box)
typ, data = c.close()
out["close"] = [typ] + text(data)
c.logout()
b = imaplib.IMAP4(host, port)
b.login(bob, bobpw)
b.select(box)
typ, data = b.fetch('1:*', '(FLAGS)')
out["bob_flags"] = text(data)
b.logout()
print(json.dumps(out))
`

type imaplibOut struct {
	BadLogin       string              `json:"badlogin"`
	Caps           []string            `json:"caps"`
	List           []string            `json:"list"`
	Select         []string            `json:"select"`
	SelectUntagged map[string][]string `json:"select_untagged"`
	SearchFrom     []string            `json:"search_from"`
	SearchSubject  []string            `json:"search_subject"`
	SearchSince    []string            `json:"search_since"`
	SearchBefore   []string            `json:"search_before"`
	SearchBody     []string            `json:"search_body"`
	SearchText     []string            `json:"search_text"`
	UIDSearchNot   []string            `json:"uid_search_not"`
	FetchRaw       string              `json:"fetch_raw"`
	FlagsBefore    []string            `json:"flags_before"`
	Store          []string            `json:"store"`
	FlagsAfter     []string            `json:"flags_after"`
	Unseen         []string            `json:"unseen"`
	Append         []string            `json:"append"`
	Create         []string            `json:"create"`
	Delete         []string            `json:"delete"`
	Rename         []string            `json:"rename"`
	Copy           []string            `json:"copy"`
	StoreDeleted   []string            `json:"store_deleted"`
	Expunge        []string            `json:"expunge"`
	SelectSecret   []string            `json:"select_secret"`
	Close          []string            `json:"close"`
	BobFlags       []string            `json:"bob_flags"`
}

// TestIMAPImaplib: Python's imaplib signs in with an app password, lists
// the lists it may read (not a members-only list it is not on), selects
// one, searches by from, subject, date, body and text, fetches a post
// byte for byte as stored, keeps \Seen for this reader only, and gets NO
// with a reason for every change to the archive.
func TestIMAPImaplib(t *testing.T) {
	e := startIMAP(t, t.TempDir()+"/l.db")
	annpw, bobpw := e.appPassword(t, "ann@example.net"), e.appPassword(t, "bob@example.net")
	first := e.post(t, e.team, "ann@example.net", "Budget for March", "Agenda: the pineapple fund.")
	second := e.post(t, e.team, "bob@example.net", "Minutes", "Nothing to report.")
	host, port, _ := net.SplitHostPort(e.imapAddr())
	var o imaplibOut
	python(t, imaplibScript, &o, host, port, "ann@example.net", annpw, "bob@example.net", bobpw)

	if !strings.Contains(o.BadLogin, "AUTHENTICATIONFAILED") {
		t.Errorf("wrong password: %q", o.BadLogin)
	}
	for _, c := range []string{"IMAP4REV1", "IMAP4REV2", "IDLE", "LITERAL+", "UIDPLUS", "ENABLE", "NAMESPACE", "SPECIAL-USE"} {
		if !contains(o.Caps, c) {
			t.Errorf("capabilities %v lack %s", o.Caps, c)
		}
	}
	all := strings.Join(o.List, "\n")
	for _, want := range []string{`"/" INBOX`, `"Lists/team@lists.example.org"`, `"Lists/open@lists.example.org"`, `(\Noselect \HasChildren) "/" "Lists"`} {
		if !strings.Contains(all, want) {
			t.Errorf("LIST lacks %s:\n%s", want, all)
		}
	}
	if strings.Contains(all, "secret@") {
		t.Errorf("LIST shows a members-only list ann is not on:\n%s", all)
	}
	if len(o.Select) < 2 || o.Select[0] != "OK" || o.Select[1] != "2" {
		t.Errorf("SELECT = %v", o.Select)
	}
	if v := o.SelectUntagged["UIDVALIDITY"]; len(v) == 0 || v[0] != itoa(int64(e.team.UIDValidity)) {
		t.Errorf("UIDVALIDITY = %v, want %d", v, e.team.UIDValidity)
	}
	for name, c := range map[string]struct{ got, want []string }{
		"FROM bob": {o.SearchFrom, []string{"2"}}, "SUBJECT budget": {o.SearchSubject, []string{"1"}},
		"SINCE today": {o.SearchSince, []string{"1 2"}}, "BEFORE 2000": {o.SearchBefore, []string{""}},
		"BODY pineapple": {o.SearchBody, []string{"1"}}, "TEXT Agenda": {o.SearchText, []string{"1"}},
		"UID NOT FROM bob":   {o.UIDSearchNot, []string{itoa(first.UID)}},
		"UNSEEN after STORE": {o.Unseen, []string{"2"}},
	} {
		if strings.Join(c.got, "|") != strings.Join(c.want, "|") {
			t.Errorf("SEARCH %s = %q, want %q", name, c.got, c.want)
		}
	}
	raw, err := base64.StdEncoding.DecodeString(o.FetchRaw)
	if err != nil || !bytes.Equal(raw, first.Raw) {
		t.Errorf("FETCH BODY[] differs from the stored bytes (%d vs %d bytes, %v)", len(raw), len(first.Raw), err)
	}
	if strings.Contains(strings.Join(o.FlagsBefore, ""), `\Seen`) {
		t.Errorf("BODY.PEEK set \\Seen: %v", o.FlagsBefore)
	}
	if f := strings.Join(o.FlagsAfter, "|"); !strings.Contains(f, `1 (UID `+itoa(first.UID)+` FLAGS (\Seen))`) ||
		!strings.Contains(f, `2 (UID `+itoa(second.UID)+` FLAGS ())`) {
		t.Errorf("flags after STORE = %v", o.FlagsAfter)
	}
	if f := strings.Join(o.BobFlags, "|"); strings.Contains(f, `\Seen`) || !strings.Contains(f, "FLAGS ()") {
		t.Errorf("ann's \\Seen leaked to bob: %v", o.BobFlags)
	}
	for name, c := range map[string]struct {
		got  []string
		want string
	}{
		"APPEND": {o.Append, "read-only"}, "CREATE": {o.Create, "cannot be created"}, "DELETE": {o.Delete, "cannot be deleted"},
		"RENAME": {o.Rename, "cannot be renamed"}, "COPY": {o.Copy, "cannot be copied"},
		"STORE \\Deleted": {o.StoreDeleted, "cannot be deleted"}, "EXPUNGE": {o.Expunge, "cannot be expunged"},
		"SELECT secret": {o.SelectSecret, "NONEXISTENT"},
	} {
		if len(c.got) < 2 || c.got[0] != "ERR" && c.got[0] != "NO" || !strings.Contains(strings.Join(c.got, " "), c.want) {
			t.Errorf("%s = %v, want NO with %q", name, c.got, c.want)
		}
	}
	for name, got := range map[string][]string{"APPEND": o.Append, "COPY": o.Copy, "EXPUNGE": o.Expunge} {
		if !strings.Contains(strings.Join(got, " "), "NOPERM") {
			t.Errorf("%s = %v, want [NOPERM]", name, got)
		}
	}
	if len(o.Close) == 0 || o.Close[0] != "OK" {
		t.Errorf("CLOSE = %v (go-imap#672: it must not fail on a read-only mailbox)", o.Close)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
