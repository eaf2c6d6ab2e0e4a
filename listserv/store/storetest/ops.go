package storetest

import (
	"errors"
	"testing"

	"github.com/demnet-uk/listserv/listserv/store"
)

// opsTests cover what operator commands keep and change.
var opsTests = []storeTest{
	{"Settings", testSettings},
}

func testSettings(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.Setting(ctx, store.SettingBaseURL); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unset setting: err %v, want ErrNotFound", err)
	}
	for _, v := range []string{"http://127.0.0.1:8080", "https://lists.example.org"} {
		if err := s.SetSetting(ctx, store.SettingBaseURL, v); err != nil {
			t.Fatal(err)
		}
		got, err := s.Setting(ctx, store.SettingBaseURL)
		if err != nil || got != v {
			t.Fatalf("setting after set %q: %q, %v", v, got, err)
		}
	}
	// The secret lives in the same table and is not disturbed.
	a, err := s.Secret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "other", "x"); err != nil {
		t.Fatal(err)
	}
	b, err := s.Secret(ctx)
	if err != nil || string(a) != string(b) {
		t.Fatalf("secret changed by SetSetting: %v", err)
	}
}
