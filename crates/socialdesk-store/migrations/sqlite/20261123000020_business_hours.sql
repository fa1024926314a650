-- A workspace's business hours, as written (`mon-fri 09:00-17:30`), read
-- back with `core::hours::BusinessHours::parse`; NULL: none. First response
-- times are also given counting only these hours.

ALTER TABLE workspaces ADD COLUMN business_hours TEXT;
