-- Likes from the app: when the account liked an inbox item on its network
-- (NULL: not liked).

ALTER TABLE inbox_items ADD COLUMN liked_at TIMESTAMPTZ;
