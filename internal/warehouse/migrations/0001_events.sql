-- Owner: package analytics/ingest (it inserts the rows; analytics/figures and dashboards read them).
-- Raw usage events, one row per event, stored once per (source, event_id):
-- the ingester filters duplicates before inserting (see analytics/ingest), so a plain
-- MergeTree is exact immediately, in raw queries and in the rollups fed from it.
-- Unknown types are kept. Booleans are Nullable(UInt8), absent text is ''.
-- batch_id names the ingest batch (SQLite ingest_batches.id) that inserted the
-- row, so a batch interrupted between insert and acknowledgement can be
-- reconciled. Works on ClickHouse 18.16 and 24.x.
CREATE TABLE IF NOT EXISTS events (
    source        String,
    event_id      String,
    occurred_at   DateTime('UTC'),
    received_at   DateTime('UTC'),
    type          String,
    company_cvr   String,
    authority_cvr String,
    channel       String,
    has_metadata  Nullable(UInt8),
    has_deep_link Nullable(UInt8),
    by_rule       Nullable(UInt8),
    message_ref   String,
    user_ref      String,
    rights_model  String,
    reason        String,
    folder        String,
    role          String,
    batch_id      UInt64
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (authority_cvr, company_cvr, occurred_at, type);
