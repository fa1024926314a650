-- The figures of a whole period read only each published variant's account,
-- time and latest counts (Store::published_counts). This index holds all of
-- them, so SQLite answers from the index alone instead of visiting the table
-- row of every post. It starts with the columns of the index it replaces.
CREATE INDEX post_variants_counts_idx ON post_variants
    (workspace_id, published_at, id, account_id, impressions, reach, likes, reposts, replies, quotes, saves, clicks, video_views)
    WHERE published_at IS NOT NULL;
DROP INDEX post_variants_published_idx;
