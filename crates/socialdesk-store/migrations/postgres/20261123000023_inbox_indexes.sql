-- Indexes the inbox's figures need once it holds a million items: the
-- questions of a period (response rate, first response time) and the answers
-- sent in a period (per teammate) were full scans, 1.5 s each on SQLite.

CREATE INDEX inbox_items_category_idx ON inbox_items (workspace_id, category, created_at);
CREATE INDEX inbox_items_replied_idx ON inbox_items (workspace_id, replied_at) WHERE replied_at IS NOT NULL;
