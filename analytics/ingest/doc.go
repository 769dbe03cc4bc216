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
//     event_id) into the day tables of their events' days (the ignored ones
//     are duplicates; see "A bounded ledger" below) and record the batch as
//     'pending' with its new events (payload, a compact binary list). A key
//     is the origin's number (ledger_origins) as a uvarint and the event_id
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
// # A bounded ledger
//
// The keys are kept per UTC day of occurrence, in tables event_keys_YYYYMMDD
// made on demand (ledger.go), for a dedup horizon (SetDedupHorizon,
// PILOTPULSE_DEDUP_HORIZON, 90 days by default) counted back from the
// newest day any claim has seen (ledger_state.newest; not the wall clock,
// so replaying an old history behaves like a live one). Compact (run every
// second by Run) drops whole day tables older than the horizon, in one
// transaction, except days that a pending batch has events of (their keys
// are not in ClickHouse yet); the database's free pages are reused, so its
// size stays flat as the history grows. ledger_state.compacted_before says
// which days may be gone.
//
// An event of such a day is first looked up in ClickHouse's key table
// event_keys (origin, event_id), ordered by them and fed by a view on every
// insert into events (rows carry their origin): found there it is a
// duplicate. If not, it is claimed in its day's table like any (the table
// is made again), so two concurrent resends of one old event still decide
// in SQLite; the table goes at a later compaction, once the batch is
// stored. A compaction between a claim's look in ClickHouse and its
// transaction could drop a key the look did not see yet, so every
// compaction counts up ledger_state.compactions and a claim whose count
// changed looks again. A crash anywhere leaves either nothing claimed (the
// resend looks again) or a pending batch (settled as usual, its day kept
// until then). The keys from before the day tables (event_keys, 8 bytes of
// SHA-256 of the origin, then the event_id) are looked in for events up to
// the upgrade day (legacy_until) until the horizon passes it.
//
// The ledger's transactions (claims, marking stored, compaction) run on one
// connection kept while sessions run (ledgerTx), so its prepared claim
// statements (one per day table in use, 500 keys each, the missing ones
// NULL) are compiled once and its page cache stays warm.
//
// The identity stays (origin, event_id); a key is looked for on its
// event's occurred day, so an upstream that sends one event_id again with
// another occurred day is not a resend of the same event.
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
