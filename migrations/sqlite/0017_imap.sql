-- IMAP (issue 18). app_passwords: the passwords mail clients sign in with,
-- one person (normalised address) may have several, each named; only an
-- argon2id PHC string is kept. imap_flags: \Seen and \Flagged per address,
-- list and archive UID, the only thing an IMAP client may change; a row
-- exists only while one of them is set. fetch_seen: every message IMAP
-- ingestion took from a hosted mailbox, keyed by the mailbox (its URL
-- without the password), its UIDVALIDITY and the UID, so each enters once.
-- list_fetch: the hosted mailbox a list reads (`list set LIST --fetch URL`).
CREATE TABLE app_passwords (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    address    TEXT NOT NULL,
    name       TEXT NOT NULL,
    hash       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX app_passwords_address ON app_passwords (address, id);

CREATE TABLE imap_flags (
    address TEXT NOT NULL,
    list_id BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    uid     BIGINT NOT NULL,
    seen    INTEGER NOT NULL DEFAULT 0,
    flagged INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (address, list_id, uid)
);

CREATE TABLE fetch_seen (
    source       TEXT NOT NULL,
    uid_validity BIGINT NOT NULL,
    uid          BIGINT NOT NULL,
    outcome      TEXT NOT NULL,
    at           BIGINT NOT NULL,
    PRIMARY KEY (source, uid_validity, uid)
);

CREATE TABLE list_fetch (
    list_id    BIGINT PRIMARY KEY REFERENCES lists(id) ON DELETE CASCADE,
    url        TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
