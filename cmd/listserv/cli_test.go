package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// cliCases run against every backend, each on a fresh store.
var cliCases = []struct {
	name string
	run  func(t *testing.T, c *cli)
}{
	{"ListCreate", testListCreate},
	{"ListCreateDuplicate", testListCreateDuplicate},
	{"ListCreateInvalid", testListCreateInvalid},
	{"ListSet", testListSet},
	{"ListSetDigest", testListSetDigest},
	{"ListSetBadFlags", testListSetBadFlags},
	{"MemberAdd", testMemberAdd},
	{"MemberAddExisting", testMemberAddExisting},
	{"MemberAddInvalid", testMemberAddInvalid},
	{"MemberRm", testMemberRm},
	{"MemberImport", testMemberImport},
	{"MemberImportBadRows", testMemberImportBadRows},
	{"MemberImportBadFile", testMemberImportBadFile},
	{"HeldEmpty", testHeldEmpty},
	{"HeldBadID", testHeldBadID},
	{"HeldQueue", testHeldQueue},
	{"Migrate", testMigrate},
	{"UnknownCommand", testUnknownCommand},
	{"StoreFromEnvOrFlags", testStoreFromEnvOrFlags},
	{"FlagsAnywhere", testFlagsAnywhere},
}

func TestCLI(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			for _, tc := range cliCases {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.run(t, b.newCLI(t))
				})
			}
		})
	}
}

func testListCreate(t *testing.T, c *cli) {
	out := c.ok("list", "create", "team@example.org", "--name", "Team", "--description", "The team",
		"--archive", "members", "--subject-prefix", "[team]", "--reply-to", "author")
	if want := "created team@example.org (List-Id <team.example.org>, policy members)\n"; out != want {
		t.Errorf("list create printed %q, want %q", out, want)
	}
	// Defaults, and the address stored in lower case.
	c.ok("list", "create", "Ops@Example.ORG")

	ls := c.lists()
	want := []listJSON{
		{Address: "ops@example.org", ListID: "ops.example.org", Policy: "members", Archive: "public", ReplyTo: "list",
			Digest: listDigestJSON{Hour: 7, Weekday: "monday"}},
		{Address: "team@example.org", ListID: "team.example.org", Name: "Team", Description: "The team",
			Policy: "members", Archive: "members", SubjectPrefix: "[team]", ReplyTo: "author",
			Digest: listDigestJSON{Hour: 7, Weekday: "monday"}},
	}
	if !slices.Equal(ls, want) {
		t.Errorf("list ls --json:\n got %+v\nwant %+v", ls, want)
	}

	text := c.ok("list", "ls")
	for _, w := range []string{"ADDRESS", "team@example.org", "ops@example.org", "Team"} {
		if !strings.Contains(text, w) {
			t.Errorf("list ls does not show %q:\n%s", w, text)
		}
	}
}

func testListCreateDuplicate(t *testing.T, c *cli) {
	c.ok("list", "create", "team@example.org", "--name", "First")
	c.fails(1, []string{"team@example.org", "already exists"}, "list", "create", "team@example.org", "--name", "Second")
	// Addresses are compared without regard to case.
	c.fails(1, []string{"already exists"}, "list", "create", "TEAM@example.org")
	if ls := c.lists(); len(ls) != 1 || ls[0].Name != "First" {
		t.Errorf("after duplicate creates: %+v, want only the first list", ls)
	}
}

func testListCreateInvalid(t *testing.T, c *cli) {
	c.fails(2, []string{"policy", `"bogus"`}, "list", "create", "team@example.org", "--policy", "bogus")
	c.fails(2, []string{"archive"}, "list", "create", "team@example.org", "--archive", "sometimes")
	c.fails(2, []string{"reply-to"}, "list", "create", "team@example.org", "--reply-to", "everyone")
	c.fails(2, []string{"not an email address"}, "list", "create", "not-an-address")
	c.fails(2, []string{"'+'"}, "list", "create", "team+x@example.org")
	c.fails(2, []string{"missing list ADDRESS"}, "list", "create", "--name", "x")
	c.fails(2, nil, "list", "create", "team@example.org", "--name", "two\nlines")
	if out := c.ok("list", "ls", "--json"); out != "[]\n" {
		t.Errorf("invalid creates left lists behind: %s", out)
	}
}

func testListSet(t *testing.T, c *cli) {
	c.ok("list", "create", "team@example.org", "--name", "Team")
	out := c.ok("list", "set", "team@example.org", "--policy", "moderated", "--subject-prefix", "[x]")
	if want := "updated team@example.org: policy, subject-prefix\n"; out != want {
		t.Errorf("list set printed %q, want %q", out, want)
	}
	l := c.list("team@example.org")
	if l.Policy != "moderated" || l.SubjectPrefix != "[x]" || l.Name != "Team" || l.Archive != "public" {
		t.Errorf("after list set: %+v", l)
	}

	// Flags before the address; an empty value clears a setting.
	c.ok("list", "set", "--max-size", "1000", "--subject-prefix", "", "--reply-to", "author", "team@example.org")
	l = c.list("team@example.org")
	if l.MaxSize != 1000 || l.SubjectPrefix != "" || l.ReplyTo != "author" || l.Policy != "moderated" {
		t.Errorf("after second list set: %+v", l)
	}

	// Invalid values exit 2 and change nothing.
	c.fails(2, []string{"policy"}, "list", "set", "team@example.org", "--policy", "bogus", "--name", "Changed")
	c.fails(2, []string{"max-size"}, "list", "set", "team@example.org", "--max-size", "-5")
	if l2 := c.list("team@example.org"); l2 != l {
		t.Errorf("invalid list set changed the list:\n got %+v\nwant %+v", l2, l)
	}
	c.fails(2, []string{"no list nope@example.org"}, "list", "set", "nope@example.org", "--policy", "open")
}

// testListSetDigest: owners' digest defaults through list set, shown by
// list ls --json; bad values exit 2 and change nothing.
func testListSetDigest(t *testing.T, c *cli) {
	c.ok("list", "create", "team@example.org", "--name", "Team")
	out := c.ok("list", "set", "team@example.org", "--digest-hour", "18", "--digest-weekday", "fri",
		"--digest-max-posts", "20", "--digest-max-bytes", "500000", "--name", "Team Talk")
	if want := "updated team@example.org: name, digest-hour, digest-weekday, digest-max-posts, digest-max-bytes\n"; out != want {
		t.Errorf("list set printed %q, want %q", out, want)
	}
	l := c.list("team@example.org")
	if want := (listDigestJSON{Hour: 18, Weekday: "friday", MaxPosts: 20, MaxBytes: 500000}); l.Digest != want || l.Name != "Team Talk" {
		t.Errorf("after list set: %+v, want digest %+v", l, want)
	}
	c.fails(2, []string{"digest-hour"}, "list", "set", "team@example.org", "--digest-hour", "24", "--name", "Changed")
	c.fails(2, []string{"digest-weekday"}, "list", "set", "team@example.org", "--digest-weekday", "funday")
	c.fails(2, []string{"digest-max-bytes"}, "list", "set", "team@example.org", "--digest-max-bytes", "100")
	if l2 := c.list("team@example.org"); l2 != l {
		t.Errorf("invalid list set changed the list:\n got %+v\nwant %+v", l2, l)
	}
	if text := c.ok("list", "ls"); !strings.Contains(text, "LAST DIGEST") {
		t.Errorf("list ls has no LAST DIGEST column:\n%s", text)
	}
}

func testListSetBadFlags(t *testing.T, c *cli) {
	c.ok("list", "create", "team@example.org")
	before := c.list("team@example.org")
	c.fails(2, []string{"colour"}, "list", "set", "team@example.org", "--colour", "red", "--policy", "open")
	c.fails(2, []string{"nothing to set"}, "list", "set", "team@example.org")
	c.fails(2, []string{"missing list ADDRESS"}, "list", "set", "--policy", "open")
	if after := c.list("team@example.org"); after != before {
		t.Errorf("failed list set changed the list:\n got %+v\nwant %+v", after, before)
	}
}

func testMemberAdd(t *testing.T, c *cli) {
	c.ok("list", "create", "team@example.org")
	start := time.Now().Add(-time.Minute)
	out := c.ok("member", "add", "team@example.org", "a@example.org", "b@example.org", "--role", "owner", "--mode", "digest")
	if want := "added 2 to team@example.org (0 already members)\n"; out != want {
		t.Errorf("member add printed %q, want %q", out, want)
	}
	c.ok("member", "add", "team@example.org", "c@example.org", "--name", "Carol")

	ms := c.members("team@example.org")
	if got, want := addresses(ms), []string{"a@example.org", "b@example.org", "c@example.org"}; !slices.Equal(got, want) {
		t.Fatalf("member ls --json addresses %v, want %v", got, want)
	}
	for i, m := range ms {
		role, mode, name := "owner", "digest", ""
		if i == 2 {
			role, mode, name = "member", "each", "Carol"
		}
		if m.Role != role || m.Mode != mode || m.Name != name || m.Status != "enabled" || m.BounceScore != 0 || m.Source != "operator" {
			t.Errorf("member %d: %+v, want role %s mode %s name %q status enabled source operator", i, m, role, mode, name)
		}
		if m.Joined.Before(start) || m.Joined.After(time.Now().Add(time.Minute)) {
			t.Errorf("member %d joined %v, want about now", i, m.Joined)
		}
	}
	if n := c.list("team@example.org").Members; n != 3 {
		t.Errorf("list ls members = %d, want 3", n)
	}

	// joined is documented as RFC 3339 UTC.
	raw := c.ok("member", "ls", "team@example.org", "--json")
	joined := regexp.MustCompile(`"joined": "([^"]*)"`).FindAllStringSubmatch(raw, -1)
	if len(joined) != 3 {
		t.Errorf("member ls --json: %d joined fields, want 3:\n%s", len(joined), raw)
	}
	for _, j := range joined {
		if _, err := time.Parse(time.RFC3339Nano, j[1]); err != nil || !strings.HasSuffix(j[1], "Z") {
			t.Errorf("joined %q is not RFC 3339 UTC", j[1])
		}
	}

	text := c.ok("member", "ls", "team@example.org")
	for _, w := range []string{"ADDRESS", "a@example.org", "owner", "digest", "Carol"} {
		if !strings.Contains(text, w) {
			t.Errorf("member ls does not show %q:\n%s", w, text)
		}
	}
}

func testMemberAddExisting(t *testing.T, c *cli) {
	c.ok("list", "create", "team@example.org")
	c.ok("member", "add", "team@example.org", "a@example.org", "--role", "owner")
	// A@Example.org is the same member; it is skipped and left as it was.
	out := c.ok("member", "add", "team@example.org", "A@Example.org", "b@example.org", "--mode", "nomail")
	if want := "added 1 to team@example.org (1 already members)\n"; out != want {
		t.Errorf("member add printed %q, want %q", out, want)
	}
	ms := c.members("team@example.org")
	if len(ms) != 2 || ms[0].Address != "a@example.org" || ms[0].Role != "owner" || ms[0].Mode != "each" ||
		ms[1].Address != "b@example.org" || ms[1].Mode != "nomail" {
		t.Errorf("members after re-adding: %+v", ms)
	}
}

func testMemberAddInvalid(t *testing.T, c *cli) {
	c.ok("list", "create", "team@example.org")
	c.fails(2, []string{`"not-an-address"`, "not an email address"},
		"member", "add", "team@example.org", "good@example.org", "not-an-address")
	c.fails(2, []string{"role"}, "member", "add", "team@example.org", "good@example.org", "--role", "king")
	c.fails(2, []string{"mode"}, "member", "add", "team@example.org", "good@example.org", "--mode", "weekly")
	c.fails(2, []string{"missing LIST and at least one ADDRESS"}, "member", "add", "team@example.org")
	if ms := c.members("team@example.org"); len(ms) != 0 {
		t.Errorf("invalid member add added %v", addresses(ms))
	}
	c.fails(2, []string{"no list nope@example.org"}, "member", "add", "nope@example.org", "good@example.org")
}

func testMemberRm(t *testing.T, c *cli) {
	c.ok("list", "create", "team@example.org")
	c.ok("member", "add", "team@example.org", "a@example.org", "b@example.org", "c@example.org")
	out := c.ok("member", "rm", "team@example.org", "a@example.org", "B@example.org")
	if want := "removed 2 from team@example.org\n"; out != want {
		t.Errorf("member rm printed %q, want %q", out, want)
	}
	if got := addresses(c.members("team@example.org")); !slices.Equal(got, []string{"c@example.org"}) {
		t.Errorf("members after rm: %v", got)
	}
	r := c.fails(1, []string{"1 of the addresses were not members"}, "member", "rm", "team@example.org", "c@example.org", "zz@example.org")
	if !strings.Contains(r.stdout, "removed 1 from team@example.org") {
		t.Errorf("member rm with a non-member printed %q", r.stdout)
	}
	if n := c.list("team@example.org").Members; n != 0 {
		t.Errorf("members after rm: %d, want 0", n)
	}
	c.fails(2, nil, "member", "rm", "team@example.org")
}

func testMemberImport(t *testing.T, c *cli) {
	c.ok("list", "create", "team@example.org")
	c.ok("member", "add", "team@example.org", "old@example.org")
	// As spreadsheets save it: a byte order mark, CRLF, empty cells.
	csv := "\ufeffaddress,name,mode\r\n" +
		"a@example.org,Alice,digest\r\n" +
		"b@example.org,,\r\n" +
		"c@example.org,\"Carol, the third\",\r\n" +
		"\r\n" +
		" d@example.org , Dan ,nomail\r\n" +
		"old@example.org,Old,digest\r\n"
	file := writeFile(t, "members.csv", csv)
	out := c.ok("member", "import", "team@example.org", file)
	if !strings.HasPrefix(out, "imported 4 into team@example.org (1 already members) in ") {
		t.Errorf("member import printed %q", out)
	}
	type row struct{ addr, name, mode, source string }
	var got []row
	for _, m := range c.members("team@example.org") {
		got = append(got, row{m.Address, m.Name, m.Mode, m.Source})
		if m.Role != "member" || m.Status != "enabled" {
			t.Errorf("imported %s: role %s status %s", m.Address, m.Role, m.Status)
		}
	}
	want := []row{
		{"old@example.org", "", "each", "operator"},
		{"a@example.org", "Alice", "digest", "import"},
		{"b@example.org", "", "each", "import"},
		{"c@example.org", "Carol, the third", "each", "import"},
		{"d@example.org", "Dan", "nomail", "import"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("members after import:\n got %v\nwant %v", got, want)
	}

	// Importing again adds nothing; columns may come in any order.
	out = c.ok("member", "import", "team@example.org", file)
	if !strings.HasPrefix(out, "imported 0 into team@example.org (5 already members)") {
		t.Errorf("second import printed %q", out)
	}
	file2 := writeFile(t, "reordered.csv", "Mode,Address\ndigest,e@example.org\n")
	c.ok("member", "import", "team@example.org", file2)
	if ms := c.members("team@example.org"); len(ms) != 6 || ms[5].Address != "e@example.org" || ms[5].Mode != "digest" {
		t.Errorf("after reordered import: %+v", ms)
	}
}

func testMemberImportBadRows(t *testing.T, c *cli) {
	c.ok("list", "create", "team@example.org")
	csv := "address,name,mode\n" + // line 1
		"a@example.org,Alice,\n" + // 2
		"not-an-address,Bob,\n" + // 3: bad
		"c@example.org,Carol,digest\n" + // 4
		"\n" + // 5: blank, skipped
		"e@example.org,Eve,weekly\n" + // 6: bad
		"f@example.org,Fay,each\n" // 7
	file := writeFile(t, "bad.csv", csv)
	r := c.fails(2, []string{"nothing imported", "line 3", "not-an-address", "line 6", "weekly"},
		"member", "import", "team@example.org", file)
	for _, w := range []string{"line 2", "line 4", "line 5", "line 7"} {
		if strings.Contains(r.stderr, w) {
			t.Errorf("stderr names good %s:\n%s", w, r.stderr)
		}
	}
	if n := c.list("team@example.org").Members; n != 0 {
		t.Errorf("a file with bad rows imported %d members", n)
	}

	// A broken quote is reported with its line too.
	file = writeFile(t, "quote.csv", "address,name\na@example.org,x\nb@example.org,\"unterminated\n")
	c.fails(2, []string{"line 3"}, "member", "import", "team@example.org", file)
	if n := c.list("team@example.org").Members; n != 0 {
		t.Errorf("a broken file imported %d members", n)
	}
}

func testMemberImportBadFile(t *testing.T, c *cli) {
	c.ok("list", "create", "team@example.org")
	missing := filepath.Join(t.TempDir(), "missing.csv")
	c.fails(2, []string{"missing.csv"}, "member", "import", "team@example.org", missing)
	c.fails(2, []string{"address column"}, "member", "import", "team@example.org",
		writeFile(t, "noaddr.csv", "email,name\na@example.org,A\n"))
	c.fails(2, []string{"header"}, "member", "import", "team@example.org", writeFile(t, "empty.csv", ""))
	c.fails(2, []string{"missing LIST and FILE.csv"}, "member", "import", "team@example.org")
	c.fails(2, []string{"no list nope@example.org"}, "member", "import", "nope@example.org",
		writeFile(t, "ok.csv", "address\na@example.org\n"))
	if n := c.list("team@example.org").Members; n != 0 {
		t.Errorf("failed imports added %d members", n)
	}
}

func testHeldEmpty(t *testing.T, c *cli) {
	if out := c.ok("held", "ls", "--json"); out != "[]\n" {
		t.Errorf("held ls --json on an empty queue printed %q, want \"[]\\n\"", out)
	}
	if out := c.ok("held", "ls"); !strings.HasPrefix(out, "ID") || strings.Count(out, "\n") != 1 {
		t.Errorf("held ls on an empty queue printed %q, want only the header", out)
	}
}

func testHeldBadID(t *testing.T, c *cli) {
	c.fails(2, []string{"no held item 999"}, "held", "approve", "999")
	c.fails(2, nil, "held", "reject", "999", "--reason", "x")
	c.fails(2, []string{`unexpected "4"`}, "held", "approve", "3", "4")
	c.fails(2, []string{`unexpected "List"`}, "list", "create", "a@example.org", "--name", "My", "List")
	c.fails(2, []string{`"abc"`}, "held", "approve", "abc")
	c.fails(2, []string{"missing ID"}, "held", "discard")
	c.fails(2, []string{"frobnicate"}, "held", "frobnicate", "1")
	c.fails(2, []string{"no list nope@example.org"}, "held", "ls", "nope@example.org")
}

func testHeldQueue(t *testing.T, c *cli) {
	c.ok("list", "create", "mod@example.org", "--policy", "moderated")
	c.ok("list", "create", "other@example.org")
	raw := []byte("From: x@example.net\r\nSubject: s\r\n\r\nbody\r\n")
	hold := func() int64 {
		db := c.open()
		l, err := db.GetList(t.Context(), "mod@example.org")
		if err != nil {
			t.Fatal(err)
		}
		it := &store.Intake{Message: &store.Message{ListID: l.ID, State: store.StateHeld, Reason: "the list is moderated",
			FromAddr: "x@example.net", EnvelopeFrom: "x@example.net", Subject: "s", Raw: raw}}
		if err := db.SaveIntake(t.Context(), []*store.Intake{it}); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		return it.HeldID
	}
	id := hold()
	ids := strconv.FormatInt(id, 10)

	hs := c.held()
	if len(hs) != 1 {
		t.Fatalf("held ls --json: %+v, want one item", hs)
	}
	h := hs[0]
	if h.ID != id || h.List != "mod@example.org" || h.Kind != "post" || h.From != "x@example.net" ||
		h.Subject != "s" || h.Reason != "the list is moderated" || h.Size != int64(len(raw)) || h.Held.IsZero() {
		t.Errorf("held ls --json: %+v", h)
	}
	if hs := c.held("mod@example.org"); len(hs) != 1 {
		t.Errorf("held ls mod@example.org: %+v, want one item", hs)
	}
	if hs := c.held("other@example.org"); len(hs) != 0 {
		t.Errorf("held ls other@example.org: %+v, want none", hs)
	}
	if text := c.ok("held", "ls"); !strings.Contains(text, "x@example.net") || !strings.Contains(text, "the list is moderated") {
		t.Errorf("held ls:\n%s", text)
	}

	out := c.ok("held", "reject", ids, "--reason", "off topic")
	if want := "rejected held " + ids + " (s to mod@example.org)\n"; out != want {
		t.Errorf("held reject printed %q, want %q", out, want)
	}
	if hs := c.held(); len(hs) != 0 {
		t.Errorf("held ls after reject: %+v", hs)
	}

	db := c.open()
	mail, err := db.ClaimMail(t.Context(), "test", time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(mail) != 1 {
		t.Fatalf("rejection queued %d mails, want 1", len(mail))
	}
	m := mail[0]
	if m.To != "x@example.net" || m.From != "mod-bounces@example.org" {
		t.Errorf("rejection notice from %s to %s", m.From, m.To)
	}
	for _, w := range []string{"off topic", "Auto-Submitted: auto-replied", "To: <x@example.net>"} {
		if !strings.Contains(string(m.Raw), w) {
			t.Errorf("rejection notice lacks %q:\n%s", w, m.Raw)
		}
	}
	held, err := db.GetHeld(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if held.State != "rejected" || !strings.HasPrefix(held.HandledBy, "cli") || held.Note != "off topic" {
		t.Errorf("held after reject: %+v", held)
	}
	msg, err := db.GetMessage(t.Context(), held.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	if msg.State != store.StateRejected {
		t.Errorf("message state after reject: %s", msg.State)
	}
	db.Close()

	c.fails(1, []string{"held " + ids + " was already rejected by cli"}, "held", "approve", ids)
	c.fails(1, []string{"already rejected"}, "held", "discard", ids)

	// Approving a second post archives it and queues its fan-out, and tells
	// the author nothing.
	id2 := hold()
	out = c.ok("held", "approve", strconv.FormatInt(id2, 10))
	if want := "approved held " + strconv.FormatInt(id2, 10) + " (s to mod@example.org)\n"; out != want {
		t.Errorf("held approve printed %q, want %q", out, want)
	}
	db = c.open()
	held, err = db.GetHeld(t.Context(), id2)
	if err != nil {
		t.Fatal(err)
	}
	msg, err = db.GetMessage(t.Context(), held.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	if msg.State != store.StateAccepted || msg.UID == 0 {
		t.Errorf("approved message: state %s uid %d", msg.State, msg.UID)
	}
	if q, err := db.Pending(t.Context()); err != nil || q.OpenFanouts != 1 {
		t.Errorf("pending after approve: %+v, %v; want one open fan-out", q, err)
	}
	if mail, err := db.ClaimMail(t.Context(), "test2", time.Minute, 10); err != nil || len(mail) != 0 {
		t.Errorf("approve queued mail: %d, %v", len(mail), err)
	}
	db.Close()
	c.fails(1, []string{"already approved"}, "held", "reject", strconv.FormatInt(id2, 10))

	// A third post, discarded: no notice either.
	id3 := hold()
	c.ok("held", "discard", strconv.FormatInt(id3, 10))
	db = c.open()
	if mail, err := db.ClaimMail(t.Context(), "test3", time.Minute, 10); err != nil || len(mail) != 0 {
		t.Errorf("discard queued mail: %d, %v", len(mail), err)
	}
	db.Close()
	if hs := c.held(); len(hs) != 0 {
		t.Errorf("held ls at the end: %+v", hs)
	}
}

func testMigrate(t *testing.T, c *cli) {
	re := regexp.MustCompile(`^schema at version (\d+) of (\d+) \((sqlite|postgres)\)\n$`)
	for range 2 { // a second run finds nothing to do
		out := c.ok("migrate")
		m := re.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("migrate printed %q", out)
		}
		if m[1] != m[2] || m[1] == "0" || m[3] != c.backend {
			t.Errorf("migrate printed %q: want the newest version, on %s", out, c.backend)
		}
	}
	c.fails(2, []string{"flag provided but not defined"}, "migrate", "--bogus")
}

func testUnknownCommand(t *testing.T, c *cli) {
	r := c.fails(2, []string{`unknown command "frobnicate"`}, "frobnicate")
	if !strings.Contains(r.stderr, "Usage:") {
		t.Errorf("unknown command does not print the usage:\n%s", r.stderr)
	}
	r = c.fails(2, nil)
	if !strings.Contains(r.stderr, "Usage:") || strings.Contains(r.stderr, "listserv: usage") {
		t.Errorf("no arguments: stderr %q, want the usage alone", r.stderr)
	}
	c.fails(2, []string{`unknown list command "frob"`}, "list", "frob")
	c.fails(2, []string{`unknown member command "frob"`}, "member", "frob")
	c.fails(2, []string{"list needs a subcommand"}, "list")
	if out := c.ok("help"); !strings.Contains(out, "Usage:") {
		t.Errorf("help printed %q", out)
	}
}

func testStoreFromEnvOrFlags(t *testing.T, c *cli) {
	// Configured by the environment alone (LISTSERV_DATA, and LISTSERV_DB
	// for PostgreSQL).
	c.ok("list", "create", "team@example.org")
	if c.db == "" {
		if _, err := os.Stat(filepath.Join(c.data, "listserv.db")); err != nil {
			t.Errorf("LISTSERV_DATA not used: %v", err)
		}
	}
	// The same store by flags, with no LISTSERV_* in the environment.
	r := c.runEnv(nil, append([]string{"list", "ls"}, c.storeFlags()...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "team@example.org") {
		t.Errorf("list ls with --data/--db flags: %s", r)
	}
	// A flag wins over the environment: a store that does not exist is
	// refused by name, and used once migrate has made it.
	other := filepath.Join(t.TempDir(), "other.db")
	c.fails(2, []string{other, "--db"}, "list", "ls", "--json", "--db", other)
	c.ok("migrate", "--db", other)
	if out := c.ok("list", "ls", "--json", "--db", other); out != "[]\n" {
		t.Errorf("--db %s ignored: %s", other, out)
	}
	if c.db == "" {
		dir := t.TempDir()
		c.fails(2, []string{filepath.Join(dir, "listserv.db"), "--data"}, "list", "ls", "--data", dir)
	}
	// LISTSERV_DB in the environment overrides LISTSERV_DATA.
	r = c.runEnv([]string{"LISTSERV_DATA=" + c.data, "LISTSERV_DB=" + other}, "list", "ls", "--json")
	if r.code != 0 || r.stdout != "[]\n" {
		t.Errorf("LISTSERV_DB ignored: %s", r)
	}
	// Nothing set: ./listserv-data in the working directory, made by
	// migrate and then used by the other commands.
	if r = c.runEnv(nil, "migrate"); r.code != 0 {
		t.Fatalf("migrate with no configuration: %s", r)
	}
	r = c.runEnv(nil, "list", "create", "local@example.org")
	if r.code != 0 {
		t.Fatalf("list create with no configuration: %s", r)
	}
	if _, err := os.Stat(filepath.Join(c.workdir, "listserv-data", "listserv.db")); err != nil {
		t.Errorf("default data directory: %v", err)
	}
	if l := c.lists(); len(l) != 1 || l[0].Address != "team@example.org" {
		t.Errorf("configured store changed: %+v", l)
	}
}

func testFlagsAnywhere(t *testing.T, c *cli) {
	c.ok("list", "create", "--policy", "open", "team@example.org", "--name", "Team")
	if l := c.list("team@example.org"); l.Policy != "open" || l.Name != "Team" {
		t.Errorf("list create with flags around the address: %+v", l)
	}
	// Flags before, between and after the addresses apply to all of them.
	c.ok("member", "add", "--role", "moderator", "team@example.org", "a@example.org", "--mode", "nomail", "b@example.org")
	for _, m := range c.members("team@example.org") {
		if m.Role != "moderator" || m.Mode != "nomail" {
			t.Errorf("member %s: role %s mode %s, want moderator nomail", m.Address, m.Role, m.Mode)
		}
	}
	var ms []memberJSON
	decodeJSON(t, c.ok("member", "ls", "--json", "team@example.org"), &ms, memberKeys)
	if len(ms) != 2 {
		t.Errorf("member ls --json LIST: %+v", ms)
	}
	// The store flag after the positional arguments too.
	r := c.runEnv(nil, append([]string{"member", "rm", "team@example.org", "a@example.org"}, c.storeFlags()...)...)
	if r.code != 0 {
		t.Errorf("member rm with trailing --data/--db: %s", r)
	}
	if got := addresses(c.members("team@example.org")); !slices.Equal(got, []string{"b@example.org"}) {
		t.Errorf("members: %v", got)
	}
	// "-x" and "--x" are the same flag.
	c.ok("list", "set", "team@example.org", "-policy", "announce")
	if l := c.list("team@example.org"); l.Policy != store.PolicyAnnounce {
		t.Errorf("-policy: %+v", l)
	}
}
