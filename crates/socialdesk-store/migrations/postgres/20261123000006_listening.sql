-- Listening queries: what a workspace follows (its brand, competitors, topics).
-- Only queries that parse are ever stored.

CREATE TABLE listening_queries (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    query        TEXT NOT NULL,
    created_by   UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT listening_queries_name_key UNIQUE (workspace_id, name)
);
