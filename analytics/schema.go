// Package analytics holds the mailbox's usage events in ClickHouse: their
// schema (embedded, versioned migrations), ingestion and the rollups the
// dashboards read.
package analytics

import "embed"

// Migrations are the ClickHouse schema changes, applied in order by
// warehouse.Migrate. Every statement runs on ClickHouse 18.16 and 24.x.
//
//go:embed migrations/*.sql
var Migrations embed.FS
