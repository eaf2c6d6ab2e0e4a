// Package prom exports package metrics, and the queue as the store sees
// it, in Prometheus's format: a registry made per server (no global
// state), read at scrape time.
package prom

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/demnet-uk/listserv/listserv/metrics"
	"github.com/demnet-uk/listserv/listserv/store"
)

// Pending is the one store query a scrape makes.
type Pending func(ctx context.Context) (store.QueueStats, error)

// Handler serves m and the queue on a registry of its own, with the Go
// runtime and process collectors.
func Handler(m *metrics.Metrics, pending Pending) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&collector{m: m, pending: pending})
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

var (
	postsReceived = prometheus.NewDesc("listserv_posts_received_total", "Messages for a list handed to the intake pipeline.", nil, nil)
	posts         = prometheus.NewDesc("listserv_posts_total", "Posts by intake outcome: accepted, held, dropped (loops, auto-replies), discarded, duplicate, refused, owner.", []string{"outcome"}, nil)
	copies        = prometheus.NewDesc("listserv_copies_total", "Copies handed to the relay (delivered), put off for a retry (deferred) or given up (failed).", []string{"result"}, nil)
	queueDepth    = prometheus.NewDesc("listserv_queue_depth", "Queued outbound work: open fan-outs, leased chunks, retries, server mail.", []string{"kind"}, nil)
	queueAge      = prometheus.NewDesc("listserv_queue_oldest_age_seconds", "Age of the oldest waiting item of a kind (0 when none).", []string{"kind"}, nil)
	smtpLatency   = prometheus.NewDesc("listserv_smtp_message_duration_seconds", "SMTP: DATA to reply, per message.", nil, nil)
	lmtpLatency   = prometheus.NewDesc("listserv_lmtp_message_duration_seconds", "LMTP: DATA to replies, per message.", nil, nil)
	httpLatency   = prometheus.NewDesc("listserv_http_request_duration_seconds", "Web requests, whole handler time.", nil, nil)
	digestQueued  = prometheus.NewDesc("listserv_digest_mails_queued_total", "Digest mails queued by this node's digest engine (one per member and part); they leave through the mail queue.", nil, nil)
	digestLast    = prometheus.NewDesc("listserv_digest_last_queued_timestamp_seconds", "When this node last queued digest mail (Unix time; 0: not since start).", nil, nil)
	issueQueued   = prometheus.NewDesc("listserv_newsletter_copies_queued_total", "Newsletter issue copies queued by this node's newsletter engine (one per subscriber); they leave through the mail queue.", nil, nil)
	issueLast     = prometheus.NewDesc("listserv_newsletter_last_queued_timestamp_seconds", "When this node last queued newsletter issue copies (Unix time; 0: not since start).", nil, nil)
)

type collector struct {
	m       *metrics.Metrics
	pending Pending
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{postsReceived, posts, copies, queueDepth, queueAge, smtpLatency, lmtpLatency, httpLatency, digestQueued, digestLast,
		issueQueued, issueLast} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	m := c.m
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	counter(postsReceived, m.PostsReceived.Value())
	for _, o := range metrics.PostOutcomes {
		counter(posts, m.Posts(o), o)
	}
	counter(copies, m.CopiesDelivered.Value(), "delivered")
	counter(copies, m.CopiesDeferred.Value(), "deferred")
	counter(copies, m.CopiesFailed.Value(), "failed")
	counter(digestQueued, m.Digest.Queued.Value())
	ch <- prometheus.MustNewConstMetric(digestLast, prometheus.GaugeValue, unixSeconds(m.Digest.LastDigest()))
	counter(issueQueued, m.Newsletter.Queued.Value())
	ch <- prometheus.MustNewConstMetric(issueLast, prometheus.GaugeValue, unixSeconds(m.Newsletter.LastSend()))
	for d, h := range map[*prometheus.Desc]*metrics.Histogram{smtpLatency: &m.SMTP, lmtpLatency: &m.LMTP, httpLatency: &m.HTTP} {
		buckets, n, sum := h.Snapshot()
		ch <- prometheus.MustNewConstHistogram(d, n, sum, buckets)
	}
	c.collectQueue(ch)
}

// collectQueue asks the store once; when it cannot answer, the scrape
// says so rather than reporting an empty queue.
func (c *collector) collectQueue(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	q, err := c.pending(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueDepth, err)
		return
	}
	gauge := func(d *prometheus.Desc, v float64, kind string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, kind)
	}
	gauge(queueDepth, float64(q.OpenFanouts), "fanout")
	gauge(queueDepth, float64(q.Chunks), "chunk")
	gauge(queueDepth, float64(q.Retries), "retry")
	gauge(queueDepth, float64(q.Mail), "mail")
	gauge(queueDepth, float64(q.DigestJobs), "digest")
	age := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return max(time.Since(t).Seconds(), 0)
	}
	gauge(queueAge, age(q.OldestFanout), "fanout")
	gauge(queueAge, age(q.OldestRetry), "retry")
	gauge(queueAge, age(q.OldestMail), "mail")
	gauge(queueAge, age(q.OldestDigest), "digest")
}

// unixSeconds is t as Unix time in seconds, 0 for the zero time.
func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}
