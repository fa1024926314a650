-- Working the inbox: saved replies (with variables such as {first_name})
-- and internal notes on items, which only the team sees.

CREATE TABLE saved_replies (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_by   UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT saved_replies_name_key UNIQUE (workspace_id, name)
);

CREATE TABLE inbox_notes (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    item_id      UUID NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    author_id    UUID REFERENCES users (id) ON DELETE SET NULL,
    body         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX inbox_notes_item_idx ON inbox_notes (item_id, created_at);
