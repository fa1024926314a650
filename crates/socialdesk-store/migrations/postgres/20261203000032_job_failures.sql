-- Runs of a job that ended in a failure worth retrying. `attempts` counts
-- claims, including those a crashed worker never finished; a job gives up
-- after max_attempts failures (or many more claims: one that crashes every
-- worker that runs it), so workers killed mid-run do not use up its tries.
ALTER TABLE jobs ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
