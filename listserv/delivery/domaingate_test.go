package delivery

import (
	"testing"
	"time"
)

// TestThrottles: which refusals pause a domain.
func TestThrottles(t *testing.T) {
	for _, c := range []struct {
		se   SendError
		want bool
	}{
		{SendError{Code: 421, Enhanced: "4.7.0", PerRcpt: true}, true},
		{SendError{Code: 451, Enhanced: "4.7.1", PerRcpt: true}, true},
		{SendError{Code: 452, Enhanced: "4.3.1", PerRcpt: true}, true},
		{SendError{Code: 450, PerRcpt: true}, false},
		{SendError{Code: 451, Enhanced: "4.3.0", PerRcpt: true}, false}, // "try later": this recipient only
		{SendError{Code: 450, Enhanced: "4.2.1", PerRcpt: true}, false}, // one mailbox busy
		{SendError{Code: 451, Enhanced: "4.1.8", PerRcpt: true}, false}, // one address
		{SendError{Code: 421, Enhanced: "4.7.0"}, false},                // the relay, at MAIL or greeting
		{SendError{Code: 550, Enhanced: "5.7.1", PerRcpt: true}, false},
	} {
		if got := throttles(&c.se); got != c.want {
			t.Errorf("throttles(%+v) = %v, want %v", c.se, got, c.want)
		}
	}
}

// TestSpoolSpacing: copies over a domain's rate get retry times one rate
// interval apart, not all the same moment.
func TestSpoolSpacing(t *testing.T) {
	g := newGates(DomainLimits{Default: Limit{Rate: 10}}, time.Minute, time.Hour, time.Second)
	d := g.get("example.net")
	first := d.spool(5 * time.Second)
	second := d.spool(5 * time.Second)
	if gap := second.Sub(first); gap < 99*time.Millisecond || gap > 101*time.Millisecond {
		t.Errorf("spooled copies %v apart, want 100ms (rate 10/s)", gap)
	}
	if wait := time.Until(first); wait < 4*time.Second {
		t.Errorf("first spooled copy due in %v, want about 5s (when its token is)", wait)
	}
}
