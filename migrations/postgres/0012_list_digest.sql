-- Owners' digest defaults per list: see migrations/sqlite/0012_list_digest.sql.
CREATE TABLE list_digest (
    list_id   BIGINT PRIMARY KEY REFERENCES lists(id) ON DELETE CASCADE,
    hour      INTEGER NOT NULL DEFAULT 7,
    weekday   INTEGER NOT NULL DEFAULT 1,
    max_posts INTEGER NOT NULL DEFAULT 0,
    max_bytes BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX digest_members_list_sent ON digest_members (list_id, last_sent);

CREATE OR REPLACE FUNCTION members_digest_mode() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.mode = 'digest' AND (TG_OP = 'INSERT' OR OLD.mode <> 'digest') THEN
        INSERT INTO digest_members (member_id, list_id, cursor_uid, next_due, hour, weekday)
        VALUES (NEW.id, NEW.list_id, (SELECT uid_next - 1 FROM lists WHERE id = NEW.list_id), 0,
            COALESCE((SELECT hour FROM list_digest WHERE list_id = NEW.list_id), 7),
            COALESCE((SELECT weekday FROM list_digest WHERE list_id = NEW.list_id), 1))
        ON CONFLICT (member_id) DO UPDATE SET
            cursor_uid = CASE WHEN digest_members.final_upto > 0 THEN digest_members.cursor_uid ELSE excluded.cursor_uid END,
            final_upto = 0, next_due = 0;
    ELSIF TG_OP = 'UPDATE' AND OLD.mode = 'digest' AND NEW.mode <> 'digest' THEN
        UPDATE digest_members SET final_upto = (SELECT uid_next - 1 FROM lists WHERE id = NEW.list_id), next_due = 0
        WHERE member_id = NEW.id AND next_due IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
