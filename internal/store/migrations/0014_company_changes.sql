-- A counter of changes to the companies table, kept by triggers, so that a
-- reader may keep the participants in memory while it stays the same (the
-- dashboards at national scale), whichever process writes (serve, the CLI).
-- A counter, not max(updated_at): two writes within one clock tick, or a
-- clock set back, would leave max(updated_at) unchanged.
CREATE TABLE change_counters (
	name    TEXT PRIMARY KEY,
	changes INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO change_counters (name, changes) VALUES ('companies', 0);

CREATE TRIGGER companies_changed_insert AFTER INSERT ON companies
BEGIN
	UPDATE change_counters SET changes = changes + 1 WHERE name = 'companies';
END;

CREATE TRIGGER companies_changed_update AFTER UPDATE ON companies
BEGIN
	UPDATE change_counters SET changes = changes + 1 WHERE name = 'companies';
END;

CREATE TRIGGER companies_changed_delete AFTER DELETE ON companies
BEGIN
	UPDATE change_counters SET changes = changes + 1 WHERE name = 'companies';
END;
