package server

import (
	"github.com/demnet-uk/listserv/listserv/bounce"
	"github.com/demnet-uk/listserv/listserv/dkimsign"
	"github.com/demnet-uk/listserv/listserv/mailauth"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
)

// The deliverability engines' store needs (see store_check.go).
var (
	_ bounce.WarnStore       = (*sqldb.DB)(nil)
	_ dkimsign.KeyStore      = (*sqldb.DB)(nil)
	_ mailauth.SettingsStore = (*sqldb.DB)(nil)
)
