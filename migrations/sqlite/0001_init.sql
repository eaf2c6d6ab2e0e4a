-- Lists, members, stored messages, the held queue, the outbound queue.
-- Times are BIGINT milliseconds since the Unix epoch in both dialects, so the
-- Go code scans them the same way on SQLite and PostgreSQL.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE lists (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    address        TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL DEFAULT 'discussion',
    policy         TEXT NOT NULL DEFAULT 'members',
    archive        TEXT NOT NULL DEFAULT 'public',
    subject_prefix TEXT NOT NULL DEFAULT '',
    reply_to       TEXT NOT NULL DEFAULT 'list',
    max_size       BIGINT NOT NULL DEFAULT 0,
    uid_validity   BIGINT NOT NULL,
    uid_next       BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL
);

CREATE TABLE members (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id      BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    address      TEXT NOT NULL,
    address_key  TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL DEFAULT 'member',
    mode         TEXT NOT NULL DEFAULT 'each',
    status       TEXT NOT NULL DEFAULT 'enabled',
    bounce_score REAL NOT NULL DEFAULT 0,
    source       TEXT NOT NULL DEFAULT 'operator',
    created_at   BIGINT NOT NULL,
    UNIQUE (list_id, address_key)
);
CREATE INDEX members_fanout ON members (list_id, id) WHERE mode = 'each' AND status = 'enabled';

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id       BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    envelope_from TEXT NOT NULL DEFAULT '',
    from_addr     TEXT NOT NULL DEFAULT '',
    from_name     TEXT NOT NULL DEFAULT '',
    subject       TEXT NOT NULL DEFAULT '',
    message_id    TEXT NOT NULL DEFAULT '',
    in_reply_to   TEXT NOT NULL DEFAULT '',
    refs          TEXT NOT NULL DEFAULT '',
    sent_at       BIGINT NOT NULL DEFAULT 0,
    size          BIGINT NOT NULL,
    raw           BLOB NOT NULL,
    state         TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    uid           BIGINT,
    received_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX messages_uid ON messages (list_id, uid) WHERE uid IS NOT NULL;
CREATE INDEX messages_message_id ON messages (message_id);

CREATE TABLE held (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id     BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL DEFAULT 'post',
    message_id  BIGINT REFERENCES messages(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending',
    handled_by  TEXT NOT NULL DEFAULT '',
    handled_at  BIGINT NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX held_pending ON held (list_id, id) WHERE state = 'pending';

CREATE TABLE fanouts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id  BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    list_id     BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    audience    TEXT NOT NULL DEFAULT 'members',
    cursor      BIGINT NOT NULL DEFAULT 0,
    state       TEXT NOT NULL DEFAULT 'open',
    created_at  BIGINT NOT NULL
);
CREATE INDEX fanouts_open ON fanouts (id) WHERE state = 'open';

CREATE TABLE chunks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    fanout_id    BIGINT NOT NULL REFERENCES fanouts(id) ON DELETE CASCADE,
    first_member BIGINT NOT NULL,
    last_member  BIGINT NOT NULL,
    sent_upto    BIGINT NOT NULL DEFAULT 0,
    state        TEXT NOT NULL DEFAULT 'claimed',
    owner        TEXT NOT NULL,
    lease_until  BIGINT NOT NULL,
    sent         BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
CREATE INDEX chunks_claimed ON chunks (lease_until) WHERE state = 'claimed';

CREATE TABLE retries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id   BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    member_id    BIGINT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    attempts     INTEGER NOT NULL DEFAULT 1,
    next_attempt BIGINT NOT NULL,
    last_error   TEXT NOT NULL DEFAULT '',
    owner        TEXT NOT NULL DEFAULT '',
    lease_until  BIGINT NOT NULL DEFAULT 0,
    first_failed BIGINT NOT NULL
);
CREATE INDEX retries_due ON retries (next_attempt);

CREATE TABLE failures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id  BIGINT REFERENCES members(id) ON DELETE SET NULL,
    message_id BIGINT REFERENCES messages(id) ON DELETE SET NULL,
    rcpt       TEXT NOT NULL,
    code       INTEGER NOT NULL,
    enhanced   TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL DEFAULT '',
    at         BIGINT NOT NULL
);

CREATE TABLE mailq (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    mail_from    TEXT NOT NULL,
    rcpt         TEXT NOT NULL,
    raw          BLOB NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt BIGINT NOT NULL,
    owner        TEXT NOT NULL DEFAULT '',
    lease_until  BIGINT NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE INDEX mailq_due ON mailq (next_attempt);

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id BIGINT REFERENCES messages(id) ON DELETE SET NULL,
    mail_from  TEXT NOT NULL,
    rcpt       TEXT NOT NULL,
    raw        BLOB NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE inbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id       BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    envelope_from TEXT NOT NULL DEFAULT '',
    raw           BLOB NOT NULL,
    state         TEXT NOT NULL DEFAULT 'new',
    created_at    BIGINT NOT NULL
);
CREATE INDEX inbox_new ON inbox (id) WHERE state = 'new';
