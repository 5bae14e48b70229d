-- Sign-in throttling by address as well as by account (growing delays, no lock-out).
ALTER TABLE login_failures ADD COLUMN address TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_address ON login_failures (address, at);
-- What a whole-model import changed (items added, removed and changed), so the audit trail
-- can be listed without reading whole models.
ALTER TABLE audit ADD COLUMN summary TEXT;
-- Shares of services that no longer exist end with them.
DELETE FROM shares WHERE NOT EXISTS (
    SELECT 1 FROM model_items m
    WHERE m.org_id = shares.org_id AND m.kind = 'service' AND m.item_id = shares.service_id
);
