-- The unified inbox: replies, mentions, quotes and direct messages of every
-- connected account. An item is stored once per account (its network id is
-- unique there); the sync cursor of an account advances in the same
-- transaction as the items it covers, so a crash loses nothing.

CREATE TABLE inbox_items (
    id                 UUID PRIMARY KEY,
    workspace_id       UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    account_id         UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    remote_id          TEXT NOT NULL,
    remote_url         TEXT,
    remote_cid         TEXT,
    parent_remote_id   TEXT,
    kind               TEXT NOT NULL,
    author_external_id TEXT NOT NULL,
    author_handle      TEXT NOT NULL,
    author_name        TEXT NOT NULL,
    author_followers   BIGINT,
    text               TEXT NOT NULL,
    language           TEXT,
    sentiment          DOUBLE PRECISION,
    category           TEXT,
    status             TEXT NOT NULL,
    assignee_id        UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    fetched_at         TIMESTAMPTZ NOT NULL,
    replied_at         TIMESTAMPTZ,
    replied_by         UUID REFERENCES users (id) ON DELETE SET NULL,
    reply_text         TEXT,
    reply_remote_id    TEXT,
    CONSTRAINT inbox_items_remote_key UNIQUE (account_id, remote_id)
);
CREATE INDEX inbox_items_status_idx ON inbox_items (workspace_id, status, created_at);
CREATE INDEX inbox_items_assignee_idx ON inbox_items (workspace_id, assignee_id, status);

ALTER TABLE accounts ADD COLUMN inbox_cursor TEXT;
ALTER TABLE accounts ADD COLUMN inbox_synced_at TIMESTAMPTZ;
