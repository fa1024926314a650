-- Whether a post shows its link's card on the networks that take the card
-- from the poster (Bluesky). On by default; a person may turn it off per post.

ALTER TABLE posts ADD COLUMN link_card BOOLEAN NOT NULL DEFAULT TRUE;
