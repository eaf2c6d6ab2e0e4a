package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/demnet-uk/listserv/listserv/fetch"
	"github.com/demnet-uk/listserv/listserv/store"
)

// fetchURLs is serve's repeatable --fetch flag; $LISTSERV_FETCH adds
// space-separated URLs.
type fetchURLs []string

func (f *fetchURLs) String() string { return strings.Join(*f, " ") }

func (f *fetchURLs) Set(v string) error {
	*f = append(*f, v)
	return nil
}

// urls returns the flag's URLs and the environment's, each checked.
func (f *fetchURLs) urls() ([]string, error) {
	all := append(strings.Fields(os.Getenv("LISTSERV_FETCH")), *f...)
	for _, u := range all {
		if err := checkFetchURL(u); err != nil {
			return nil, fmt.Errorf("%w: --fetch: %w", errUsage, err)
		}
	}
	return all, nil
}

func checkFetchURL(u string) error {
	_, err := fetch.Parse(u)
	return err
}

// checkListFetch checks a list's --fetch URL ("" stops fetching);
// listserv serve picks a change up within 30 seconds.
func checkListFetch(l *store.List, u string) error {
	if u == "" {
		return nil
	}
	src, err := fetch.Parse(u)
	if err != nil {
		return fmt.Errorf("%w: --fetch: %w", errUsage, err)
	}
	if src.List != "" && src.List != l.Address {
		return fmt.Errorf("%w: --fetch: the URL names list %s, not %s (leave ?list= out)", errUsage, src.List, l.Address)
	}
	return nil
}
