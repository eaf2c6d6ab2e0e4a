-- The weekly newsletter. A newsletter is a list of kind 'newsletter'
-- (lists.kind already exists): its subscribers are its members, and they
-- join, confirm and leave as on any list. newsletters holds its schedule,
-- how far ahead events are shown, the editor's introduction for the next
-- issue and when that issue is due (ms; NULL: not scheduled).
CREATE TABLE newsletters (
    list_id  BIGINT PRIMARY KEY REFERENCES lists(id) ON DELETE CASCADE,
    schedule TEXT NOT NULL DEFAULT 'Mon 08:00 Europe/London',
    weeks    INTEGER NOT NULL DEFAULT 6,
    intro    TEXT NOT NULL DEFAULT '',
    next_due BIGINT
);
CREATE INDEX newsletters_due ON newsletters (next_due) WHERE next_due IS NOT NULL;

-- Items members submit: events, research, asks and offers. Times are ms;
-- 0 means unset. topics is ",a,b," so one topic is found with LIKE.
-- sequence and last_modified move whenever a published field changes
-- (RFC 5545 SEQUENCE / LAST-MODIFIED). reminded_at is the closes_at the
-- "still open?" reminder was sent for (so an extension earns a new one).
CREATE TABLE items (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id       BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending',
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',
    url           TEXT NOT NULL DEFAULT '',
    by_name       TEXT NOT NULL DEFAULT '',
    starts_at     BIGINT NOT NULL DEFAULT 0,
    ends_at       BIGINT NOT NULL DEFAULT 0,
    tz            TEXT NOT NULL DEFAULT '',
    all_day       INTEGER NOT NULL DEFAULT 0,
    location      TEXT NOT NULL DEFAULT '',
    region        TEXT NOT NULL DEFAULT '',
    online_url    TEXT NOT NULL DEFAULT '',
    booking_url   TEXT NOT NULL DEFAULT '',
    published_at  BIGINT NOT NULL DEFAULT 0,
    topics        TEXT NOT NULL DEFAULT '',
    respond       TEXT NOT NULL DEFAULT '',
    closes_at     BIGINT NOT NULL DEFAULT 0,
    submitter     TEXT NOT NULL DEFAULT '',
    submitter_key TEXT NOT NULL DEFAULT '',
    org_name      TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT 'operator',
    sequence      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    last_modified BIGINT NOT NULL,
    approved_at   BIGINT NOT NULL DEFAULT 0,
    reminded_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX items_list_kind ON items (list_id, kind, state, id);
CREATE INDEX items_events ON items (starts_at, id) WHERE kind = 'event';
CREATE INDEX items_closing ON items (closes_at) WHERE closes_at > 0;
CREATE INDEX items_submitter ON items (submitter_key, id);
CREATE INDEX items_org ON items (org_name, id) WHERE org_name <> '';

-- An ask and an offer whose posters were told of each other, once.
CREATE TABLE item_matches (
    ask_id   BIGINT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    offer_id BIGINT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    at       BIGINT NOT NULL,
    PRIMARY KEY (ask_id, offer_id)
);

-- Issues of a newsletter, numbered per newsletter. items is the frozen
-- list of item ids (comma separated) compiled into it, so a resumed send
-- renders the same issue; cursor is the last member id whose copy is
-- queued (moved in the same transaction as their mail: sent once).
CREATE TABLE newsletter_issues (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id     BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'sending',
    intro       TEXT NOT NULL DEFAULT '',
    items       TEXT NOT NULL DEFAULT '',
    issue_date  BIGINT NOT NULL,
    cursor      BIGINT NOT NULL DEFAULT 0,
    sent_count  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT NOT NULL DEFAULT 0,
    UNIQUE (list_id, number)
);
-- At most one issue of a newsletter is being sent at a time.
CREATE UNIQUE INDEX newsletter_issues_sending ON newsletter_issues (list_id) WHERE state = 'sending';
