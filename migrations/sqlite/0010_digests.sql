-- Digests: one row per membership that is or was in digest mode, or that
-- chose a digest schedule. next_due is NULL while the member is not in
-- digest mode, 0 when the digest engine must (re)compute it, else the
-- due time in ms. cursor_uid is the last archive UID the member had;
-- final_upto > 0 means the member left digest mode and gets one last
-- digest up to that UID. owner/lease_until lease a claimed row.
CREATE TABLE digest_members (
    member_id   BIGINT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    list_id     BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    hour        INTEGER NOT NULL DEFAULT 7,
    weekday     INTEGER NOT NULL DEFAULT 1,
    tz          TEXT NOT NULL DEFAULT 'Europe/London',
    format      TEXT NOT NULL DEFAULT '',
    cursor_uid  BIGINT NOT NULL DEFAULT 0,
    final_upto  BIGINT NOT NULL DEFAULT 0,
    next_due    BIGINT,
    last_sent   BIGINT NOT NULL DEFAULT 0,
    owner       TEXT NOT NULL DEFAULT '',
    lease_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX digest_members_due ON digest_members (next_due) WHERE next_due IS NOT NULL;

-- Members already in digest mode start from now.
INSERT INTO digest_members (member_id, list_id, cursor_uid, next_due)
SELECT m.id, m.list_id, l.uid_next - 1, 0 FROM members m JOIN lists l ON l.id = m.list_id WHERE m.mode = 'digest';

-- Every way members.mode changes (web, mail command, import, holiday end)
-- moves the digest state in the same transaction: entering digest mode
-- starts from the list's last UID (or keeps a pending last digest's
-- cursor); leaving it asks for one last digest.
CREATE TRIGGER members_digest_insert AFTER INSERT ON members WHEN NEW.mode = 'digest'
BEGIN
    INSERT INTO digest_members (member_id, list_id, cursor_uid, next_due)
    VALUES (NEW.id, NEW.list_id, (SELECT uid_next - 1 FROM lists WHERE id = NEW.list_id), 0)
    ON CONFLICT (member_id) DO UPDATE SET cursor_uid = excluded.cursor_uid, final_upto = 0, next_due = 0;
END;

CREATE TRIGGER members_digest_enter AFTER UPDATE OF mode ON members
WHEN OLD.mode <> 'digest' AND NEW.mode = 'digest'
BEGIN
    INSERT INTO digest_members (member_id, list_id, cursor_uid, next_due)
    VALUES (NEW.id, NEW.list_id, (SELECT uid_next - 1 FROM lists WHERE id = NEW.list_id), 0)
    ON CONFLICT (member_id) DO UPDATE SET
        cursor_uid = CASE WHEN digest_members.final_upto > 0 THEN digest_members.cursor_uid ELSE excluded.cursor_uid END,
        final_upto = 0, next_due = 0;
END;

CREATE TRIGGER members_digest_leave AFTER UPDATE OF mode ON members
WHEN OLD.mode = 'digest' AND NEW.mode <> 'digest'
BEGIN
    UPDATE digest_members SET final_upto = (SELECT uid_next - 1 FROM lists WHERE id = NEW.list_id), next_due = 0
    WHERE member_id = NEW.id AND next_due IS NOT NULL;
END;

-- A new period (daily/weekly) is rescheduled by the engine.
CREATE TRIGGER member_prefs_digest_insert AFTER INSERT ON member_prefs
BEGIN
    UPDATE digest_members SET next_due = 0 WHERE member_id = NEW.member_id AND next_due IS NOT NULL AND final_upto = 0;
END;

CREATE TRIGGER member_prefs_digest_update AFTER UPDATE OF digest ON member_prefs
WHEN OLD.digest <> NEW.digest
BEGIN
    UPDATE digest_members SET next_due = 0 WHERE member_id = NEW.member_id AND next_due IS NOT NULL AND final_upto = 0;
END;
