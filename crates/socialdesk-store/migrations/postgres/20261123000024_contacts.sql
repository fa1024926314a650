-- Contacts: the people behind inbox items, one row per person across
-- networks. `contact_handles` are the handles the team linked to the person,
-- as items carry them (lowercase, with the leading `@`); a handle belongs to
-- at most one contact per workspace. A contact's history is every inbox item
-- from one of its handles, found through `inbox_items_author_idx`.

CREATE TABLE contacts (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    created_by   UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX contacts_workspace_idx ON contacts (workspace_id, updated_at);

CREATE TABLE contact_handles (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    contact_id   UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    network      TEXT NOT NULL,
    handle       TEXT NOT NULL,
    external_id  TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT contact_handles_key UNIQUE (workspace_id, handle, network)
);
CREATE INDEX contact_handles_contact_idx ON contact_handles (contact_id);

CREATE TABLE contact_tags (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    contact_id   UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    tag          TEXT NOT NULL,
    position     INTEGER NOT NULL,
    PRIMARY KEY (contact_id, tag)
);
CREATE INDEX contact_tags_tag_idx ON contact_tags (workspace_id, tag);

CREATE TABLE contact_notes (
    id           UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    contact_id   UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    author_id    UUID REFERENCES users (id) ON DELETE SET NULL,
    body         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX contact_notes_contact_idx ON contact_notes (contact_id, created_at);

CREATE INDEX inbox_items_author_idx ON inbox_items (workspace_id, author_handle, created_at);
