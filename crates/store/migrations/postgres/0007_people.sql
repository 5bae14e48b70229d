-- Community support with personal data protected by design (PostgreSQL). Kept in step with
-- migrations/sqlite/0007_people.sql. Times are seconds since 1970; dates ISO 8601 text.
--
-- A new role, `hub-coordinator`, between editor and administrator: the roles that may read
-- person records are hub coordinators and administrators.
ALTER TABLE memberships DROP CONSTRAINT memberships_role_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_role_check
    CHECK (role IN ('viewer', 'editor', 'hub-coordinator', 'admin'));
ALTER TABLE sign_on_rules DROP CONSTRAINT sign_on_rules_role_check;
ALTER TABLE sign_on_rules ADD CONSTRAINT sign_on_rules_role_check
    CHECK (role IN ('viewer', 'editor', 'hub-coordinator', 'admin'));

-- The list of lists: which organisation holds which data about vulnerable people, what it
-- holds, how to ask for it, on what lawful basis, under which data sharing agreement, and
-- what triggers asking. Peacetime planning data: no personal data.
CREATE TABLE people_sources (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    name TEXT NOT NULL,
    holder TEXT NOT NULL,
    contents TEXT NOT NULL,
    how_to_request TEXT NOT NULL,
    article6 TEXT NOT NULL,
    article9 TEXT NOT NULL,
    schedule1 TEXT NOT NULL,
    agreement TEXT NOT NULL,
    review_on TEXT,
    triggers TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, number)
);
-- A list activated for an incident or a standing hub: person records exist only on one.
-- `incident_id` is the incident's id in the organisation's incidents (a plain reference);
-- `legal_hold` keeps its records past their expiry (an inquiry, a claim).
CREATE TABLE people_lists (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    source_id BIGINT REFERENCES people_sources(id) ON DELETE SET NULL,
    incident_id TEXT,
    legal_hold BIGINT NOT NULL DEFAULT 0,
    activated_at BIGINT NOT NULL,
    activated_by TEXT NOT NULL,
    closed_at BIGINT,
    UNIQUE (org_id, number)
);
-- A person on a list. Every personal field is sealed (XChaCha20-Poly1305, key outside the
-- database: `p1.KEY.BASE64`); postcodes are found by keyed hashes (HMAC-SHA-256) of the whole
-- postcode, its sector and its district, never stored in plain text. `uid` is random and
-- names the record in each field's associated data. `source`, `lawful_basis` and
-- `expires_on` say why it is held and until when; they hold no personal data.
CREATE TABLE people (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    uid TEXT NOT NULL UNIQUE,
    list_id BIGINT REFERENCES people_lists(id),
    name_sealed TEXT NOT NULL,
    address_sealed TEXT NOT NULL,
    postcode_sealed TEXT NOT NULL,
    phone_sealed TEXT,
    details_sealed TEXT NOT NULL,
    postcode_hash TEXT NOT NULL,
    sector_hash TEXT NOT NULL,
    district_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    lawful_basis TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (org_id, number)
);
CREATE INDEX people_postcode ON people (org_id, postcode_hash);
CREATE INDEX people_sector ON people (org_id, sector_hash);
CREATE INDEX people_district ON people (org_id, district_hash);
CREATE INDEX people_expiry ON people (expires_on);
