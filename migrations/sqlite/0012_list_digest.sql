-- Owners' digest defaults per list: the hour and weekday a new digest
-- member starts with, and the size of a digest part (0: the server's
-- default, 40 posts or 1 MB). No row: all defaults.
CREATE TABLE list_digest (
    list_id   BIGINT PRIMARY KEY REFERENCES lists(id) ON DELETE CASCADE,
    hour      INTEGER NOT NULL DEFAULT 7,
    weekday   INTEGER NOT NULL DEFAULT 1,
    max_posts INTEGER NOT NULL DEFAULT 0,
    max_bytes BIGINT NOT NULL DEFAULT 0
);

-- "When digests last went out" per list, without scanning every member.
CREATE INDEX digest_members_list_sent ON digest_members (list_id, last_sent);

-- Entering digest mode takes the list's default hour and weekday (a
-- member's own earlier choice, kept in their row, wins).
DROP TRIGGER members_digest_insert;
CREATE TRIGGER members_digest_insert AFTER INSERT ON members WHEN NEW.mode = 'digest'
BEGIN
    INSERT INTO digest_members (member_id, list_id, cursor_uid, next_due, hour, weekday)
    VALUES (NEW.id, NEW.list_id, (SELECT uid_next - 1 FROM lists WHERE id = NEW.list_id), 0,
        COALESCE((SELECT hour FROM list_digest WHERE list_id = NEW.list_id), 7),
        COALESCE((SELECT weekday FROM list_digest WHERE list_id = NEW.list_id), 1))
    ON CONFLICT (member_id) DO UPDATE SET cursor_uid = excluded.cursor_uid, final_upto = 0, next_due = 0;
END;

DROP TRIGGER members_digest_enter;
CREATE TRIGGER members_digest_enter AFTER UPDATE OF mode ON members
WHEN OLD.mode <> 'digest' AND NEW.mode = 'digest'
BEGIN
    INSERT INTO digest_members (member_id, list_id, cursor_uid, next_due, hour, weekday)
    VALUES (NEW.id, NEW.list_id, (SELECT uid_next - 1 FROM lists WHERE id = NEW.list_id), 0,
        COALESCE((SELECT hour FROM list_digest WHERE list_id = NEW.list_id), 7),
        COALESCE((SELECT weekday FROM list_digest WHERE list_id = NEW.list_id), 1))
    ON CONFLICT (member_id) DO UPDATE SET
        cursor_uid = CASE WHEN digest_members.final_upto > 0 THEN digest_members.cursor_uid ELSE excluded.cursor_uid END,
        final_upto = 0, next_due = 0;
END;
