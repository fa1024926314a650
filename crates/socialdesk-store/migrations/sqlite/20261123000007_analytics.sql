-- Analytics: metrics are snapshots, never overwritten. Each published
-- variant is polled on a schedule that starts dense and thins out (see
-- socialdesk-app's analytics module); every poll is kept with its time so
-- any period can be reported and growth plotted. The latest poll is also
-- copied onto the variant so that period overviews read one row per post.
-- A NULL count means the network does not report it, never zero.

ALTER TABLE post_variants ADD COLUMN metrics_due_at TEXT;
ALTER TABLE post_variants ADD COLUMN metrics_polls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE post_variants ADD COLUMN metrics_at TEXT;
ALTER TABLE post_variants ADD COLUMN impressions INTEGER;
ALTER TABLE post_variants ADD COLUMN reach INTEGER;
ALTER TABLE post_variants ADD COLUMN likes INTEGER;
ALTER TABLE post_variants ADD COLUMN reposts INTEGER;
ALTER TABLE post_variants ADD COLUMN replies INTEGER;
ALTER TABLE post_variants ADD COLUMN quotes INTEGER;
ALTER TABLE post_variants ADD COLUMN saves INTEGER;
ALTER TABLE post_variants ADD COLUMN clicks INTEGER;
ALTER TABLE post_variants ADD COLUMN video_views INTEGER;
CREATE INDEX post_variants_metrics_due_idx ON post_variants (metrics_due_at) WHERE metrics_due_at IS NOT NULL;
CREATE INDEX post_variants_published_idx ON post_variants (workspace_id, published_at) WHERE published_at IS NOT NULL;

CREATE TABLE post_metric_snapshots (
    variant_id   BLOB NOT NULL REFERENCES post_variants (id) ON DELETE CASCADE,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    taken_at     TEXT NOT NULL,
    impressions  INTEGER,
    reach        INTEGER,
    likes        INTEGER,
    reposts      INTEGER,
    replies      INTEGER,
    quotes       INTEGER,
    saves        INTEGER,
    clicks       INTEGER,
    video_views  INTEGER,
    PRIMARY KEY (variant_id, taken_at)
) WITHOUT ROWID;

CREATE TABLE account_metric_snapshots (
    account_id   BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    taken_at     TEXT NOT NULL,
    followers    INTEGER,
    following    INTEGER,
    posts        INTEGER,
    PRIMARY KEY (account_id, taken_at)
) WITHOUT ROWID;
CREATE INDEX account_metric_snapshots_workspace_idx ON account_metric_snapshots (workspace_id, taken_at);
