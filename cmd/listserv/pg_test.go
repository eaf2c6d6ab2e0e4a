package main

import (
	"testing"

	"github.com/demnet-uk/listserv/internal/testpg"
)

// pgURL gives the test a fresh, empty PostgreSQL database (skipped without
// LISTSERV_TEST_POSTGRES, a failure under CI=true).
func pgURL(t *testing.T) string { return testpg.URL(t) }
