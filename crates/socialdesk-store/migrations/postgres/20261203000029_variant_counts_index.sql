-- The figures of a whole period read only each published variant's account,
-- time and latest counts (Store::published_counts). This index holds all of
-- them, so an index-only scan answers without visiting the table row of every
-- post. Its key is the index it replaces, plus the id the reads order by.
CREATE INDEX post_variants_counts_idx ON post_variants (workspace_id, published_at, id)
    INCLUDE (account_id, impressions, reach, likes, reposts, replies, quotes, saves, clicks, video_views)
    WHERE published_at IS NOT NULL;
DROP INDEX post_variants_published_idx;
