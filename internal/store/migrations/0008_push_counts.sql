-- Push counts (analytics/sources): what the pushes to a source
-- (POST /api/v1/events) brought, as their answers said: new events,
-- duplicates and rejected lines, and when the last push was stored. Kept
-- apart from the pull counts (events_pulled, ...) because an admin may push
-- for a pulled source too. Each stored part of a push adds its counts in
-- one statement after the part is durable in the ledger.
ALTER TABLE sources ADD COLUMN pushed_accepted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN pushed_duplicate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN pushed_rejected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN last_push_at DATETIME;
