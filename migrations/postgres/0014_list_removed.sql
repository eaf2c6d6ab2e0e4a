-- listserv list rm: a removed list keeps its row (and so its archive) until
-- it is purged; removed_at hides it from list listings.
ALTER TABLE lists ADD COLUMN removed_at BIGINT;
