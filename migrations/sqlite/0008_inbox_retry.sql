-- Admin mail whose handler failed for a temporary reason (database busy,
-- lease lost, deadline) is retried with backoff: how often it was tried
-- and when it may be tried next (Unix ms; 0 = at once).
ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbox ADD COLUMN next_attempt BIGINT NOT NULL DEFAULT 0;
