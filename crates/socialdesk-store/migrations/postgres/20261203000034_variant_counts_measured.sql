-- The overview reads its month from this index alone (Store::published_counts):
-- besides each variant's account, time and latest counts, it now needs when
-- the variant was last measured (a network that never reports a metric is
-- named as such), so that column joins the index it replaces.
DROP INDEX post_variants_counts_idx;
CREATE INDEX post_variants_counts_idx ON post_variants (workspace_id, published_at, id)
    INCLUDE (account_id, metrics_at, impressions, reach, likes, reposts, replies, quotes, saves, clicks, video_views)
    WHERE published_at IS NOT NULL;
