-- Spooled ingest batches (analytics/ingest): a batch is acknowledged
-- once its keys are claimed, before ClickHouse has its rows, so it carries
-- its new events here (a compact binary list, analytics/ingest/spool.go) until they
-- are stored: a crash or a ClickHouse outage after the acknowledgement loses
-- nothing (settling a pending batch inserts its missing rows). NULL once
-- stored, and for batches claimed before this migration (keys only).
ALTER TABLE ingest_batches ADD COLUMN payload BLOB;
