-- Owner: package analytics/figures (its refresher writes the rows, analytics/figures reads them).
-- The volume figures per authority and ISO week, computed once from
-- rollup_messages_daily and recomputed only for the weeks a new ingest batch
-- touched (analytics/figures/volume_weekly.go), so a dashboard reads a few
-- hundred rows per week instead of summing the daily rollup on every view.
-- companies is the exact number of distinct companies reached in the week
-- (uniqExact over the rollup when the row was computed: no approximation).
-- A recomputation inserts new rows with a higher version; readers take
-- argMax(..., version) per (authority_cvr, monday), exact whether or not
-- the background merges of ReplacingMergeTree have run. monday is the
-- Monday of the Europe/Copenhagen ISO week (toMonday of the rollup's day).
-- Works on ClickHouse 18.16 and 24.x.
CREATE TABLE IF NOT EXISTS volume_weekly (
    monday         Date,
    authority_cvr  String,
    messages       UInt64,
    digital        UInt64,
    remote_print   UInt64,
    with_metadata  UInt64,
    with_deep_link UInt64,
    companies      UInt64,
    version        UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (authority_cvr, monday);
