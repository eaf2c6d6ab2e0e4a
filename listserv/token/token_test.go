package token

import "testing"

func TestRoundTrip(t *testing.T) {
	m := New([]byte("secret-one"))
	tok := m.Unsubscribe(12345)
	if id, ok := m.ParseUnsubscribe(tok); !ok || id != 12345 {
		t.Fatalf("ParseUnsubscribe(%q) = %d, %v", tok, id, ok)
	}
	v := m.VERP(77, 9001)
	if mem, msg, ok := m.ParseVERP(v); !ok || mem != 77 || msg != 9001 {
		t.Fatalf("ParseVERP(%q) = %d %d %v", v, mem, msg, ok)
	}
	if _, _, ok := m.ParseVERP(tok); ok {
		t.Fatal("an unsubscribe token parsed as VERP")
	}
}

func TestForgeryRefused(t *testing.T) {
	m, other := New([]byte("a")), New([]byte("b"))
	tok := other.Unsubscribe(5)
	for _, bad := range []string{tok, "", "5", "5-", "-abc", "zz-zz-zz", m.Unsubscribe(6)[:len(m.Unsubscribe(6))-1] + "a"} {
		if id, ok := m.ParseUnsubscribe(bad); ok && bad != m.Unsubscribe(id) {
			t.Errorf("accepted forged token %q", bad)
		}
	}
	if _, ok := m.ParseUnsubscribe(tok); ok {
		t.Error("accepted a token made with another secret")
	}
}

func FuzzParse(f *testing.F) {
	m := New([]byte("fuzz"))
	f.Add(m.Unsubscribe(1))
	f.Add(m.VERP(3, 4))
	f.Add("1.2-abc")
	f.Fuzz(func(t *testing.T, s string) {
		if id, ok := m.ParseUnsubscribe(s); ok && m.Unsubscribe(id) != s && m.Unsubscribe(id) != toLower(s) {
			t.Fatalf("accepted %q for %d", s, id)
		}
		m.ParseVERP(s)
	})
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// TestReenable: the re-enable token round-trips and is bound to its purpose.
func TestReenable(t *testing.T) {
	m := New([]byte("secret"))
	tok := m.Reenable(42)
	if id, ok := m.ParseReenable(tok); !ok || id != 42 {
		t.Errorf("ParseReenable(%q) = %d, %v", tok, id, ok)
	}
	if _, ok := m.ParseUnsubscribe(tok); ok {
		t.Error("a re-enable token works as an unsubscribe token")
	}
	if _, ok := m.ParseReenable(m.Unsubscribe(42)); ok {
		t.Error("an unsubscribe token works as a re-enable token")
	}
}
