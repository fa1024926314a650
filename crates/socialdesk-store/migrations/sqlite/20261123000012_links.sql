-- Links in posts: whether a workspace adds UTM tags and uses socialdesk's
-- own short links, and the short links with their click counts. A short
-- link belongs to one post variant, so its clicks are that post's on that
-- account's network.

CREATE TABLE link_settings (
    workspace_id BLOB PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    utm          INTEGER NOT NULL,
    short_links  INTEGER NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE short_links (
    code         TEXT PRIMARY KEY,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    post_id      BLOB NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    variant_id   BLOB NOT NULL,
    target       TEXT NOT NULL,
    clicks       INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL
);
CREATE INDEX short_links_variant_idx ON short_links (variant_id);
