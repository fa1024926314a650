-- Posts and their variants: one variant per account a post goes to. The
-- post carries the workflow state; each variant its own delivery, with the
-- network's id saved the moment it is known.

CREATE TABLE posts (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    author_id    UUID REFERENCES users (id) ON DELETE SET NULL,
    text         TEXT NOT NULL,
    state        TEXT NOT NULL,
    scheduled_at TIMESTAMPTZ,
    time_zone    TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX posts_calendar_idx ON posts (workspace_id, scheduled_at);
CREATE INDEX posts_recent_idx ON posts (workspace_id, created_at);

CREATE TABLE post_variants (
    id              UUID PRIMARY KEY,
    post_id         UUID NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    workspace_id    UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    account_id      UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    text            TEXT NOT NULL,
    delivery        TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    remote_id       TEXT,
    remote_url      TEXT,
    published_at    TIMESTAMPTZ,
    error           TEXT,
    last_attempt_at TIMESTAMPTZ,
    CONSTRAINT post_variants_account_key UNIQUE (post_id, account_id)
);
CREATE INDEX post_variants_workspace_idx ON post_variants (workspace_id, post_id);
