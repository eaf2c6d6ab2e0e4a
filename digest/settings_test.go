package digest

import (
	"testing"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

func TestNextText(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	d := &store.DigestState{DigestSettings: store.DefaultDigestSettings(1), Period: store.DigestWeekly, Active: true}
	if got := NextText(d, now); got != "next digest: Monday 7 December, 07:00" {
		t.Errorf("NextText = %q", got)
	}
	d.NextDue = time.Date(2026, 12, 8, 7, 0, 0, 0, time.UTC)
	if got := NextText(d, now); got != "next digest: Tuesday 8 December, 07:00" {
		t.Errorf("stored due: %q", got)
	}
	d.Active = false
	if got := NextText(d, now); got != "" {
		t.Errorf("not in digest mode: %q", got)
	}
}
