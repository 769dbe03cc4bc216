-- Recent pull outcomes of a pulled source (analytics/sources health.go):
-- one character per pull round, oldest first, '+' a success and '-' a
-- failure, at most the last 10. A source whose recent rounds alternate is
-- shown as flapping rather than flipping between OK and failing.
ALTER TABLE sources ADD COLUMN recent_pulls TEXT NOT NULL DEFAULT '';
