package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/dkimsign"
	"github.com/demnet-uk/listserv/listserv/store"
)

func dkimCmd(ctx context.Context, args []string, stdout io.Writer) error {
	verb, rest, err := sub(args, "dkim")
	if err != nil {
		return err
	}
	switch verb {
	case "keygen":
		return dkimKeygen(ctx, rest, stdout)
	case "ls":
		return dkimLs(ctx, rest, stdout)
	}
	return fmt.Errorf("%w: unknown dkim command %q (keygen, ls)", errUsage, verb)
}

var (
	domainRE   = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$`)
	selectorRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// dkimKeygen makes and stores a key for DOMAIN and prints the TXT record
// to publish. The newest key of each algorithm signs, so a new selector
// rotates keys: publish its record first, then run keygen.
func dkimKeygen(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("dkim keygen")
	alg := f.String("algorithm", "rsa", "rsa (RSA-2048) or ed25519")
	sel := f.String("selector", "", "DNS selector (default: ALGORITHM-YYYYMM, e.g. rsa-202703)")
	pos, err := f.parseExact(args, 1, "DOMAIN")
	if err != nil {
		return err
	}
	domain := strings.ToLower(strings.TrimSuffix(pos[0], "."))
	if !domainRE.MatchString(domain) {
		return fmt.Errorf("%w: %q is not a domain name (like lists.example.org)", admin.ErrInvalid, pos[0])
	}
	if *alg != dkimsign.RSA && *alg != dkimsign.Ed25519 {
		return fmt.Errorf("%w: --algorithm %q: want rsa or ed25519", admin.ErrInvalid, *alg)
	}
	if *sel == "" {
		*sel = *alg + "-" + time.Now().UTC().Format("200601")
	}
	if !selectorRE.MatchString(*sel) {
		return fmt.Errorf("%w: --selector %q: letters, digits and '-' only", admin.ErrInvalid, *sel)
	}
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := dkimsign.Generate(*alg)
	if err != nil {
		return err
	}
	pemb, err := dkimsign.MarshalPEM(key)
	if err != nil {
		return err
	}
	err = db.PutDKIMKey(ctx, &store.DKIMKey{Domain: domain, Selector: *sel, Algorithm: *alg, PrivatePEM: pemb})
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("%w: %s already has a key with selector %s; pick another --selector", admin.ErrInvalid, domain, *sel)
	}
	if err != nil {
		return err
	}
	txt, err := dkimsign.TXTRecord(key)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "stored %s key %s for %s; mail from %s is signed with it from now on.\n", *alg, *sel, domain, domain)
	fmt.Fprintf(stdout, "Publish this TXT record (then check with: listserv doctor %s):\n\n", domain)
	printRecord(stdout, *sel, domain, txt)
	return nil
}

func printRecord(w io.Writer, sel, domain, txt string) {
	fmt.Fprintf(w, "%s. 3600 IN TXT ( %s )\n", dkimsign.RecordName(sel, domain), strings.Join(dkimsign.ZoneLines(txt), "\n    "))
}

// dkimLs prints a domain's keys and the records they need.
func dkimLs(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("dkim ls")
	pos, err := f.parseExact(args, 1, "DOMAIN")
	if err != nil {
		return err
	}
	domain := strings.ToLower(strings.TrimSuffix(pos[0], "."))
	db, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	ks, err := db.DKIMKeys(ctx, domain)
	if err != nil {
		return err
	}
	if len(ks) == 0 {
		fmt.Fprintf(stdout, "%s has no DKIM key; make one with: listserv dkim keygen %s\n", domain, domain)
		return nil
	}
	for _, k := range ks {
		sg, _, err := dkimsign.ParsePEM(k.PrivatePEM)
		if err != nil {
			return err
		}
		txt, err := dkimsign.TXTRecord(sg)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %s created %s\n", k.Algorithm, k.Selector, k.Created.UTC().Format(time.RFC3339))
		printRecord(stdout, k.Selector, domain, txt)
	}
	return nil
}
