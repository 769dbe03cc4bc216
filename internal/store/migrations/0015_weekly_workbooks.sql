-- The weekly pilot workbooks built by the schedule once a wave has closed
-- (dashboards/report_weekly_schedule.go): one row per week, claimed before
-- its report job is queued, so that a week's workbook is built and mailed
-- once (report_jobs rows go with the retention; these stay).
CREATE TABLE weekly_workbooks (
	week      TEXT PRIMARY KEY,          -- ISO week, 2012-W46
	job_id    INTEGER,                   -- report_jobs.id; NULL until queued
	queued_at DATETIME NOT NULL,
	mail      TEXT NOT NULL DEFAULT '',  -- '' not yet; 'sent N', 'no smtp', or the failure
	mailed_at DATETIME
) WITHOUT ROWID;
