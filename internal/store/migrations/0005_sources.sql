-- Pulled sources: configuration and state of http-feed and directory
-- sources (push sources keep the defaults), and the files a directory
-- source has taken in.
ALTER TABLE sources ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN directory TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN interval_seconds INTEGER NOT NULL DEFAULT 60 CHECK (interval_seconds > 0);
ALTER TABLE sources ADD COLUMN batch_limit INTEGER NOT NULL DEFAULT 1000 CHECK (batch_limit > 0);
ALTER TABLE sources ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sources ADD COLUMN updated_at DATETIME;
-- State. cursor is NULL until the first page was stored (then the feed is
-- asked without "after"); it only changes after the page's events are stored.
ALTER TABLE sources ADD COLUMN cursor TEXT;
ALTER TABLE sources ADD COLUMN last_attempt_at DATETIME;
ALTER TABLE sources ADD COLUMN last_success_at DATETIME;
ALTER TABLE sources ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN last_error_at DATETIME;
ALTER TABLE sources ADD COLUMN events_pulled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN events_duplicate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN events_rejected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN next_attempt_at DATETIME;
-- The newest occurred_at among the events of the last stored batch, for the upstream lag.
ALTER TABLE sources ADD COLUMN newest_event_at DATETIME;

CREATE TABLE source_files (
	source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
	sha256    TEXT NOT NULL CHECK (length(sha256) = 64),
	name      TEXT NOT NULL,
	size      INTEGER NOT NULL,
	events    INTEGER NOT NULL,
	accepted  INTEGER NOT NULL,
	rejected  INTEGER NOT NULL,
	done_at   DATETIME NOT NULL,
	PRIMARY KEY (source_id, sha256)
);
