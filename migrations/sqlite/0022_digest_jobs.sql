-- Digest parts are queued like fan-out chunks, not as a mail per copy:
-- one row per rendered part and batch of members who share it (at most
-- the digest engine's claim), leased to a sending worker, checkpointed by
-- member id. Each copy's own fields (Message-ID, List-Unsubscribe) are
-- made at send time from the member and the part. members is the
-- ascending member ids, comma separated. A job is deleted when sent.
CREATE TABLE digest_jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
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
