-- Owner: package analytics/ingest.
-- The origin an event was claimed under (the upstream its source carries;
-- analytics/ingest), for the key table of 0006_event_keys.sql. '' on rows
-- stored before: their origin is their source.
ALTER TABLE events ADD COLUMN origin String DEFAULT '';
