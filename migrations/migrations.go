// Package migrations embeds the versioned SQL schema of both stores.
//
// Files are named NNNN_description.sql, one folder per dialect. Each file is
// applied once, in order, inside one transaction; the store records the
// version in schema_migrations and refuses to open a database whose schema is
// newer than the highest file here.
package migrations

import "embed"

// FS holds sqlite/*.sql and postgres/*.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
