-- Threads and first comments. A post's text is its first part; `thread`
-- holds the parts after it (a JSON array of strings, NULL when there are
-- none), for the post as written and for each account's variant, which may
-- be edited apart. The first comment goes under the first part, on networks
-- that take one.

ALTER TABLE posts ADD COLUMN thread TEXT;
ALTER TABLE posts ADD COLUMN first_comment TEXT;
ALTER TABLE post_variants ADD COLUMN thread TEXT;
