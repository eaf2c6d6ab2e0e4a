-- Owners' web and site administrators.
-- A plain-text footer delivery adds to every post ('' : none).
ALTER TABLE lists ADD COLUMN footer TEXT NOT NULL DEFAULT '';
-- The members page searches names by prefix (lower-cased) in a keyset
-- (list_id, name, id); addresses use the UNIQUE (list_id, address_key).
CREATE INDEX members_name_search ON members (list_id, lower(name), id);
-- Counts by delivery mode and status read this index only.
CREATE INDEX members_mode_status ON members (list_id, mode, status);
-- Site administrators: they create and remove lists on the web and set
-- the site's name, introduction and contact address.
CREATE TABLE site_admins (
    address_key TEXT PRIMARY KEY,
    address     TEXT NOT NULL,
    added_by    TEXT NOT NULL DEFAULT '',
    added_at    BIGINT NOT NULL
);
