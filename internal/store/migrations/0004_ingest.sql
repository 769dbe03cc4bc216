-- Ingestion ledger (analytics/ingest.go): which (source, event_id) pairs are
-- stored in ClickHouse, and the batches that put them there.
--
-- event_keys holds a 128-bit hash (first 16 bytes of SHA-256 of
-- source NUL event_id) of every event ever accepted: the duplicate filter.
CREATE TABLE event_keys (
	k BLOB PRIMARY KEY
) WITHOUT ROWID;

-- One row per Store call that had new events. A batch is 'pending' from the
-- moment its keys are claimed until ClickHouse has its rows; keys holds the
-- claimed keys (16 bytes each) while pending, so that a batch interrupted by a
-- crash can be reconciled against ClickHouse (rows with this batch_id).
CREATE TABLE ingest_batches (
	id           INTEGER PRIMARY KEY,
	source       TEXT NOT NULL,
	state        TEXT NOT NULL CHECK (state IN ('pending', 'stored')),
	events       INTEGER NOT NULL,
	duplicates   INTEGER NOT NULL,
	min_occurred INTEGER NOT NULL, -- unix seconds, to find the partitions
	max_occurred INTEGER NOT NULL,
	keys         BLOB,
	created_at   DATETIME NOT NULL,
	stored_at    DATETIME
);
CREATE INDEX ingest_batches_pending ON ingest_batches (source) WHERE state = 'pending';
