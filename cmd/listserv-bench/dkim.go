package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/demnet-uk/listserv/listserv/delivery"
	"github.com/demnet-uk/listserv/listserv/dkimsign"
	"github.com/demnet-uk/listserv/listserv/store"
)

// signingResult is DKIM's cost per copy of the bench post, measured in
// this process: our signer (body and shared fields hashed once per post)
// against go-msgauth's dkim.Sign on the whole copy, one core; and the
// signing limit, copies per second signed on all cores with our signer.
type signingResult struct {
	OursEd25519Micros    float64 `json:"ours_ed25519_us_per_copy"`
	OursRSAMicros        float64 `json:"ours_rsa_us_per_copy"`
	MsgauthEd25519Micros float64 `json:"msgauth_ed25519_us_per_copy"`
	MsgauthRSAMicros     float64 `json:"msgauth_rsa_us_per_copy"`
	LimitEd25519         float64 `json:"limit_ed25519_copies_per_sec"`
	LimitRSAEd25519      float64 `json:"limit_rsa_and_ed25519_copies_per_sec"`
}

// dkimFanout is the fan-out again with the list domain's keys in place.
type dkimFanout struct {
	Ed25519    *fanoutResult `json:"ed25519,omitempty"`
	RSAEd25519 *fanoutResult `json:"rsa_and_ed25519,omitempty"`
	Error      string        `json:"error,omitempty"`
}

// benchCopy is the bench post rendered as fan-out renders it.
func benchCopy() (*delivery.Prepared, error) {
	l := &store.List{Address: benchList, Name: "Bench", Policy: store.PolicyOpen, Archive: "private"}
	raw := post(memberAddr(1), benchList, "Consultation reply: please read before Friday", "sign@bench.example.net", time.Now())
	return delivery.Prepare(l, &store.Message{Raw: raw, State: store.StateAccepted}, "https://lists.example.org")
}

func benchKey(alg string) (*dkimsign.Key, error) {
	s, err := dkimsign.Generate(alg)
	return &dkimsign.Key{Domain: "lists.example.org", Selector: alg, Algorithm: alg, Signer: s}, err
}

// measureSigning times signing per copy, one goroutine, then the limit on
// all cores.
func measureSigning() (*signingResult, error) {
	p, err := benchCopy()
	if err != nil {
		return nil, err
	}
	ed, err := benchKey(dkimsign.Ed25519)
	if err != nil {
		return nil, err
	}
	rsaKey, err := benchKey(dkimsign.RSA)
	if err != nil {
		return nil, err
	}
	r := &signingResult{}
	if r.OursEd25519Micros, err = perCopy(4000, oursSigner(p, ed)); err != nil {
		return nil, err
	}
	if r.OursRSAMicros, err = perCopy(400, oursSigner(p, rsaKey)); err != nil {
		return nil, err
	}
	if r.MsgauthEd25519Micros, err = perCopy(4000, msgauthSigner(p, ed)); err != nil {
		return nil, err
	}
	if r.MsgauthRSAMicros, err = perCopy(400, msgauthSigner(p, rsaKey)); err != nil {
		return nil, err
	}
	r.LimitEd25519 = limit(2*time.Second, oursSigner(p, ed))
	r.LimitRSAEd25519 = limit(2*time.Second, oursSigner(p, rsaKey, ed))
	return r, nil
}

// oursSigner returns a per-copy function: render the copy's head, sign.
func oursSigner(p *delivery.Prepared, keys ...*dkimsign.Key) func(i int) error {
	post, err := dkimsign.NewPost(keys, p.Shared, bytes.TrimPrefix(p.Body, []byte("\r\n")),
		[]string{"List-Unsubscribe", "List-Unsubscribe-Post"}, time.Now())
	return func(i int) error {
		if err != nil {
			return err
		}
		var b bytes.Buffer
		p.AppendHead(&b, fmt.Sprintf("token-%d", i))
		_, err := post.SignCopy(b.Bytes()[:b.Len()-len(p.Shared)])
		return err
	}
}

func msgauthSigner(p *delivery.Prepared, k *dkimsign.Key) func(i int) error {
	return func(i int) error {
		var b bytes.Buffer
		p.AppendCopy(&b, fmt.Sprintf("token-%d", i))
		return dkim.Sign(io.Discard, &b, &dkim.SignOptions{Domain: k.Domain, Selector: k.Selector, Signer: k.Signer,
			HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
			HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
				"List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"}})
	}
}

func perCopy(n int, sign func(int) error) (float64, error) {
	start := time.Now()
	for i := range n {
		if err := sign(i); err != nil {
			return 0, err
		}
	}
	return float64(time.Since(start).Microseconds()) / float64(n), nil
}

// limit is copies per second signed by GOMAXPROCS goroutines.
func limit(d time.Duration, sign func(int) error) float64 {
	var n atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	start := time.Now()
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				if sign(i) == nil {
					n.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// measureSignedFanouts repeats the fan-out with an Ed25519 key of the list
// domain, then with an RSA key added (two signatures a copy). Keys are
// made with the CLI as an operator would, and the server restarted so
// its key cache starts empty.
func measureSignedFanouts(ctx context.Context, b *bench, c cli, opts serverOpts, sink relaySink, n int) *dkimFanout {
	out := &dkimFanout{}
	for _, alg := range []string{dkimsign.Ed25519, dkimsign.RSA} {
		if _, err := c.run(ctx, "dkim", "keygen", "lists.example.org", "--algorithm", alg, "--selector", "bench-"+alg); err != nil {
			out.Error = err.Error()
			return out
		}
		opts.logPath = filepath.Join(filepath.Dir(opts.logPath), "serve-dkim-"+alg+".log")
		fmt.Fprintf(b.log, "listserv-bench: fan-out signed (%s key added)\n", alg)
		srv, err := startServer(ctx, opts)
		if err != nil {
			out.Error = err.Error()
			return out
		}
		fan, err := measureFanout(ctx, srv, sink, n, b.cfg.fanoutTimeout, b.log)
		srv.stop()
		if err != nil {
			out.Error = err.Error()
			return out
		}
		if alg == dkimsign.Ed25519 {
			out.Ed25519 = &fan
		} else {
			out.RSAEd25519 = &fan
		}
	}
	return out
}

// printSigning prints the signing figures and the signed fan-outs against
// the unsigned one and the signing limit.
func printSigning(w io.Writer, rep *report) {
	s := rep.Signing
	if s == nil {
		return
	}
	fmt.Fprintln(w, "\nDKIM signing of the bench post (in-process, one core, µs per copy; limit: copies/s on all cores)")
	fmt.Fprintf(w, "  ours (body hashed once per post): Ed25519 %.1f µs, RSA-2048 %.0f µs\n", s.OursEd25519Micros, s.OursRSAMicros)
	fmt.Fprintf(w, "  go-msgauth dkim.Sign per copy:    Ed25519 %.1f µs, RSA-2048 %.0f µs\n", s.MsgauthEd25519Micros, s.MsgauthRSAMicros)
	fmt.Fprintf(w, "  signing limit: Ed25519 %.0f copies/s, RSA-2048 + Ed25519 %.0f copies/s\n", s.LimitEd25519, s.LimitRSAEd25519)
	for _, r := range rep.Results {
		d := r.DKIM
		if d == nil || r.Fanout == nil {
			continue
		}
		if d.Error != "" {
			fmt.Fprintf(w, "  %s, %d members: signed fan-out FAILED: %s\n", r.Store, r.Members, d.Error)
		}
		if f := d.Ed25519; f != nil {
			fmt.Fprintf(w, "  %s, %d members: Ed25519-signed fan-out %.0f copies/s = %.2fx unsigned (%.0f/s)\n",
				r.Store, r.Members, f.RcptPerSec, f.RcptPerSec/r.Fanout.RcptPerSec, r.Fanout.RcptPerSec)
		}
		if f := d.RSAEd25519; f != nil {
			fmt.Fprintf(w, "  %s, %d members: RSA+Ed25519-signed fan-out %.0f copies/s = %.2fx the signing limit, %.2fx unsigned\n",
				r.Store, r.Members, f.RcptPerSec, f.RcptPerSec/s.LimitRSAEd25519, f.RcptPerSec/r.Fanout.RcptPerSec)
		}
	}
}
