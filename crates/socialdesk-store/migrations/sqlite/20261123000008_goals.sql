-- Goals: a target for one figure over one period, e.g. +2,000 followers in
-- 2026-Q4. The period is stored as its canonical spec and read in the
-- workspace's time zone; rates are fractions (0.95 is 95%).

CREATE TABLE goals (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    metric       TEXT NOT NULL,
    target       REAL NOT NULL,
    period       TEXT NOT NULL,
    created_by   BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX goals_workspace_idx ON goals (workspace_id, created_at);
