// Package analytics is the home of the mailbox's usage events; the work is
// done by its sub-packages:
//
//   - event: the usage event, the known types and channels, and decoding
//     with validation of NDJSON, a JSON array or CSV (one error per line).
//   - ingest: storing exactly once: the ledger in the app database, the
//     group commit, the spooled payload, the ClickHouse insert, settling
//     what a crash or an outage left pending, the per-source lock.
//   - sources: the sources events come from (the source store, their pages
//     and API), the pullers of http-feed and directory sources, and the
//     push API, POST /api/v1/events.
//   - figures: the volume figures read from the ClickHouse rollups and the
//     weekly figures (volume_weekly) with their refresher.
//   - demofeed: the demo upstream feed of `pilotpulse demo` and
//     `pilotpulse feed serve|export`.
//   - analyticstest: test setup the others share.
//
// The ClickHouse tables (events and the rollups) are created by the
// migrations of internal/warehouse (warehouse.Migrations).
//
// # The path of one event
//
//  1. In: a source pushes it (sources, push.go) or a puller fetches it
//     from a feed page or an export file (sources, pull*.go).
//  2. Decode: event.Decode (or event.ParseEventJSON for a feed page) checks
//     it; an invalid one is rejected with its line and field, the rest go on.
//  3. Ingest: ingest.Ingester.Spool groups it with the calls of its source,
//     claims its key in the ledger (a duplicate stops here) and records its
//     batch as pending with the event in the payload, in one SQLite commit;
//     then the caller is answered: the event is stored for good.
//  4. ClickHouse: the source's session inserts the pending batches into the
//     events table, each row tagged with its batch, and marks them stored;
//     a batch a crash or an outage left pending is settled later (Recover,
//     Run, Flush) from its payload.
//  5. Rollups: materialized views fed by that insert add it to the rollup
//     tables (rollup_messages_daily, rollup_company_daily).
//  6. Figures: figures.VolumePerAuthorityWeek sums the rollups per
//     authority and ISO week for the API and the dashboards.
package analytics
