-- Deliverability: DKIM signing keys per domain (the newest of each
-- algorithm signs), and per-list DMARC mitigation and bounce removal.
CREATE TABLE dkim_keys (
    domain      TEXT NOT NULL,
    selector    TEXT NOT NULL,
    algorithm   TEXT NOT NULL,
    private_pem TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (domain, selector)
);

CREATE TABLE list_deliverability (
    list_id               BIGINT PRIMARY KEY REFERENCES lists(id) ON DELETE CASCADE,
    dmarc_action          TEXT NOT NULL DEFAULT 'munge',
    dmarc_always          INTEGER NOT NULL DEFAULT 0,
    remove_after_warnings INTEGER NOT NULL DEFAULT 0
);

-- Members disabled by bounces are warned again twice, a week apart, and
-- then (when the list says so) removed: one row per such member.
CREATE TABLE bounce_warnings (
    member_id BIGINT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    list_id   BIGINT NOT NULL,
    warnings  INTEGER NOT NULL DEFAULT 0,
    next_at   BIGINT NOT NULL
);
CREATE INDEX bounce_warnings_next ON bounce_warnings (next_at);
