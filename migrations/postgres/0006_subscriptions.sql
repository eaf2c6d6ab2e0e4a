-- Subscriptions: people (one row per address), per-membership delivery
-- preferences, per-list joining rules, consent evidence, confirmation
-- tokens (stored only as SHA-256 hashes) and throttle hits. The members
-- table stays the roster that fan-out reads; flags are INTEGER 0/1 in both
-- dialects so the Go code scans them the same way.
CREATE TABLE people (
    id           BIGSERIAL PRIMARY KEY,
    address_key  TEXT NOT NULL UNIQUE,
    address      TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    org_name     TEXT NOT NULL DEFAULT '',
    org_key      TEXT NOT NULL DEFAULT '',
    org_website  TEXT NOT NULL DEFAULT '',
    org_region   TEXT NOT NULL DEFAULT '',
    org_focus    TEXT NOT NULL DEFAULT '',
    in_directory INTEGER NOT NULL DEFAULT 0,
    format       TEXT NOT NULL DEFAULT 'html',
    newsletter   INTEGER NOT NULL DEFAULT 0,
    sections     TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX people_directory ON people (org_key, id) WHERE in_directory = 1;

CREATE TABLE member_prefs (
    member_id    BIGINT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    digest       TEXT NOT NULL DEFAULT 'daily',
    nomail_until BIGINT NOT NULL DEFAULT 0,
    resume_mode  TEXT NOT NULL DEFAULT 'each',
    own_posts    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX member_prefs_resume ON member_prefs (nomail_until) WHERE nomail_until > 0;

CREATE TABLE list_access (
    list_id    BIGINT PRIMARY KEY REFERENCES lists(id) ON DELETE CASCADE,
    visibility TEXT NOT NULL DEFAULT 'public',
    join_rule  TEXT NOT NULL DEFAULT 'confirm',
    erasure    TEXT NOT NULL DEFAULT 'anonymise'
);

CREATE TABLE consent (
    id           BIGSERIAL PRIMARY KEY,
    address_key  TEXT NOT NULL,
    list_id      BIGINT REFERENCES lists(id) ON DELETE SET NULL,
    list_address TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    how          TEXT NOT NULL,
    origin       TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '',
    at           BIGINT NOT NULL
);
CREATE INDEX consent_address ON consent (address_key, id);

CREATE TABLE sub_tokens (
    hash        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    address_key TEXT NOT NULL,
    address     TEXT NOT NULL,
    list_id     BIGINT NOT NULL DEFAULT 0,
    data        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sub_tokens_address ON sub_tokens (address_key, created_at);

CREATE TABLE throttle (
    key TEXT NOT NULL,
    at  BIGINT NOT NULL
);
CREATE INDEX throttle_key ON throttle (key, at);

-- Approved subscription requests get their welcome from a job.
CREATE INDEX held_subscriptions ON held (handled_at) WHERE kind = 'subscription';

-- The data export finds a person's posts; list pages count recent posts.
CREATE INDEX messages_from ON messages (from_addr);
CREATE INDEX messages_archived ON messages (list_id, received_at) WHERE uid IS NOT NULL;
