package server_test

import (
	"database/sql"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/demnet-uk/listserv/listserv/server"
	"github.com/demnet-uk/listserv/listserv/store"
)

// scrape fetches /metrics over HTTP and parses it with Prometheus's own
// text parser.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, b)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// value is the sample of family name whose labels include want.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, want ...string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Fatalf("/metrics has no %s", name)
	}
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(want); i += 2 {
			found := false
			for _, l := range m.GetLabel() {
				found = found || l.GetName() == want[i] && l.GetValue() == want[i+1]
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.GetCounter() != nil:
			return m.GetCounter().GetValue()
		case m.GetGauge() != nil:
			return m.GetGauge().GetValue()
		case m.GetHistogram() != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	t.Fatalf("/metrics has no %s%v", name, want)
	return 0
}

// TestMetricsMove: counters move when a post is received and delivered,
// the queue is reported, and /readyz is 200.
func TestMetricsMove(t *testing.T) {
	stores(t, func(t *testing.T, db string) {
		e := start(t, db)
		url := "http://" + e.srv.Addr("http") + "/metrics"
		before := scrape(t, url)
		if v := value(t, before, "listserv_posts_received_total"); v != 0 {
			t.Errorf("posts received before any post: %v", v)
		}
		value(t, before, "listserv_queue_depth", "kind", "fanout")
		e.list(t, &store.List{Address: "team@lists.example.org"}, teamMembers...)
		e.mustSend(t, "ann@example.net", []string{"team@lists.example.org"}, post("ann@example.net", "Hello", "m1@example.net", ""))
		waitFor(t, "4 copies", func() bool { return e.sink.Count() >= 4 })
		waitFor(t, "4 copies counted", func() bool {
			return value(t, scrape(t, url), "listserv_copies_total", "result", "delivered") >= 4
		})
		after := scrape(t, url)
		for _, c := range []struct {
			name   string
			labels []string
			want   float64
		}{
			{"listserv_posts_received_total", nil, 1},
			{"listserv_posts_total", []string{"outcome", "accepted"}, 1},
			{"listserv_posts_total", []string{"outcome", "held"}, 0},
			{"listserv_smtp_message_duration_seconds", nil, 1},
		} {
			if v := value(t, after, c.name, c.labels...); v != c.want {
				t.Errorf("%s%v = %v, want %v", c.name, c.labels, v, c.want)
			}
		}
		if v := value(t, after, "listserv_http_request_duration_seconds"); v < 2 {
			t.Errorf("http requests observed: %v, want the scrapes", v)
		}
		resp, err := http.Get("http://" + e.srv.Addr("http") + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("/readyz: %s", resp.Status)
		}
	})
}

// TestMetricsOnlyForOperator: through a proxy (a forwarding header) the
// page does not exist, as for /outbox; with --metrics it is served on its
// own port and not on the web port. The rule is the web's, not the
// store's, so SQLite alone.
func TestMetricsOnlyForOperator(t *testing.T) {
	get := func(url string, proxied bool) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if proxied {
			req.Header.Set("X-Forwarded-For", "198.51.100.7")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	e := start(t, filepath.Join(t.TempDir(), "a.db"))
	url := "http://" + e.srv.Addr("http") + "/metrics"
	if c := get(url, false); c != http.StatusOK {
		t.Errorf("/metrics from loopback: %d", c)
	}
	if c := get(url, true); c != http.StatusNotFound {
		t.Errorf("/metrics through a proxy: %d, want 404", c)
	}
	e2 := start(t, filepath.Join(t.TempDir(), "b.db"), func(c *server.Config) { c.Metrics = "127.0.0.1:0" })
	if c := get("http://"+e2.srv.Addr("http")+"/metrics", false); c != http.StatusNotFound {
		t.Errorf("/metrics on the web port with --metrics set: %d, want 404", c)
	}
	value(t, scrape(t, "http://"+e2.srv.Addr("metrics")+"/metrics"), "listserv_posts_received_total")
}

// TestReadyzMigrationsPending: /readyz is 503 while the schema is behind
// (here: the newest migration's record removed behind the server's back)
// and 200 again once it is current; /healthz stays 200 throughout.
func TestReadyzMigrationsPending(t *testing.T) {
	path := filepath.Join(t.TempDir(), "listserv.db")
	e := start(t, path)
	status := func(p string) int {
		t.Helper()
		resp, err := http.Get("http://" + e.srv.Addr("http") + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := status("/readyz"); c != http.StatusOK {
		t.Fatalf("/readyz at start: %d", c)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var v int
	if err := raw.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	var desc string
	var at int64
	if err := raw.QueryRow(`SELECT description, applied_at FROM schema_migrations WHERE version = ?`, v).Scan(&desc, &at); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM schema_migrations WHERE version = ?`, v); err != nil {
		t.Fatal(err)
	}
	if c := status("/readyz"); c != http.StatusServiceUnavailable {
		t.Errorf("/readyz with a migration pending: %d, want 503", c)
	}
	if c := status("/healthz"); c != http.StatusOK {
		t.Errorf("/healthz with a migration pending: %d", c)
	}
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)`, v, desc, at); err != nil {
		t.Fatal(err)
	}
	if c := status("/readyz"); c != http.StatusOK {
		t.Errorf("/readyz after the schema is current again: %d", c)
	}
}
