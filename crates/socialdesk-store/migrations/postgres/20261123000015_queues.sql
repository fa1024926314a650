-- Posting queues and evergreen posts.
--
-- An account's queue is a set of weekly slots (weekday 0 = Monday, minute of
-- the local day, in the workspace's zone). A post added to the queue is
-- marked `queued`: it holds the slot it was given, and moves when the queue
-- is reordered or resumed. A paused queue holds its posts back.

CREATE TABLE queue_slots (
    account_id   UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    minute       INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    PRIMARY KEY (account_id, weekday, minute)
);

ALTER TABLE accounts ADD COLUMN queue_paused_at TIMESTAMPTZ;
ALTER TABLE posts ADD COLUMN queued BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX posts_queued_idx ON posts (workspace_id, scheduled_at) WHERE queued;

-- An evergreen post comes back every `every_days` days as a new post, until
-- `until_date` (the workspace's local date) or `rounds_left` more times.
-- `next_post_id` is the copy made when this one was published: set once, in
-- the same transaction that makes the copy, so no copy is made twice.
CREATE TABLE evergreen (
    post_id      UUID PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    every_days   INTEGER NOT NULL CHECK (every_days BETWEEN 1 AND 365),
    until_date   DATE,
    rounds_left  INTEGER,
    next_post_id UUID UNIQUE REFERENCES posts (id) ON DELETE SET NULL
);
