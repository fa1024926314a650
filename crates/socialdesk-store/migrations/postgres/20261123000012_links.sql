-- Links in posts: whether a workspace adds UTM tags and uses socialdesk's
-- own short links, and the short links with their click counts. A short
-- link belongs to one post variant, so its clicks are that post's on that
-- account's network.

CREATE TABLE link_settings (
    workspace_id UUID PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    utm          BOOLEAN NOT NULL,
    short_links  BOOLEAN NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE short_links (
    code         TEXT PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    post_id      UUID NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    variant_id   UUID NOT NULL,
    target       TEXT NOT NULL,
    clicks       BIGINT NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX short_links_variant_idx ON short_links (variant_id);
