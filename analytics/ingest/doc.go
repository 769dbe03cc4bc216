// Package ingest stores usage events in ClickHouse exactly once: the
// ledger in the app database, the group commit, the spooled payload, the
// ClickHouse insert and the settling of batches a crash or an outage left
// pending.
//
// # Exactly once
//
// ClickHouse 18.16 cannot deduplicate inserts into a plain MergeTree, and
// ReplacingMergeTree only deduplicates at merge time (materialized-view
// rollups would still count twice). So duplicates are filtered before the
// insert, against a ledger in the app database (SQLite) that survives crashes:
//
//  1. One SQLite transaction: INSERT OR IGNORE the keys of (origin,
//     event_id) into event_keys (the ignored ones are duplicates) and record
//     the batch as 'pending' with its new events (payload, a compact binary
//     list). A key is 8 bytes of SHA-256 of the origin and the event_id
//     itself: exact, and ids that grow over time stay close together in the
//     B-tree. The caller is answered now: the events are durable in the
//     ledger (synchronous=FULL) and will reach ClickHouse whatever happens,
//     so a crash or an outage after the answer loses nothing.
//  2. Insert the new events into ClickHouse with the batch's id (batch_id);
//     the rollups are materialized views fed by that insert.
//  3. Mark the batch 'stored' (dropping its payload).
//
// The origin is the upstream a source carries (sources.origin; by default
// the source itself, whose keys are then those it had before origins
// existed): the sources of one origin deduplicate against each other, the
// first to claim a key stores the event. Stores are serialised per source,
// not per origin: two sources of one origin claim concurrently, and
// SQLite's uniqueness inside each claim transaction decides which one has a
// key. After a claim a sample of its new ids is looked up under the other
// origins (origin.go): ids found there mean one upstream sent under two
// origins, counted twice, and are recorded for the sources page.
//
// Answering after step 1 lets one insert take the batches of many calls
// (ClickHouse pays per insert: a part per table and partition). Store waits
// for step 3 as well, for callers that need the events in ClickHouse.
//
// A batch still pending (a crash between 1 and 3, or ClickHouse failing
// during 2) is settled before any newer batch of its source is inserted,
// by Recover at start, by the source's session, and by Run (every second,
// for sources no session is storing): the rows with its batch_id that
// ClickHouse has count, the missing ones are inserted from its payload.
//
// # Through an outage
//
// While ClickHouse is down, calls are still claimed and answered: the
// pending batches are the backlog, durable in the ledger, and drained
// oldest first once ClickHouse answers (session.go). A bound on the
// backlog's events and bytes (SetBacklogLimit) keeps it from filling the
// disk: a call that would pass it fails with ErrBacklogFull (503 with
// Retry-After) and nothing of it is stored (backlog.go). Stores are serialised per source (a channel in
// the process, a flock on DATA_DIR/locks across processes), so a pending
// batch seen under the lock is never one still in flight. Concurrent calls
// for one source are grouped (one batch per group) by a leader goroutine per
// source, which runs one ClickHouse insert at a time: while it runs,
// arriving groups are claimed, and they all go into the next insert.
package ingest
