-- What the account's own server allows where it differs from the network's
-- defaults (a Mastodon instance's characters and media), as JSON
-- (core::AccountLimits); NULL: the network's defaults.
ALTER TABLE accounts ADD COLUMN limits TEXT;
