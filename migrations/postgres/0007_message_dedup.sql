-- Duplicate suppression: a list stores a post once per Message-ID (a
-- sender's retry after a lost 250, a client that sends twice, a cross-post
-- looping back). dedup_key is 'members <id>' for posts and 'owners <id>'
-- for mail to LIST-owner (the two prefixes never collide, so a cross-post
-- to both is kept twice); it is NULL when the post has no Message-ID, and
-- NULLs never conflict, so such posts are never deduplicated.
ALTER TABLE messages ADD COLUMN dedup_key TEXT;

-- Existing rows: only the oldest of each (list, key) takes the key, so
-- duplicates already stored stay as they are and the index can be built.
UPDATE messages SET dedup_key =
    (CASE WHEN state = 'owner' THEN 'owners ' ELSE 'members ' END) || message_id
WHERE message_id <> '' AND id = (
    SELECT MIN(o.id) FROM messages o
    WHERE o.list_id = messages.list_id AND o.message_id = messages.message_id
      AND (o.state = 'owner') = (messages.state = 'owner'));

CREATE UNIQUE INDEX messages_dedup ON messages (list_id, dedup_key);
