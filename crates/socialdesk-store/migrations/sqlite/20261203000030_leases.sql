-- A lease names the one process that does what only one process may do at
-- a time: holding the live inbox streams open (one connection per account,
-- whatever the number of workers). The holder renews it; when it stops
-- renewing (stopped, crashed), another process takes over once it expires.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- Since when the lease's holder has the account's live inbox stream open
-- (NULL: not open; its messages come with the periodic sync).
ALTER TABLE accounts ADD COLUMN inbox_live_since TEXT;
