-- Multi-step approvals. A workspace's steps are kept as the JSON of
-- `core::approval::ApprovalStep` (NULL: the one default step). Each approval
-- is recorded for the post's revision: an edit (a new revision) starts the
-- review again, and so does a new submission (its approvals are cleared;
-- the post's history keeps who approved what).

ALTER TABLE workspaces ADD COLUMN approval_steps TEXT;

CREATE TABLE post_approvals (
    post_id      UUID NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    revision     INTEGER NOT NULL,
    step         INTEGER NOT NULL,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    approved_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (post_id, revision, step, user_id)
);
