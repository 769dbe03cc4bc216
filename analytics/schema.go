// Package analytics holds the mailbox's usage events in ClickHouse: their
// schema (embedded, versioned migrations), ingestion and the rollups the
// dashboards read.
//
// # Exactly once
//
// ClickHouse 18.16 cannot deduplicate inserts into a plain MergeTree, and
// ReplacingMergeTree only deduplicates at merge time (materialized-view
// rollups would still count twice). So duplicates are filtered before the
// insert, against a ledger in the app database (SQLite) that survives crashes:
//
//  1. One SQLite transaction: INSERT OR IGNORE the keys of (source,
//     event_id) into event_keys (the ignored ones are duplicates) and record
//     the batch as 'pending' with its new keys. A key is 8 bytes of SHA-256
//     of the source and the event_id itself: exact, and ids that grow over
//     time stay close together in the B-tree.
//  2. Insert the new events into ClickHouse with the batch's id (batch_id);
//     the rollups are materialized views fed by that insert.
//  3. Mark the batch 'stored'; only then is the caller told "stored".
//
// A batch still pending (a crash between 2 and 3, or ClickHouse failing
// during 2) is settled before the next Store of its source and by Recover at
// start: the rows with its batch_id that ClickHouse has keep their keys, the
// other keys are released, so a resend stores exactly the missing events.
// Store is serialised per source (a channel in the process, a flock on
// DATA_DIR/locks across processes), so a pending batch seen under the lock is
// never one still in flight. Concurrent calls for one source are grouped
// (one batch per group) by a leader goroutine per source, which runs one
// ClickHouse insert at a time: while it runs, arriving groups are claimed,
// and they all go into the next insert. When fewer calls are claimed than
// were in flight around the last insert, the next insert waits up to
// maxLinger for the callers just answered to send again (fewer, bigger
// inserts: ClickHouse pays per part). Groups are answered in order, only
// after their insert was stored; when an insert fails, every group claimed
// after it fails too (its duplicates may be keys of the failed one).
package analytics

import (
	"embed"
	"io/fs"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the ClickHouse schema changes (the files of migrations/, at
// the root of this FS), applied in order by warehouse.Migrate. Every statement
// runs on ClickHouse 18.16 and 24.x.
var Migrations fs.FS = func() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}()
