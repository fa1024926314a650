-- A workspace's report branding (white label): its colour and logo (an SVG
-- document, checked before it is stored) on every report it makes.

CREATE TABLE report_branding (
    workspace_id UUID PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    color        TEXT NOT NULL,
    logo_svg     TEXT,
    updated_at   TIMESTAMPTZ NOT NULL
);
