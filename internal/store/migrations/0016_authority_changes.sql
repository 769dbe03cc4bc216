-- A counter of changes to the authorities table, kept by triggers like the
-- companies' (0014), so that the registry may keep the authorities in
-- memory while it stays the same: the volume pages and the overview read
-- all of them on every view (300 at national scale), whichever process
-- writes (serve, the CLI).
INSERT INTO change_counters (name, changes) VALUES ('authorities', 0);

CREATE TRIGGER authorities_changed_insert AFTER INSERT ON authorities
BEGIN
	UPDATE change_counters SET changes = changes + 1 WHERE name = 'authorities';
END;

CREATE TRIGGER authorities_changed_update AFTER UPDATE ON authorities
BEGIN
	UPDATE change_counters SET changes = changes + 1 WHERE name = 'authorities';
END;

CREATE TRIGGER authorities_changed_delete AFTER DELETE ON authorities
BEGIN
	UPDATE change_counters SET changes = changes + 1 WHERE name = 'authorities';
END;
