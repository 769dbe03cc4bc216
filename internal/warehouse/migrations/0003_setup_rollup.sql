-- Owner: package analytics/figures (fed by inserts of analytics/ingest through the view below).
-- The mailbox setup events (mailbox.setup_started, mailbox.setup_completed,
-- mailbox.setup_failed) per company, type, reason and second, for the setup
-- problems dashboard: failures by reason per week, and the time from setup
-- started to completed, to the second (rollup_company_daily has neither the
-- reason nor the time of day). Setup events are a few per company, so the
-- table stays small at national scale while events grows. A
-- SummingMergeTree: readers sum(events) ... GROUP BY (exact merged or not).
-- day is the Europe/Copenhagen calendar date of occurred_at.
CREATE TABLE IF NOT EXISTS rollup_setup_events (
    day         Date,
    company_cvr String,
    type        String,
    reason      String,
    occurred_at DateTime('UTC'),
    events      UInt64
) ENGINE = SummingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (company_cvr, type, occurred_at, reason, day);

-- The setup events stored before this migration, once: the guard skips the
-- copy when the file runs again after a later statement failed. Migrations
-- run before the app ingests (app start), so no event falls between this
-- copy and the view below.
INSERT INTO rollup_setup_events (day, company_cvr, type, reason, occurred_at, events)
SELECT
    toDate(occurred_at, 'Europe/Copenhagen') AS day,
    company_cvr,
    type,
    reason,
    occurred_at,
    count() AS events
FROM events
WHERE type IN ('mailbox.setup_started', 'mailbox.setup_completed', 'mailbox.setup_failed')
    AND (SELECT count() FROM rollup_setup_events) = 0
GROUP BY day, company_cvr, type, reason, occurred_at;

CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_setup_events_mv TO rollup_setup_events AS
SELECT
    toDate(occurred_at, 'Europe/Copenhagen') AS day,
    company_cvr,
    type,
    reason,
    occurred_at,
    count() AS events
FROM events
WHERE type IN ('mailbox.setup_started', 'mailbox.setup_completed', 'mailbox.setup_failed')
GROUP BY day, company_cvr, type, reason, occurred_at;
