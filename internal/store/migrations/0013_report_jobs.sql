-- Report files made in the background (package reports/jobs): raw exports
-- and, later, scheduled workbooks. A job is queued, run by the app's worker
-- pool and either done (its file kept under DATA_DIR/reports until the
-- retention removes it with its row) or failed with the reason. A job left
-- running by a crash is marked failed at the next start.
CREATE TABLE report_jobs (
	id                  INTEGER PRIMARY KEY,
	kind                TEXT NOT NULL,                 -- e.g. export_events
	format              TEXT NOT NULL CHECK (format IN ('xlsx', 'csv')),
	params              TEXT NOT NULL DEFAULT '{}',    -- JSON of the kind's parameters
	summary             TEXT NOT NULL DEFAULT '',      -- what it is, for the audit log (English)
	lang                TEXT NOT NULL DEFAULT 'da' CHECK (lang IN ('da', 'en')),
	-- who asked: a user (id, e-mail, role and authority scope at the time) or the system
	requested_by_id     INTEGER,                       -- users.id; NULL for the app's own jobs
	requested_by        TEXT NOT NULL,                 -- e-mail, or 'system'
	requested_role      TEXT NOT NULL DEFAULT '',
	requested_authority TEXT NOT NULL DEFAULT '',      -- the requester's authority CVR (role authority)
	-- the authority whose data alone the file holds ('' = not narrowed to one)
	authority_cvr       TEXT NOT NULL DEFAULT '',
	state               TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
	rows_written        INTEGER NOT NULL DEFAULT 0,
	rows_total          INTEGER,                       -- NULL: not known
	error               TEXT NOT NULL DEFAULT '',
	file_name           TEXT NOT NULL DEFAULT '',      -- the download's name
	file_path           TEXT NOT NULL DEFAULT '',      -- relative to the data dir
	size_bytes          INTEGER,
	created_at          DATETIME NOT NULL,
	started_at          DATETIME,
	finished_at         DATETIME
);
CREATE INDEX report_jobs_state ON report_jobs (state, id);
CREATE INDEX report_jobs_requester ON report_jobs (requested_by_id, id);
