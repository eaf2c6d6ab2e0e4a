-- Web pages name a list by its RFC 2919 id (the address with the @ turned
-- into a dot); this index resolves one in a single lookup.
CREATE INDEX lists_list_id ON lists (replace(address, '@', '.'));
