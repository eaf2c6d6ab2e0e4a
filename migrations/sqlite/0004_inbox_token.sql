-- Admin mail may carry a token in its address (LIST-confirm+TOKEN@,
-- LIST-moderate+TOKEN@); the inbox worker leases items like the queue.
ALTER TABLE inbox ADD COLUMN token TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE inbox ADD COLUMN note TEXT NOT NULL DEFAULT '';
-- Held items of other kinds than posts (subscription requests, later
-- newsletter items) keep their payload as JSON.
ALTER TABLE held ADD COLUMN data TEXT NOT NULL DEFAULT '';
ALTER TABLE held ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE held ADD COLUMN from_addr TEXT NOT NULL DEFAULT '';
