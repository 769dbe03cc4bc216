-- Raw usage events, one row per event as received. Unknown types are kept.
-- Booleans are UInt8 and optional fields Nullable: both work on 18.16 and 24.x.
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
    message_ref   String,
    user_ref      String,
    rights_model  String,
    reason        String,
    folder        String,
    by_rule       Nullable(UInt8),
    role          String,
    batch_id      String
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (authority_cvr, company_cvr, occurred_at, type);
