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

-- Digests pause with delivery: ClaimDigests clears the due time of a
-- member who is not enabled; re-enabling makes the digest due again from
-- the list's newest post (what was sent while paused is not owed).
CREATE TRIGGER members_digest_reenable AFTER UPDATE OF status ON members
WHEN OLD.status <> 'enabled' AND NEW.status = 'enabled' AND NEW.mode = 'digest'
BEGIN
    INSERT INTO digest_members (member_id, list_id, cursor_uid, next_due)
    VALUES (NEW.id, NEW.list_id, (SELECT uid_next - 1 FROM lists WHERE id = NEW.list_id), 0)
    ON CONFLICT (member_id) DO UPDATE SET cursor_uid = excluded.cursor_uid, final_upto = 0, next_due = 0;
END;
