-- The refresher of the weekly volume figures (analytics/figures,
-- ClickHouse table volume_weekly): the ingest batch up to which every
-- stored batch's weeks have been recomputed. Batches with a higher id
-- (stored or still pending) make their weeks dirty: readers compute those
-- weeks from the daily rollup until the refresher has recomputed them. The
-- cursor never passes a pending batch. One row per refresher (name).
CREATE TABLE figure_refresh (
	name     TEXT PRIMARY KEY,
	batch_id INTEGER NOT NULL
);
