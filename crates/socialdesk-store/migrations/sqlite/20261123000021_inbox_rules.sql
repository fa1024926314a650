-- Moderation rules and what they did. A rule keeps its conditions and
-- actions as the JSON of `core::moderation::{Condition, Action}`; rules run
-- by `position`, lowest first. Every action a rule takes on an item is a row
-- of `inbox_rule_effects` with what it replaced (`previous`, JSON), so that it
-- can be undone; actions on the network (hide, automatic reply) are done by
-- a job and the row says how that went (`state`).
--
-- Items gain a priority (0 low .. 3 urgent), tags (a table, to filter a
-- large inbox by tag through an index) and when they were hidden on the
-- network. Automatic replies are off until a workspace turns them on.

CREATE TABLE inbox_rules (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    enabled      INTEGER NOT NULL,
    stop         INTEGER NOT NULL,
    conditions   TEXT NOT NULL,
    actions      TEXT NOT NULL,
    created_by   BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CONSTRAINT inbox_rules_name_key UNIQUE (workspace_id, name)
);
CREATE INDEX inbox_rules_position_idx ON inbox_rules (workspace_id, position);

CREATE TABLE inbox_rule_effects (
    id           BLOB PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    item_id      BLOB NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    rule_id      BLOB REFERENCES inbox_rules (id) ON DELETE SET NULL,
    rule_name    TEXT NOT NULL,
    action       TEXT NOT NULL,
    previous     TEXT,
    state        TEXT NOT NULL,
    detail       TEXT,
    remote_id    TEXT,
    created_at   TEXT NOT NULL,
    undone_at    TEXT,
    undone_by    BLOB REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX inbox_rule_effects_item_idx ON inbox_rule_effects (item_id, created_at);
CREATE INDEX inbox_rule_effects_recent_idx ON inbox_rule_effects (workspace_id, created_at);

CREATE TABLE inbox_item_tags (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    item_id      BLOB NOT NULL REFERENCES inbox_items (id) ON DELETE CASCADE,
    tag          TEXT NOT NULL,
    PRIMARY KEY (item_id, tag)
);
CREATE INDEX inbox_item_tags_tag_idx ON inbox_item_tags (workspace_id, tag, item_id);

ALTER TABLE inbox_items ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;
ALTER TABLE inbox_items ADD COLUMN hidden_at TEXT;
ALTER TABLE workspaces ADD COLUMN auto_replies INTEGER NOT NULL DEFAULT 0;
