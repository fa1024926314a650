-- Listening data: the public posts a workspace's queries matched, which
-- queries matched them, per-minute counts per query (what charts and spike
-- detection read), where each source has got to, and the alerts raised.
--
-- A batch of mentions, their matches, the minute counts and the source's
-- cursor are written in one transaction, and a mention is counted only when
-- its row is new: a batch read twice after a crash counts once.

ALTER TABLE listening_queries ADD COLUMN role TEXT NOT NULL DEFAULT 'topic';
ALTER TABLE listening_queries ADD COLUMN alerts_checked_until TIMESTAMPTZ;

CREATE TABLE mentions (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    network      TEXT NOT NULL,
    remote_id    TEXT NOT NULL,
    source       TEXT NOT NULL,
    author       TEXT NOT NULL,
    text         TEXT NOT NULL,
    url          TEXT,
    lang         TEXT,
    sentiment    REAL NOT NULL,
    sentiment_label TEXT NOT NULL,
    posted_at    TIMESTAMPTZ NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT mentions_remote_key UNIQUE (workspace_id, network, remote_id)
);
CREATE INDEX mentions_workspace_time_idx ON mentions (workspace_id, posted_at);

CREATE TABLE mention_matches (
    query_id     UUID NOT NULL REFERENCES listening_queries (id) ON DELETE CASCADE,
    mention_id   UUID NOT NULL REFERENCES mentions (id) ON DELETE CASCADE,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    posted_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (query_id, mention_id)
);
CREATE INDEX mention_matches_time_idx ON mention_matches (query_id, posted_at);
CREATE INDEX mention_matches_mention_idx ON mention_matches (mention_id);

CREATE TABLE listening_minutes (
    query_id      UUID NOT NULL REFERENCES listening_queries (id) ON DELETE CASCADE,
    minute        TIMESTAMPTZ NOT NULL,
    workspace_id  UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    volume        BIGINT NOT NULL,
    positive      BIGINT NOT NULL,
    negative      BIGINT NOT NULL,
    sentiment_sum DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (query_id, minute)
);

CREATE TABLE listening_sources (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    cursor       TEXT,
    read         BIGINT NOT NULL DEFAULT 0,
    matched      BIGINT NOT NULL DEFAULT 0,
    skipped      BIGINT NOT NULL DEFAULT 0,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

CREATE TABLE listening_alerts (
    id              UUID PRIMARY KEY,
    workspace_id    UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    query_id        UUID NOT NULL REFERENCES listening_queries (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    severity        TEXT NOT NULL,
    window_start    TIMESTAMPTZ NOT NULL,
    window_end      TIMESTAMPTZ NOT NULL,
    volume          BIGINT NOT NULL,
    negative        BIGINT NOT NULL,
    baseline        DOUBLE PRECISION NOT NULL,
    observed        DOUBLE PRECISION NOT NULL,
    score           DOUBLE PRECISION NOT NULL,
    details         TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    delivery        TEXT,
    acknowledged_by UUID REFERENCES users (id) ON DELETE SET NULL,
    acknowledged_at TIMESTAMPTZ,
    CONSTRAINT listening_alerts_window_key UNIQUE (query_id, kind, window_end)
);
CREATE INDEX listening_alerts_workspace_idx ON listening_alerts (workspace_id, window_end);

CREATE TABLE listening_alert_settings (
    workspace_id   UUID PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    recipients     TEXT NOT NULL,
    webhook_url    TEXT,
    webhook_secret TEXT,
    min_severity   TEXT NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
