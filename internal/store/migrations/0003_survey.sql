-- Weekly questionnaires (package survey): questionnaires with immutable
-- published versions, one wave per ISO week, personal invitations with hashed
-- tokens, answers in long format, sends, and follow-up interview notes.

CREATE TABLE survey_questionnaires (
	id         INTEGER PRIMARY KEY,
	slug       TEXT NOT NULL UNIQUE,
	created_at DATETIME NOT NULL
);

-- A published version is never changed: answers point at the version they
-- were given under; question keys are stable across versions.
CREATE TABLE survey_versions (
	id               INTEGER PRIMARY KEY,
	questionnaire_id INTEGER NOT NULL REFERENCES survey_questionnaires (id),
	version          INTEGER NOT NULL,
	definition       TEXT NOT NULL, -- JSON of survey.Definition
	published_at     DATETIME NOT NULL,
	published_by     TEXT NOT NULL,
	UNIQUE (questionnaire_id, version)
);

-- Every key ever published, with its type: a later version may drop a key
-- but never reuse it with another type.
CREATE TABLE survey_question_keys (
	questionnaire_id INTEGER NOT NULL REFERENCES survey_questionnaires (id),
	key              TEXT NOT NULL,
	type             TEXT NOT NULL,
	first_version    INTEGER NOT NULL,
	PRIMARY KEY (questionnaire_id, key)
);

-- The weekly schedule (one row).
CREATE TABLE survey_schedule (
	id                  INTEGER PRIMARY KEY CHECK (id = 1),
	enabled             INTEGER NOT NULL DEFAULT 0,
	open_weekday        INTEGER NOT NULL DEFAULT 1 CHECK (open_weekday BETWEEN 1 AND 7), -- ISO: 1 = Monday
	open_time           TEXT NOT NULL DEFAULT '09:00', -- Europe/Copenhagen wall clock
	close_after_days    INTEGER NOT NULL DEFAULT 5 CHECK (close_after_days BETWEEN 1 AND 28),
	reminder_after_days INTEGER NOT NULL DEFAULT 2 CHECK (reminder_after_days BETWEEN 1 AND 28),
	max_reminders       INTEGER NOT NULL DEFAULT 2 CHECK (max_reminders BETWEEN 0 AND 10),
	cohort              TEXT NOT NULL DEFAULT '' -- '' = every company in the registry
);
INSERT INTO survey_schedule (id) VALUES (1);

-- One wave per ISO week, e.g. '2012-W46'. Kept for good.
CREATE TABLE survey_waves (
	id                  TEXT PRIMARY KEY,
	version_id          INTEGER NOT NULL REFERENCES survey_versions (id),
	opens_at            DATETIME NOT NULL,
	closes_at           DATETIME NOT NULL,
	reminder_after_days INTEGER NOT NULL,
	max_reminders       INTEGER NOT NULL,
	created_at          DATETIME NOT NULL,
	created_by          TEXT NOT NULL,
	CHECK (closes_at > opens_at)
);

CREATE TABLE survey_invitations (
	id             INTEGER PRIMARY KEY,
	wave_id        TEXT NOT NULL REFERENCES survey_waves (id),
	contact_id     INTEGER NOT NULL REFERENCES contacts (id),
	company_id     INTEGER NOT NULL REFERENCES companies (id),
	token_hash     BLOB NOT NULL UNIQUE,  -- SHA-256 of the token
	token_sealed   BLOB NOT NULL,         -- the token sealed with the survey key (AES-GCM), to put it in reminders
	status         TEXT NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'opened', 'draft', 'submitted')),
	created_at     DATETIME NOT NULL,
	opened_at      DATETIME,
	saved_at       DATETIME,
	submitted_at   DATETIME,
	reopened_at    DATETIME,
	reopened_by    TEXT,
	invited_at     DATETIME,             -- when the invitation was sent (or listed for download)
	reminders_sent INTEGER NOT NULL DEFAULT 0,
	last_sent_at   DATETIME,
	UNIQUE (wave_id, contact_id)
);
CREATE INDEX survey_invitations_company ON survey_invitations (company_id, wave_id);

-- Answers in long format: one row per invitation and question key.
CREATE TABLE survey_answers (
	invitation_id INTEGER NOT NULL REFERENCES survey_invitations (id),
	wave_id       TEXT NOT NULL,
	company_id    INTEGER NOT NULL,
	contact_id    INTEGER NOT NULL,
	version_id    INTEGER NOT NULL REFERENCES survey_versions (id),
	question_key  TEXT NOT NULL,
	value         TEXT NOT NULL, -- text; a multiple choice is a JSON array of option keys
	PRIMARY KEY (invitation_id, question_key)
);
CREATE INDEX survey_answers_wave ON survey_answers (wave_id, question_key);

-- Every invitation and reminder sent (or tried).
CREATE TABLE survey_sends (
	id            INTEGER PRIMARY KEY,
	invitation_id INTEGER NOT NULL REFERENCES survey_invitations (id),
	kind          TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder')),
	channel       TEXT NOT NULL CHECK (channel IN ('smtp', 'list')),
	at            DATETIME NOT NULL,
	ok            INTEGER NOT NULL,
	error         TEXT NOT NULL DEFAULT '',
	actor         TEXT NOT NULL
);
CREATE INDEX survey_sends_invitation ON survey_sends (invitation_id);

CREATE TABLE survey_interviews (
	id          INTEGER PRIMARY KEY,
	company_id  INTEGER NOT NULL REFERENCES companies (id),
	held_on     TEXT NOT NULL, -- YYYY-MM-DD
	interviewer TEXT NOT NULL,
	topics      TEXT NOT NULL DEFAULT '', -- space-separated question keys
	notes       TEXT NOT NULL DEFAULT '',
	created_at  DATETIME NOT NULL,
	created_by  TEXT NOT NULL
);
CREATE INDEX survey_interviews_company ON survey_interviews (company_id, held_on);
