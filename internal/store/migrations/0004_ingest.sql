-- Ingestion ledger (analytics/ingest): which (source, event_id) pairs are
-- stored in ClickHouse, and the batches that put them there.
--
-- event_keys holds the key of every event ever accepted, the duplicate
-- filter: 8 bytes of SHA-256 of the source name, then the event_id as sent.
CREATE TABLE event_keys (
	k BLOB PRIMARY KEY
) WITHOUT ROWID;

-- One row per stored group of events that had new ones. A batch is 'pending'
-- from the moment its keys are claimed until ClickHouse has its rows; keys
-- holds the claimed keys (each preceded by its length as a uvarint) while
-- pending, so that a batch interrupted by a crash can be reconciled against
-- ClickHouse (rows with this batch_id).
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
