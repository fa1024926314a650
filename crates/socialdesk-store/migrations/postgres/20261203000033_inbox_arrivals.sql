-- What arrived in a workspace's inbox after an instant (an open Inbox page
-- announces new messages), read by when socialdesk stored them.
CREATE INDEX inbox_items_fetched_idx ON inbox_items (workspace_id, fetched_at);
