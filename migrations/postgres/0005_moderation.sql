-- Moderation: per-list settings, sender rules, new members' approved-post
-- counts, moderators' notification preferences, defer notes, the notices
-- sent for held items and their single-use reply tokens (stored hashed).
CREATE TABLE list_moderation (
    list_id          BIGINT PRIMARY KEY REFERENCES lists(id) ON DELETE CASCADE,
    new_member_posts INTEGER NOT NULL DEFAULT 0,
    new_member_since BIGINT NOT NULL DEFAULT 0,
    max_recipients   INTEGER NOT NULL DEFAULT 10,
    accept_types     TEXT NOT NULL DEFAULT '',
    hold_days        INTEGER NOT NULL DEFAULT 14,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE sender_rules (
    list_id    BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    pattern    TEXT NOT NULL,
    action     TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (list_id, pattern)
);

CREATE TABLE member_moderation (
    list_id     BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    address_key TEXT NOT NULL,
    approved    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (list_id, address_key)
);

CREATE TABLE moderator_prefs (
    list_id     BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    address_key TEXT NOT NULL,
    notify      TEXT NOT NULL DEFAULT 'each',
    PRIMARY KEY (list_id, address_key)
);

CREATE TABLE held_notes (
    held_id BIGINT PRIMARY KEY REFERENCES held(id) ON DELETE CASCADE,
    note    TEXT NOT NULL DEFAULT '',
    by_addr TEXT NOT NULL,
    at      BIGINT NOT NULL
);

-- One row per held item whose notices were sent. Items held before this
-- migration count as notified, so an upgrade does not mail the backlog.
CREATE TABLE held_notices (
    held_id    BIGINT PRIMARY KEY REFERENCES held(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
INSERT INTO held_notices (held_id, created_at) SELECT id, 0 FROM held;

CREATE TABLE moderation_tokens (
    hash       TEXT PRIMARY KEY,
    held_id    BIGINT NOT NULL REFERENCES held(id) ON DELETE CASCADE,
    list_id    BIGINT NOT NULL,
    address    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0
);

-- Keys of "once per sender per day" mail.
CREATE TABLE moderation_once (
    key        TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);
CREATE INDEX moderation_once_age ON moderation_once (created_at);

-- Owners and moderators without reading the whole roster.
CREATE INDEX members_staff ON members (list_id, id) WHERE role <> 'member';
-- Expiry looks for the oldest pending items.
CREATE INDEX held_pending_age ON held (created_at) WHERE state = 'pending';
