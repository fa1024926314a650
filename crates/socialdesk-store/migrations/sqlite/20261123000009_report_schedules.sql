-- Scheduled reports and the archive of every report that went out. A
-- schedule's next run moves forward in the same transaction that archives
-- the report, so two workers never send the same run twice. The webhook
-- secret is sealed by the application like network credentials.

CREATE TABLE report_schedules (
    id             BLOB PRIMARY KEY,
    workspace_id   BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    cadence        TEXT NOT NULL,
    recipients     TEXT NOT NULL,
    webhook_url    TEXT,
    webhook_secret TEXT,
    next_run_at    TEXT NOT NULL,
    last_run_at    TEXT,
    last_error     TEXT,
    created_by     BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX report_schedules_due_idx ON report_schedules (next_run_at);
CREATE INDEX report_schedules_workspace_idx ON report_schedules (workspace_id, created_at);

CREATE TABLE report_archive (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    schedule_id  BLOB REFERENCES report_schedules (id) ON DELETE SET NULL,
    period       TEXT NOT NULL,
    title        TEXT NOT NULL,
    html         TEXT NOT NULL,
    delivery     TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX report_archive_workspace_idx ON report_archive (workspace_id, created_at);
