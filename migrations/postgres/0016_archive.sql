-- The web archive: threads, posts per month, a full-text index, and the
-- UIDs that left a list's archive (IMAP clients must see them expunged).
--
-- messages.indexed is 0 until the archive indexer has threaded the post
-- and put its text in archive_search; archived posts from before this
-- migration, and posts rewritten on erasure, are (re)indexed by it.
ALTER TABLE messages ADD COLUMN thread_id BIGINT;
ALTER TABLE messages ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_unindexed ON messages (id) WHERE uid IS NOT NULL AND indexed = 0;
CREATE INDEX messages_thread ON messages (thread_id, received_at, id) WHERE uid IS NOT NULL;

-- A thread: its first post, its subject (Re:/Fwd:/[list] stripped, lower
-- case, for the subject fallback) and what the thread list shows.
CREATE TABLE archive_threads (
    id          BIGSERIAL PRIMARY KEY,
    list_id     BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    root_id     BIGINT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    subject_key TEXT NOT NULL DEFAULT '',
    posts       BIGINT NOT NULL DEFAULT 0,
    first_at    BIGINT NOT NULL,
    last_at     BIGINT NOT NULL
);
CREATE INDEX archive_threads_recent ON archive_threads (list_id, last_at, id);
CREATE INDEX archive_threads_subject ON archive_threads (list_id, subject_key, last_at);

-- Posts per UTC month (year*100+month of received_at): the month index
-- reads one row per month, never the posts.
CREATE TABLE archive_months (
    list_id BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    month   INTEGER NOT NULL,
    posts   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (list_id, month)
);

-- A UID that no longer names a post: new_uid is where its rewritten
-- bytes went (erasure), 0 when the post is gone.
CREATE TABLE archive_expunged (
    list_id BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    uid     BIGINT NOT NULL,
    new_uid BIGINT NOT NULL DEFAULT 0,
    at      BIGINT NOT NULL,
    PRIMARY KEY (list_id, uid)
);
CREATE INDEX archive_expunged_new ON archive_expunged (list_id, new_uid);

-- Full-text index: subject (weight A), author (B) and body text (D),
-- English stemming like SQLite's porter tokenizer; GIN for @@.
CREATE TABLE archive_search (
    message_id BIGINT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    list_id    BIGINT NOT NULL,
    doc        TSVECTOR NOT NULL
);
CREATE INDEX archive_search_doc ON archive_search USING GIN (doc);
