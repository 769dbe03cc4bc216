-- Foundation: users, sessions, tokens, sources, audit log, registry.
CREATE TABLE authorities (
	id            INTEGER PRIMARY KEY,
	cvr           TEXT NOT NULL UNIQUE CHECK (length(cvr) = 8),
	name          TEXT NOT NULL,
	kind          TEXT NOT NULL CHECK (kind IN ('state', 'municipality', 'region')),
	weekly_target INTEGER CHECK (weekly_target IS NULL OR weekly_target >= 0),
	created_at    DATETIME NOT NULL,
	updated_at    DATETIME NOT NULL
);

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
	role          TEXT NOT NULL CHECK (role IN ('admin', 'support', 'manager', 'authority')),
	authority_cvr TEXT REFERENCES authorities (cvr) ON UPDATE CASCADE,
	password_hash TEXT NOT NULL,
	language      TEXT NOT NULL DEFAULT 'da' CHECK (language IN ('da', 'en')),
	created_at    DATETIME NOT NULL,
	updated_at    DATETIME NOT NULL,
	disabled_at   DATETIME,
	CHECK ((role = 'authority') = (authority_cvr IS NOT NULL))
);

CREATE TABLE sessions (
	id_hash      BLOB PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf_token   TEXT NOT NULL,
	created_at   DATETIME NOT NULL,
	last_seen_at DATETIME NOT NULL,
	ip           TEXT NOT NULL DEFAULT '',
	user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Ingestion sources (push tokens now; pulled feeds and folders later).
CREATE TABLE sources (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	kind       TEXT NOT NULL DEFAULT 'push',
	created_at DATETIME NOT NULL
);

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL DEFAULT '',
	token_hash   BLOB NOT NULL UNIQUE,
	prefix       TEXT NOT NULL,
	user_id      INTEGER REFERENCES users (id) ON DELETE CASCADE,
	source_id    INTEGER REFERENCES sources (id) ON DELETE CASCADE,
	created_by   TEXT NOT NULL,
	created_at   DATETIME NOT NULL,
	last_used_at DATETIME,
	revoked_at   DATETIME,
	CHECK ((user_id IS NULL) <> (source_id IS NULL))
);

CREATE TABLE audit_log (
	id     INTEGER PRIMARY KEY,
	at     DATETIME NOT NULL,
	actor  TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	ip     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE companies (
	id         INTEGER PRIMARY KEY,
	cvr        TEXT NOT NULL UNIQUE CHECK (length(cvr) = 8),
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('company', 'municipality', 'region', 'state_institution')),
	cohort     TEXT NOT NULL DEFAULT '',
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL
);

CREATE TABLE company_p_numbers (
	company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
	p_number   TEXT NOT NULL CHECK (length(p_number) = 10),
	PRIMARY KEY (company_id, p_number)
);

CREATE TABLE contacts (
	id         INTEGER PRIMARY KEY,
	company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
	position   INTEGER NOT NULL,
	name       TEXT NOT NULL,
	email      TEXT NOT NULL,
	phone      TEXT NOT NULL DEFAULT '',
	language   TEXT NOT NULL DEFAULT 'da' CHECK (language IN ('da', 'en')),
	-- A contact dropped from the company keeps its row (later records such as
	-- questionnaire invitations point at it) and is marked removed.
	removed_at DATETIME,
	UNIQUE (company_id, email)
);
