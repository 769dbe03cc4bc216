-- Bounded ingest ledger (analytics/ingest, ledger.go): the keys of events
-- are kept per day of occurrence (UTC) in tables event_keys_YYYYMMDD,
-- created on demand, and only for a dedup horizon: a compaction drops whole
-- day tables once they are older than the horizon (counted back from the
-- newest event the ledger has seen) and no pending batch has events of
-- that day. An event of a day already compacted is looked up in ClickHouse
-- (its key table event_keys, fed by every insert) before it is claimed.
--
-- A day table's key is the origin's number (ledger_origins.id, a uvarint),
-- then the event_id: shorter than the old key's 8 bytes of SHA-256.
CREATE TABLE ledger_origins (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);

-- One row: newest is the newest occurred day (days since 1970-01-01 UTC)
-- any claim has seen; days before compacted_before may have been dropped
-- (their events are looked up in ClickHouse); compactions counts the
-- compactions that dropped something, so a claim that looked in ClickHouse
-- knows whether a compaction ran since; the old table event_keys (keys of
-- every event before this migration, day unknown) is consulted for events
-- up to legacy_until and emptied once the horizon has passed that day.
CREATE TABLE ledger_state (
	id               INTEGER PRIMARY KEY CHECK (id = 1),
	newest           INTEGER NOT NULL,
	compacted_before INTEGER NOT NULL,
	compactions      INTEGER NOT NULL,
	legacy_until     INTEGER NOT NULL
);
INSERT INTO ledger_state (id, newest, compacted_before, compactions, legacy_until)
	VALUES (1, 0, 0, 0, CAST(strftime('%s', 'now') AS INTEGER) / 86400 + 2);

-- The origin a batch's events were claimed under (NULL: before this
-- migration; the source's origin then), for ClickHouse's key table.
ALTER TABLE ingest_batches ADD COLUMN origin TEXT;
