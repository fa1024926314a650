-- The media library: images, GIFs and videos a workspace uploads once and
-- attaches to any number of posts, each with its alt text. The bytes live in
-- the database beside everything else (one backup holds all of it, and every
-- worker process reads them the same way), in a table of their own so that
-- listing the library never reads them. The same file uploaded twice is one
-- item (its SHA-256 is unique in the workspace).

CREATE TABLE media (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    mime         TEXT NOT NULL,
    bytes        BIGINT NOT NULL,
    width        INTEGER,
    height       INTEGER,
    sha256       TEXT NOT NULL,
    alt          TEXT NOT NULL DEFAULT '',
    uploaded_by  UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (workspace_id, sha256)
);
CREATE INDEX media_by_workspace ON media (workspace_id, created_at);

CREATE TABLE media_data (
    media_id UUID PRIMARY KEY REFERENCES media (id) ON DELETE CASCADE,
    data     BYTEA NOT NULL
);

-- Which media go with which part of a post (0: the first part), in order.
-- A file still attached to a post cannot be deleted from the library (the
-- check runs at the end of a statement, so deleting a workspace cascades).
CREATE TABLE post_media (
    post_id  UUID NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    part     INTEGER NOT NULL,
    position INTEGER NOT NULL,
    media_id UUID NOT NULL REFERENCES media (id),
    PRIMARY KEY (post_id, part, position)
);
CREATE INDEX post_media_by_media ON post_media (media_id);
