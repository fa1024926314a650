-- Analytics: metrics are snapshots, never overwritten. Each published
-- variant is polled on a schedule that starts dense and thins out (see
-- socialdesk-app's analytics module); every poll is kept with its time so
-- any period can be reported and growth plotted. The latest poll is also
-- copied onto the variant so that period overviews read one row per post.
-- A NULL count means the network does not report it, never zero.

ALTER TABLE post_variants ADD COLUMN metrics_due_at TIMESTAMPTZ;
ALTER TABLE post_variants ADD COLUMN metrics_polls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE post_variants ADD COLUMN metrics_at TIMESTAMPTZ;
ALTER TABLE post_variants ADD COLUMN impressions BIGINT;
ALTER TABLE post_variants ADD COLUMN reach BIGINT;
ALTER TABLE post_variants ADD COLUMN likes BIGINT;
ALTER TABLE post_variants ADD COLUMN reposts BIGINT;
ALTER TABLE post_variants ADD COLUMN replies BIGINT;
ALTER TABLE post_variants ADD COLUMN quotes BIGINT;
ALTER TABLE post_variants ADD COLUMN saves BIGINT;
ALTER TABLE post_variants ADD COLUMN clicks BIGINT;
ALTER TABLE post_variants ADD COLUMN video_views BIGINT;
CREATE INDEX post_variants_metrics_due_idx ON post_variants (metrics_due_at) WHERE metrics_due_at IS NOT NULL;
CREATE INDEX post_variants_published_idx ON post_variants (workspace_id, published_at) WHERE published_at IS NOT NULL;

CREATE TABLE post_metric_snapshots (
    variant_id   UUID NOT NULL REFERENCES post_variants (id) ON DELETE CASCADE,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    taken_at     TIMESTAMPTZ NOT NULL,
    impressions  BIGINT,
    reach        BIGINT,
    likes        BIGINT,
    reposts      BIGINT,
    replies      BIGINT,
    quotes       BIGINT,
    saves        BIGINT,
    clicks       BIGINT,
    video_views  BIGINT,
    PRIMARY KEY (variant_id, taken_at)
);

CREATE TABLE account_metric_snapshots (
    account_id   UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    taken_at     TIMESTAMPTZ NOT NULL,
    followers    BIGINT,
    following    BIGINT,
    posts        BIGINT,
    PRIMARY KEY (account_id, taken_at)
);
CREATE INDEX account_metric_snapshots_workspace_idx ON account_metric_snapshots (workspace_id, taken_at);
