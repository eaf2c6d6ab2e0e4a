package admin

import (
	"strconv"
	"strings"
	"time"

	"github.com/demnet-uk/listserv/listserv/store"
)

// ListDigestKeys are the digest settings `list set` takes.
var ListDigestKeys = []string{"digest-hour", "digest-weekday", "digest-max-posts", "digest-max-bytes"}

// SetListDigestField changes one of a list's digest defaults by its CLI
// name: the hour (0-23) and weekday (monday, or 0-6 from Sunday) new
// digest members start with, and a part's size (0: the server's default).
func SetListDigestField(d *store.ListDigest, key, value string) error {
	switch key {
	case "digest-hour":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 23 {
			return invalid("digest-hour must be an hour from 0 to 23, not %q", value)
		}
		d.Hour = n
	case "digest-weekday":
		w, ok := parseWeekday(value)
		if !ok {
			return invalid("digest-weekday must be a day such as monday, not %q", value)
		}
		d.Weekday = w
	case "digest-max-posts":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 1000 {
			return invalid("digest-max-posts must be a number of posts from 1 to 1000 (0: the default, 40), not %q", value)
		}
		d.MaxPosts = n
	case "digest-max-bytes":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < 0 || (n > 0 && n < 10000) {
			return invalid("digest-max-bytes must be at least 10000 bytes (0: the default, 1 MB), not %q", value)
		}
		d.MaxBytes = n
	default:
		return invalid("unknown digest setting %q (%s)", key, strings.Join(ListDigestKeys, ", "))
	}
	return nil
}

func parseWeekday(v string) (time.Weekday, bool) {
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && n <= 6 {
		return time.Weekday(n), true
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(v, d.String()) || strings.EqualFold(v, d.String()[:3]) {
			return d, true
		}
	}
	return 0, false
}
