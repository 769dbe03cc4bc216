-- Owner: package analytics/figures (fed by inserts of analytics/ingest through the views below).
-- Two small tables for the pilot overview at national scale, whose size
-- follows the companies and weeks, not the events
-- (analytics/figures/company_weeks.go, docs/figures.md#pilot-overview).
--
-- company_weeks: per company and company-figure event type, the ISO weeks
-- (Europe/Copenhagen) with at least one such event, as bits: a week's
-- number is the days from Monday 1970-01-05 to its Monday over 7; block is
-- that number over 64 and bit (number mod 64) of weeks is set. Kept by
-- AggregatingMergeTree with groupBitOr, so a set only grows, a re-sent or
-- late event sets a bit already set or its own week's bit, and readers
-- take groupBitOrMerge(weeks) ... GROUP BY (exact merged or not). At most
-- one row per company, type and 64 weeks once merged, however many events.
-- The types are those the company figures count in weeks: setup failures
-- and third-party grants (another type needs a migration of its own).
CREATE TABLE IF NOT EXISTS company_weeks (
    type        String,
    company_cvr String,
    block       UInt16,
    weeks       AggregateFunction(groupBitOr, UInt64)
) ENGINE = AggregatingMergeTree()
ORDER BY (type, company_cvr, block);

-- event_weeks: events per ISO week (its Monday) and type, every type: the
-- span of weeks with data without reading the daily rollups. A
-- SummingMergeTree: readers sum(events) ... GROUP BY.
CREATE TABLE IF NOT EXISTS event_weeks (
    monday Date,
    type   String,
    events UInt64
) ENGINE = SummingMergeTree()
ORDER BY (monday, type);

-- The events stored before this migration, once each (the guards skip a
-- copy when the file runs again after a later statement failed), from the
-- company rollup (its day is the Copenhagen date). Migrations run before
-- the app ingests, so no event falls between a copy and its view.
INSERT INTO company_weeks (type, company_cvr, block, weeks)
SELECT
    type,
    company_cvr,
    toUInt16(intDiv(intDiv(toUInt32(toMonday(day)) - 4, 7), 64)) AS block,
    groupBitOrState(bitShiftLeft(toUInt64(1), toUInt8(intDiv(toUInt32(toMonday(day)) - 4, 7) % 64)))
FROM rollup_company_daily
WHERE type IN ('mailbox.setup_failed', 'access.third_party_granted')
    AND (SELECT count() FROM company_weeks) = 0
GROUP BY type, company_cvr, block;

INSERT INTO event_weeks (monday, type, events)
SELECT toMonday(day) AS monday, type, sum(events)
FROM rollup_company_daily
WHERE (SELECT count() FROM event_weeks) = 0
GROUP BY monday, type;

CREATE MATERIALIZED VIEW IF NOT EXISTS company_weeks_mv TO company_weeks AS
SELECT
    type,
    company_cvr,
    toUInt16(intDiv(intDiv(toUInt32(toMonday(toDate(occurred_at, 'Europe/Copenhagen'))) - 4, 7), 64)) AS block,
    groupBitOrState(bitShiftLeft(toUInt64(1), toUInt8(intDiv(toUInt32(toMonday(toDate(occurred_at, 'Europe/Copenhagen'))) - 4, 7) % 64))) AS weeks
FROM events
WHERE type IN ('mailbox.setup_failed', 'access.third_party_granted')
GROUP BY type, company_cvr, block;

CREATE MATERIALIZED VIEW IF NOT EXISTS event_weeks_mv TO event_weeks AS
SELECT toMonday(toDate(occurred_at, 'Europe/Copenhagen')) AS monday, type, count() AS events
FROM events
GROUP BY monday, type;
