package server

import (
	"github.com/demnet-uk/listserv/listserv/admin"
	"github.com/demnet-uk/listserv/listserv/apppass"
	"github.com/demnet-uk/listserv/listserv/archive"
	"github.com/demnet-uk/listserv/listserv/bounce"
	"github.com/demnet-uk/listserv/listserv/delivery"
	"github.com/demnet-uk/listserv/listserv/imapd"
	"github.com/demnet-uk/listserv/listserv/inbox"
	"github.com/demnet-uk/listserv/listserv/moderation"
	"github.com/demnet-uk/listserv/listserv/newsletter"
	"github.com/demnet-uk/listserv/listserv/pipeline"
	"github.com/demnet-uk/listserv/listserv/store/sqldb"
	"github.com/demnet-uk/listserv/listserv/subscribe"
)

// Each engine declares the store methods it uses; the one concrete store
// must keep satisfying every one of them (checked here, where all meet,
// so that no engine imports another's needs or sqldb).
var (
	_ delivery.Store           = (*sqldb.DB)(nil)
	_ delivery.Outbox          = (*sqldb.DB)(nil)
	_ pipeline.Store           = (*sqldb.DB)(nil)
	_ inbox.Store              = (*sqldb.DB)(nil)
	_ moderation.Store         = (*sqldb.DB)(nil)
	_ moderation.ActStore      = (*sqldb.DB)(nil)
	_ moderation.SettingsStore = (*sqldb.DB)(nil)
	_ moderation.RuleStore     = (*sqldb.DB)(nil)
	_ subscribe.Store          = (*sqldb.DB)(nil)
	_ subscribe.MemberPager    = (*sqldb.DB)(nil)
	_ admin.Store              = (*sqldb.DB)(nil)
	_ bounce.Store             = (*sqldb.DB)(nil)
	_ archive.IndexStore       = (*sqldb.DB)(nil)
	_ archive.PostPager        = (*sqldb.DB)(nil)
	_ imapd.Store              = (*sqldb.DB)(nil)
	_ apppass.Store            = (*sqldb.DB)(nil)
	_ newsletter.Store         = (*sqldb.DB)(nil)
	_ admin.ActionStore        = (*sqldb.DB)(nil)
)
