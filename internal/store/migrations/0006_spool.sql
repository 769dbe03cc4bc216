-- Spooled ingest batches (analytics/ingest.go, Spool): a batch acknowledged
-- before ClickHouse has its rows carries its new events here (a compact
-- binary list, analytics/spool.go) until they are stored, so that a crash or
-- a ClickHouse outage after the acknowledgement loses nothing: settling a
-- pending batch with a payload inserts its missing rows instead of
-- releasing their keys. NULL for batches whose caller waits for ClickHouse.
ALTER TABLE ingest_batches ADD COLUMN payload BLOB;
