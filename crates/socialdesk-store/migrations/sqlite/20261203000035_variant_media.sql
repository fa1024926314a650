-- An account's version of a post may show media of its own instead of the
-- post's (a square image for Instagram, a wide one for Bluesky, none for a
-- text-only network). own_media says the variant has its own, even none;
-- variant_media lists them per part (0: the first part), in order. As with
-- post_media, a file a variant still shows cannot leave the library.
ALTER TABLE post_variants ADD COLUMN own_media BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE variant_media (
    variant_id BLOB NOT NULL REFERENCES post_variants (id) ON DELETE CASCADE,
    part       INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    media_id   BLOB NOT NULL REFERENCES media (id),
    PRIMARY KEY (variant_id, part, position)
);
CREATE INDEX variant_media_by_media ON variant_media (media_id);
