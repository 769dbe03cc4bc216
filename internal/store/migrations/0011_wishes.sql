-- Wishes (dashboards, docs/figures.md#wishes): keyword rules an admin edits
-- at /admin/wishes. A rule counts a wish where one of its keywords (Danish
-- or English; one per line, case-insensitive, whole words; a trailing * is
-- any ending) occurs in a free-text answer, interview notes or a support
-- call's description, and where a multiple-choice answer picked its option.
CREATE TABLE wish_rules (
	id          INTEGER PRIMARY KEY,
	position    INTEGER NOT NULL DEFAULT 0, -- the order rules are shown in
	name_da     TEXT NOT NULL CHECK (name_da <> ''),
	name_en     TEXT NOT NULL CHECK (name_en <> ''),
	keywords_da TEXT NOT NULL DEFAULT '', -- one keyword or phrase per line
	keywords_en TEXT NOT NULL DEFAULT '',
	option_key  TEXT NOT NULL DEFAULT ''  -- a multiple-choice option key that is this wish ('' = none)
);

INSERT INTO wish_rules (position, name_da, name_en, keywords_da, keywords_en, option_key) VALUES
	(1, 'Søgning på tværs af mapper', 'Search across folders',
		'søgning på tværs af mapper' || char(10) || 'søge på tværs af mapper' || char(10) || 'søge i alle mapper' || char(10) || 'søgning i alle mapper',
		'search across folders' || char(10) || 'search all folders' || char(10) || 'search in all folders',
		'search_folders'),
	(2, 'Se hvem der har gjort hvad', 'Seeing who did what (audit trail)',
		'hvem gjorde hvad' || char(10) || 'hvem der har gjort hvad' || char(10) || 'hvem har gjort hvad' || char(10) || 'log' || char(10) || 'logning',
		'audit trail' || char(10) || 'who did what' || char(10) || 'audit log',
		'audit_trail'),
	(3, 'Genfinde slettet post', 'Recovering deleted mail',
		'fortryd sletning' || char(10) || 'gendan slettet' || char(10) || 'gendanne slettet' || char(10) || 'genfinde slettet' || char(10) || 'slettet post',
		'undelete' || char(10) || 'recover deleted' || char(10) || 'restore deleted' || char(10) || 'deleted mail',
		'recover_deleted');
