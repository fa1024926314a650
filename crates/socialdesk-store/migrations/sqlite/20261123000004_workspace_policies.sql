-- Crisis mode (one switch pauses every scheduled post of a workspace) and
-- the approval policy of a workspace.

ALTER TABLE workspaces ADD COLUMN crisis_since TEXT;
ALTER TABLE workspaces ADD COLUMN crisis_by BLOB REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE workspaces ADD COLUMN crisis_reason TEXT;
ALTER TABLE workspaces ADD COLUMN approval_required INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workspaces ADD COLUMN self_approval INTEGER NOT NULL DEFAULT 0;

-- Comments on posts, visible to the team; approvals and rejections are
-- recorded here too, with their reason.
CREATE TABLE post_comments (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    post_id      BLOB NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id    BLOB REFERENCES users (id) ON DELETE SET NULL,
    kind         TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX post_comments_post_idx ON post_comments (workspace_id, post_id, created_at);
