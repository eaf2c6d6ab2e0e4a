-- See migrations/sqlite/0022_digest_jobs.sql: digest parts are queued
-- like fan-out chunks, one row per part and batch of members.
CREATE TABLE digest_jobs (
    id          BIGSERIAL PRIMARY KEY,
    list_id     BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    body_id     BIGINT NOT NULL REFERENCES mail_bodies(id),
    part        INTEGER NOT NULL,
    first_uid   BIGINT NOT NULL,
    last_uid    BIGINT NOT NULL,
    last_msg_id BIGINT NOT NULL,
    members     TEXT NOT NULL,
    sent_upto   BIGINT NOT NULL DEFAULT 0,
    owner       TEXT NOT NULL DEFAULT '',
    lease_until BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
CREATE INDEX digest_jobs_due ON digest_jobs (lease_until, id);
CREATE INDEX digest_jobs_body ON digest_jobs (body_id);

-- A digest claim writes only the lease (owner, lease_until: in no
-- index): with room left on each page PostgreSQL updates the row in
-- place (HOT) instead of adding an entry to every index. Rows written
-- from now on get the room.
ALTER TABLE digest_members SET (fillfactor = 50);
