package server_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/demnet-uk/listserv/listserv/store"
)

// TestDigestMetrics: digest mail queued by the server's digest engine
// moves listserv_digest_mails_queued_total and the last-queued time.
func TestDigestMetrics(t *testing.T) {
	e := start(t, t.TempDir()+"/db")
	l := e.list(t, &store.List{Address: "team@lists.example.org", Name: "Team"}, teamMembers...)
	url := "http://" + e.srv.Addr("http") + "/metrics"
	before := scrape(t, url)
	if v := value(t, before, "listserv_digest_mails_queued_total"); v != 0 {
		t.Errorf("digest mails before any digest: %v", v)
	}
	if v := value(t, before, "listserv_digest_last_queued_timestamp_seconds"); v != 0 {
		t.Errorf("last digest before any: %v", v)
	}
	e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "Hi", "dm@x", ""))
	waitFor(t, "the post archived", func() bool { n, _ := e.st.LastUID(t.Context(), l.ID); return n > 0 })
	start := time.Now()
	if _, err := e.srv.Digest.SendNow(t.Context(), l); err != nil {
		t.Fatal(err)
	}
	after := scrape(t, url)
	if v := value(t, after, "listserv_digest_mails_queued_total"); v != 1 {
		t.Errorf("digest mails queued: %v, want 1 (one digest member)", v)
	}
	if v := value(t, after, "listserv_digest_last_queued_timestamp_seconds"); v < float64(start.Unix()) {
		t.Errorf("last digest %v, want after %d", v, start.Unix())
	}
}

// metricRe finds the metric names a PromQL expression uses.
var metricRe = regexp.MustCompile(`\b((?:listserv|process|go)_[a-z_]+)`)

// TestDashboardMetricsExist: every metric the Grafana dashboard in
// contrib/grafana queries is one /metrics exports (a histogram by its
// _bucket, _sum and _count series).
func TestDashboardMetricsExist(t *testing.T) {
	b, err := os.ReadFile("../../contrib/grafana/listserv.json")
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, t.TempDir()+"/db")
	fams := scrape(t, "http://"+e.srv.Addr("http")+"/metrics")
	names := map[string]bool{}
	for _, m := range metricRe.FindAllStringSubmatch(string(b), -1) {
		names[m[1]] = true
	}
	if len(names) < 10 {
		t.Fatalf("found only %d metric names in the dashboard: %v", len(names), names)
	}
	for n := range names {
		if fams[n] != nil {
			continue
		}
		found := false
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(n, suf); ok && fams[base].GetType() == dto.MetricType_HISTOGRAM {
				found = true
			}
		}
		if !found {
			t.Errorf("the dashboard queries %s, which /metrics does not export", n)
		}
	}
}
