-- Sign-in without passwords: single-use login tokens and sessions, both
-- stored only as SHA-256 hashes. The audit log records every action.
CREATE TABLE login_tokens (
    hash       TEXT PRIMARY KEY,
    address    TEXT NOT NULL,
    purpose    TEXT NOT NULL DEFAULT 'login',
    data       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX login_tokens_address ON login_tokens (address, purpose, created_at);

CREATE TABLE sessions (
    hash       TEXT PRIMARY KEY,
    address    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    list_id    BIGINT REFERENCES lists(id) ON DELETE CASCADE,
    target     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_list ON audit (list_id, id);

CREATE INDEX members_address ON members (address_key);
