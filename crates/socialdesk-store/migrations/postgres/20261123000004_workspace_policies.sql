-- Crisis mode (one switch pauses every scheduled post of a workspace) and
-- the approval policy of a workspace.

ALTER TABLE workspaces ADD COLUMN crisis_since TIMESTAMPTZ;
ALTER TABLE workspaces ADD COLUMN crisis_by UUID REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE workspaces ADD COLUMN crisis_reason TEXT;
ALTER TABLE workspaces ADD COLUMN approval_required BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE workspaces ADD COLUMN self_approval BOOLEAN NOT NULL DEFAULT FALSE;

-- Comments on posts, visible to the team; approvals and rejections are
-- recorded here too, with their reason.
CREATE TABLE post_comments (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    post_id      UUID NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id    UUID REFERENCES users (id) ON DELETE SET NULL,
    kind         TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX post_comments_post_idx ON post_comments (workspace_id, post_id, created_at);
