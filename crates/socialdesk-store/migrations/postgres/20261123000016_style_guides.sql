-- A workspace's style guide (banned words, required words per campaign, a
-- hashtag limit, its own disclosures), kept as the text people wrote and
-- read back with `core::guide::StyleGuide::parse`; and posts marked
-- sponsored, which must carry a disclosure.

CREATE TABLE style_guides (
    workspace_id UUID PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    banned       TEXT NOT NULL,
    required     TEXT NOT NULL,
    max_hashtags INTEGER,
    disclosures  TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

ALTER TABLE posts ADD COLUMN sponsored BOOLEAN NOT NULL DEFAULT FALSE;
