-- Owner: package analytics/figures (fed by inserts of analytics/ingest through the views below).
-- Rollups the dashboards read instead of scanning raw events. They are
-- SummingMergeTree tables fed by materialized views on every insert into
-- events; rows of one key are summed by background merges, so readers must
-- always sum() ... GROUP BY (exact immediately, merged or not).
-- day is the Europe/Copenhagen calendar date of occurred_at; weeks are
-- toMonday(day) (ISO weeks; toStartOfWeek does not exist on 18.16).

-- message.sent per authority x company x day x channel.
CREATE TABLE IF NOT EXISTS rollup_messages_daily (
    day            Date,
    authority_cvr  String,
    company_cvr    String,
    channel        String,
    messages       UInt64,
    with_metadata  UInt64,
    with_deep_link UInt64
) ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (authority_cvr, day, company_cvr, channel);

CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_messages_daily_mv TO rollup_messages_daily AS
SELECT
    toDate(occurred_at, 'Europe/Copenhagen') AS day,
    authority_cvr,
    company_cvr,
    channel,
    count() AS messages,
    sum(ifNull(has_metadata, 0)) AS with_metadata,
    sum(ifNull(has_deep_link, 0)) AS with_deep_link
FROM events
WHERE type = 'message.sent'
GROUP BY day, authority_cvr, company_cvr, channel;

-- Every event per company x day x type (unknown types included).
CREATE TABLE IF NOT EXISTS rollup_company_daily (
    day         Date,
    company_cvr String,
    type        String,
    events      UInt64
) ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (company_cvr, day, type);

CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_company_daily_mv TO rollup_company_daily AS
SELECT
    toDate(occurred_at, 'Europe/Copenhagen') AS day,
    company_cvr,
    type,
    count() AS events
FROM events
GROUP BY day, company_cvr, type;
