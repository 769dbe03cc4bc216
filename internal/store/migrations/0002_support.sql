-- Support-call log (package support): the current state of each call plus an
-- append-only history with a full snapshot per version. Both are written in
-- one transaction; a call is never deleted, only marked deleted (a version too).
CREATE TABLE support_calls (
	id                INTEGER PRIMARY KEY,
	company_id        INTEGER NOT NULL REFERENCES companies (id),
	caller_name       TEXT NOT NULL,
	caller_role       TEXT NOT NULL DEFAULT '',
	received_at       DATETIME NOT NULL,
	ended_at          DATETIME,
	desk              TEXT NOT NULL CHECK (desk IN ('portal', 'mailbox_operator')),
	channel           TEXT NOT NULL CHECK (channel IN ('phone', 'email', 'chat')),
	category          TEXT NOT NULL CHECK (category IN ('mailbox_creation', 'employee_signature', 'rights_and_roles',
		'folders_and_rules', 'notifications', 'finding_mail', 'third_party_access', 'deleted_mail', 'other')),
	description       TEXT NOT NULL,
	resolution        TEXT NOT NULL CHECK (resolution IN ('resolved', 'partly', 'not_resolved', 'escalated')),
	duration_minutes  INTEGER CHECK (duration_minutes IS NULL OR duration_minutes >= 0),
	follow_up_needed  INTEGER NOT NULL DEFAULT 0 CHECK (follow_up_needed IN (0, 1)),
	follow_up_by      TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD (Copenhagen calendar date) or ''
	follow_up_done    INTEGER NOT NULL DEFAULT 0 CHECK (follow_up_done IN (0, 1)),
	handled_by        TEXT NOT NULL DEFAULT '',
	-- lower-cased description and caller name, kept by the app for search
	search_text       TEXT NOT NULL DEFAULT '',
	-- set for imported calls: a digest of the row, so a file imported twice adds nothing twice
	import_key        TEXT UNIQUE,
	version           INTEGER NOT NULL CHECK (version >= 1),
	created_at        DATETIME NOT NULL,
	created_by        TEXT NOT NULL,
	updated_at        DATETIME NOT NULL,
	updated_by        TEXT NOT NULL,
	deleted_at        DATETIME,
	deleted_by        TEXT NOT NULL DEFAULT '',
	delete_reason     TEXT NOT NULL DEFAULT '',
	CHECK (ended_at IS NULL OR ended_at >= received_at),
	CHECK ((deleted_at IS NULL) = (delete_reason = ''))
);
CREATE INDEX support_calls_received ON support_calls (received_at);
CREATE INDEX support_calls_company ON support_calls (company_id, received_at);

CREATE TABLE support_call_versions (
	call_id  INTEGER NOT NULL REFERENCES support_calls (id),
	version  INTEGER NOT NULL CHECK (version >= 1),
	at       DATETIME NOT NULL,
	actor    TEXT NOT NULL,
	action   TEXT NOT NULL CHECK (action IN ('created', 'imported', 'updated', 'deleted', 'restored')),
	changed  TEXT NOT NULL, -- JSON array of the fields that changed
	reason   TEXT NOT NULL DEFAULT '',
	snapshot TEXT NOT NULL, -- JSON of the whole call as of this version
	PRIMARY KEY (call_id, version)
);

-- The history is append-only, and calls are never removed.
CREATE TRIGGER support_call_versions_no_update BEFORE UPDATE ON support_call_versions
BEGIN
	SELECT RAISE(ABORT, 'support_call_versions is append-only');
END;
CREATE TRIGGER support_call_versions_no_delete BEFORE DELETE ON support_call_versions
BEGIN
	SELECT RAISE(ABORT, 'support_call_versions is append-only');
END;
CREATE TRIGGER support_calls_no_delete BEFORE DELETE ON support_calls
BEGIN
	SELECT RAISE(ABORT, 'support calls are only soft-deleted');
END;
-- Every change of a call is exactly the next version, whose history row is
-- written first (in the same transaction).
CREATE TRIGGER support_calls_version_step BEFORE UPDATE ON support_calls
WHEN NEW.version <> OLD.version + 1
	OR NOT EXISTS (SELECT 1 FROM support_call_versions WHERE call_id = NEW.id AND version = NEW.version)
BEGIN
	SELECT RAISE(ABORT, 'a support call changes only by a new version');
END;
