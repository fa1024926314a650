-- SQLite: UUIDs are 16-byte BLOBs and timestamps RFC 3339 TEXT in UTC (+00:00),
-- which sort in time order. Foreign keys are enforced (PRAGMA foreign_keys = ON).
-- Foundation: people, workspaces, memberships, sessions, invites, API tokens,
-- login attempts, durable jobs, workers and the audit log.
-- Ids are UUIDv7 made by the application. Timestamps are UTC instants.

CREATE TABLE users (
    id            BLOB PRIMARY KEY,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE workspaces (
    id          BLOB PRIMARY KEY,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CONSTRAINT workspaces_slug_key UNIQUE (slug)
);

CREATE TABLE memberships (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE sessions (
    id           BLOB PRIMARY KEY,
    token_hash   TEXT NOT NULL,
    user_id      BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    user_agent   TEXT NOT NULL,
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE invites (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL,
    email        TEXT,
    role         TEXT NOT NULL,
    invited_by   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    accepted_at  TEXT,
    accepted_by  BLOB REFERENCES users (id) ON DELETE SET NULL,
    revoked_at   TEXT,
    CONSTRAINT invites_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX invites_workspace_idx ON invites (workspace_id, created_at);

CREATE TABLE api_tokens (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    token_hash   TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    created_by   BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    expires_at   TEXT,
    revoked_at   TEXT,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_workspace_idx ON api_tokens (workspace_id, created_at);

CREATE TABLE login_attempts (
    id        BLOB PRIMARY KEY,
    email     TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    at        TEXT NOT NULL,
    succeeded INTEGER NOT NULL
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (client_ip, at);

CREATE TABLE jobs (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB REFERENCES workspaces (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    dedupe_key   TEXT,
    run_at       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    lease_until  TEXT,
    locked_by    TEXT,
    last_error   TEXT,
    failed_at    TEXT,
    created_at   TEXT NOT NULL,
    CONSTRAINT jobs_dedupe_key_key UNIQUE (dedupe_key)
);
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE lease_until IS NULL AND failed_at IS NULL;
CREATE INDEX jobs_lease_idx ON jobs (lease_until) WHERE lease_until IS NOT NULL;

CREATE TABLE workers (
    id            TEXT PRIMARY KEY,
    started_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    last_claim_at TEXT
);

CREATE TABLE audit_log (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    actor_user   BLOB REFERENCES users (id) ON DELETE SET NULL,
    actor_token  BLOB REFERENCES api_tokens (id) ON DELETE SET NULL,
    action       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    detail       TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX audit_log_workspace_idx ON audit_log (workspace_id, at);
