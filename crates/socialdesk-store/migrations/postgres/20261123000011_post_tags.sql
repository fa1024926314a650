-- How a post is filed: its campaign, content pillar and labels. Labels are
-- stored as ",a,b," so one label is found with LIKE '%,a,%'.

ALTER TABLE posts ADD COLUMN campaign TEXT;
ALTER TABLE posts ADD COLUMN pillar TEXT;
ALTER TABLE posts ADD COLUMN labels TEXT;
CREATE INDEX posts_campaign_idx ON posts (workspace_id, campaign);
