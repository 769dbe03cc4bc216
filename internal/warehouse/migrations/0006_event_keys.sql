-- Owner: package analytics/ingest.
-- The identity (origin, event_id) of every stored event, ordered by it, so
-- that the ingester can tell whether an event older than its local
-- ledger's dedup horizon is stored already (analytics/ingest, ledger.go).
-- Fed by every insert into events through the view (the ingester fills
-- events.origin); rows stored before this migration are copied in, under
-- their source (their origin then).
-- A key may appear twice (this file run again after a failure): readers
-- only ask whether it is there.
CREATE TABLE IF NOT EXISTS event_keys (
    origin   String,
    event_id String
) ENGINE = MergeTree()
ORDER BY (origin, event_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS event_keys_mv TO event_keys AS
SELECT origin, event_id FROM events;

INSERT INTO event_keys (origin, event_id) SELECT source, event_id FROM events WHERE origin = '';
