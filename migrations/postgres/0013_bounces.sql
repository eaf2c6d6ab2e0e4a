-- Bounces: one row per member, class and UTC day (so at most one of each
-- class counts per day); rows older than the scoring window are deleted.
-- members.bounce_score is the sum over a member's rows.
CREATE TABLE bounce_events (
    member_id  BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    class      TEXT NOT NULL,
    day        BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    message_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (member_id, class, day)
);
CREATE INDEX bounce_events_at ON bounce_events (at);
