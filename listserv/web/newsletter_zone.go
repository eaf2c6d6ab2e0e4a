package web

import "time"

// zone loads an event's zone, UTC when it no longer loads.
func zone(name string) *time.Location {
	if l, err := time.LoadLocation(name); err == nil {
		return l
	}
	return time.UTC
}
