-- Answers that wait for approval. A member whose role the workspace lists in
-- `reply_approval` (comma-separated roles: `contributor` by default, and
-- optionally `editor`) proposes an answer: it waits on the item
-- (`reply_draft`, by whom, since when) until someone who may publish sends
-- it, perhaps edited, or turns it down.

ALTER TABLE workspaces ADD COLUMN reply_approval TEXT NOT NULL DEFAULT 'contributor';
ALTER TABLE inbox_items ADD COLUMN reply_draft TEXT;
ALTER TABLE inbox_items ADD COLUMN reply_draft_by UUID REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE inbox_items ADD COLUMN reply_draft_at TIMESTAMPTZ;
CREATE INDEX inbox_items_draft_idx ON inbox_items (workspace_id, reply_draft_at) WHERE reply_draft IS NOT NULL;
