-- Origins (analytics/ingest, analytics/sources): an event's identity is the
-- upstream it comes from (its origin) plus its event_id, not the source it
-- arrived through, so the same upstream pulled and pushed counts once.
--
-- origin is the upstream a source carries; '' means the source's own name,
-- so every existing source keeps its meaning and every ledger key written
-- before this migration (8 bytes of SHA-256 of the source name, then the
-- event_id) is exactly the key of its origin: old ledgers keep deduplicating.
ALTER TABLE sources ADD COLUMN origin TEXT NOT NULL DEFAULT '';

-- Overlapping ids seen across different origins: when a batch of a source
-- claims new keys, a bounded sample of them is looked up under the other
-- origins; the ids found there were counted twice (two origins that are
-- really one upstream). One row per (source, other origin), for the warning
-- on the sources page and in the API.
CREATE TABLE origin_overlaps (
	source        TEXT NOT NULL,    -- the source whose batch had the ids
	origin        TEXT NOT NULL,    -- its origin at the time
	other_origin  TEXT NOT NULL,    -- the origin that had them already
	seen          INTEGER NOT NULL, -- sampled ids found under other_origin
	sampled       INTEGER NOT NULL, -- ids sampled in the batches that overlapped
	first_seen_at DATETIME NOT NULL,
	last_seen_at  DATETIME NOT NULL,
	PRIMARY KEY (source, other_origin)
);
