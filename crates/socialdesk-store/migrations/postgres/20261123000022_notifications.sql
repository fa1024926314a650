-- Notifications: what a member should know about without looking. One row
-- per person and event: an inbox item assigned to them, a negative item
-- tagged VIP, an item waiting longer than the workspace's response target.
-- `item_id` links to the item; `read_at` is set when they have seen it.
-- Each item raises its "waiting too long" notifications once
-- (`inbox_items.overdue_notified_at`).

CREATE TABLE notifications (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    item_id      UUID REFERENCES inbox_items (id) ON DELETE CASCADE,
    message      TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    read_at      TIMESTAMPTZ
);
CREATE INDEX notifications_user_idx ON notifications (user_id, workspace_id, created_at);
CREATE INDEX notifications_unread_idx ON notifications (user_id, workspace_id) WHERE read_at IS NULL;

ALTER TABLE workspaces ADD COLUMN response_target_minutes INTEGER;
ALTER TABLE inbox_items ADD COLUMN overdue_notified_at TIMESTAMPTZ;
CREATE INDEX inbox_items_waiting_idx ON inbox_items (workspace_id, status, created_at) WHERE overdue_notified_at IS NULL;
