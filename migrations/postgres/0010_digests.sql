-- Digests: see migrations/sqlite/0010_digests.sql for the meaning of the
-- columns; the triggers do the same as there, as plpgsql functions.
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

INSERT INTO digest_members (member_id, list_id, cursor_uid, next_due)
SELECT m.id, m.list_id, l.uid_next - 1, 0 FROM members m JOIN lists l ON l.id = m.list_id WHERE m.mode = 'digest';

CREATE FUNCTION members_digest_mode() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.mode = 'digest' AND (TG_OP = 'INSERT' OR OLD.mode <> 'digest') THEN
        INSERT INTO digest_members (member_id, list_id, cursor_uid, next_due)
        VALUES (NEW.id, NEW.list_id, (SELECT uid_next - 1 FROM lists WHERE id = NEW.list_id), 0)
        ON CONFLICT (member_id) DO UPDATE SET
            cursor_uid = CASE WHEN digest_members.final_upto > 0 THEN digest_members.cursor_uid ELSE excluded.cursor_uid END,
            final_upto = 0, next_due = 0;
    ELSIF TG_OP = 'UPDATE' AND OLD.mode = 'digest' AND NEW.mode <> 'digest' THEN
        UPDATE digest_members SET final_upto = (SELECT uid_next - 1 FROM lists WHERE id = NEW.list_id), next_due = 0
        WHERE member_id = NEW.id AND next_due IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER members_digest AFTER INSERT OR UPDATE OF mode ON members
    FOR EACH ROW EXECUTE FUNCTION members_digest_mode();

CREATE FUNCTION member_prefs_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR OLD.digest <> NEW.digest THEN
        UPDATE digest_members SET next_due = 0
        WHERE member_id = NEW.member_id AND next_due IS NOT NULL AND final_upto = 0;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER member_prefs_digest AFTER INSERT OR UPDATE OF digest ON member_prefs
    FOR EACH ROW EXECUTE FUNCTION member_prefs_digest();
