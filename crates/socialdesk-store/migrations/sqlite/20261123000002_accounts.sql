-- Connected social accounts. Credentials are sealed by the application
-- (XChaCha20-Poly1305 under the instance key) and empty once disconnected;
-- the row stays so that history keeps its account.

CREATE TABLE accounts (
    id              BLOB PRIMARY KEY,
    workspace_id    BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    network         TEXT NOT NULL,
    external_id     TEXT NOT NULL,
    handle          TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    url             TEXT,
    avatar_url      TEXT,
    followers       INTEGER,
    credentials     TEXT NOT NULL,
    expires_at      TEXT,
    status          TEXT NOT NULL,
    status_detail   TEXT,
    time_zone       TEXT,
    connected_by    BLOB REFERENCES users (id) ON DELETE SET NULL,
    connected_at    TEXT NOT NULL,
    checked_at      TEXT,
    disconnected_at TEXT,
    CONSTRAINT accounts_external_key UNIQUE (workspace_id, network, external_id)
);
CREATE INDEX accounts_workspace_idx ON accounts (workspace_id, network, handle);
