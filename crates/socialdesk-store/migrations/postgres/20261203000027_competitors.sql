-- Competitors: other accounts a workspace benchmarks against, read through
-- the connectors (public counts only). Each check keeps a snapshot of the
-- profile's counts and the latest counts of the account's recent posts.

CREATE TABLE competitors (
    id            UUID PRIMARY KEY,
    workspace_id  UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    network       TEXT NOT NULL,
    -- As the network writes it: @globex@mastodon.social, @globex.bsky.social.
    handle        TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    url           TEXT,
    added_by      UUID REFERENCES users (id) ON DELETE SET NULL,
    added_at      TIMESTAMPTZ NOT NULL,
    checked_at    TIMESTAMPTZ,
    -- Why the last check failed (NULL once one succeeds).
    last_error    TEXT,
    UNIQUE (workspace_id, network, external_id)
);
CREATE INDEX competitors_checked_idx ON competitors (checked_at);

CREATE TABLE competitor_snapshots (
    competitor_id UUID NOT NULL REFERENCES competitors (id) ON DELETE CASCADE,
    taken_at      TIMESTAMPTZ NOT NULL,
    followers     BIGINT,
    following     BIGINT,
    posts         BIGINT,
    PRIMARY KEY (competitor_id, taken_at)
);

CREATE TABLE competitor_posts (
    competitor_id UUID NOT NULL REFERENCES competitors (id) ON DELETE CASCADE,
    remote_id     TEXT NOT NULL,
    url           TEXT,
    published_at  TIMESTAMPTZ NOT NULL,
    text          TEXT NOT NULL,
    likes         BIGINT,
    reposts       BIGINT,
    replies       BIGINT,
    quotes        BIGINT,
    -- When these counts were read.
    measured_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (competitor_id, remote_id)
);
CREATE INDEX competitor_posts_published_idx ON competitor_posts (competitor_id, published_at);
