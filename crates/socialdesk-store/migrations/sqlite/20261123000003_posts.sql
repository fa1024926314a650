-- Posts and their variants: one variant per account a post goes to. The
-- post carries the workflow state; each variant its own delivery, with the
-- network's id saved the moment it is known.

CREATE TABLE posts (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    author_id    BLOB REFERENCES users (id) ON DELETE SET NULL,
    text         TEXT NOT NULL,
    state        TEXT NOT NULL,
    scheduled_at TEXT,
    time_zone    TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX posts_calendar_idx ON posts (workspace_id, scheduled_at);
CREATE INDEX posts_recent_idx ON posts (workspace_id, created_at);

CREATE TABLE post_variants (
    id              BLOB PRIMARY KEY,
    post_id         BLOB NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    workspace_id    BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    account_id      BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    text            TEXT NOT NULL,
    delivery        TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    remote_id       TEXT,
    remote_url      TEXT,
    published_at    TEXT,
    error           TEXT,
    last_attempt_at TEXT,
    CONSTRAINT post_variants_account_key UNIQUE (post_id, account_id)
);
CREATE INDEX post_variants_workspace_idx ON post_variants (workspace_id, post_id);
