package main

import (
	"context"
	"errors"
	"os"

	"github.com/demnet-uk/listserv/listserv/store"
)

// defaultHTTP is serve's --http default.
const defaultHTTP = "127.0.0.1:8080"

// baseURLFlag declares --base-url with no default of its own: resolve it
// with baseURL once the store is open.
func (f *flagSet) baseURLFlag(what string) *string {
	return f.str("base-url", "LISTSERV_BASE_URL", "", "public URL of the web UI, for "+what+" (default: the one serve uses)")
}

// baseURL is the web UI's address for printed and mailed links, the same
// as serve's: --base-url or LISTSERV_BASE_URL when given, else what serve
// stored at its last start, else http:// and LISTSERV_HTTP (serve's own
// default), else http://127.0.0.1:8080.
func baseURL(ctx context.Context, st interface {
	Setting(ctx context.Context, key string) (string, error)
}, given string) (string, error) {
	if given != "" {
		return given, nil
	}
	v, err := st.Setting(ctx, store.SettingBaseURL)
	if err == nil && v != "" {
		return v, nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if h := os.Getenv("LISTSERV_HTTP"); h != "" {
		return "http://" + h, nil
	}
	return "http://" + defaultHTTP, nil
}
