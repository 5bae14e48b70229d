-- Community support with personal data protected by design (SQLite). Kept in step with
-- migrations/postgres/0007_people.sql. Times are seconds since 1970; dates ISO 8601 text.
--
-- A new role, `hub-coordinator`, between editor and administrator: the roles that may read
-- person records are hub coordinators and administrators. SQLite cannot change a CHECK
-- constraint in place, so the two tables that name roles are rebuilt as they were, with the
-- new role allowed (nothing refers to either table).
CREATE TABLE memberships_new (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'hub-coordinator', 'admin')),
    source TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'sign-on')),
    PRIMARY KEY (user_id, org_id)
);
INSERT INTO memberships_new (user_id, org_id, role, source)
    SELECT user_id, org_id, role, source FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_new RENAME TO memberships;
CREATE TABLE sign_on_rules_new (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('email-domain', 'claim')),
    claim TEXT NOT NULL DEFAULT '',
    value TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'hub-coordinator', 'admin')),
    created_at INTEGER NOT NULL,
    UNIQUE (org_id, kind, claim, value)
);
INSERT INTO sign_on_rules_new (id, org_id, kind, claim, value, role, created_at)
    SELECT id, org_id, kind, claim, value, role, created_at FROM sign_on_rules;
DROP TABLE sign_on_rules;
ALTER TABLE sign_on_rules_new RENAME TO sign_on_rules;

-- The list of lists: which organisation holds which data about vulnerable people, what it
-- holds, how to ask for it, on what lawful basis, under which data sharing agreement, and
-- what triggers asking. Peacetime planning data: no personal data.
CREATE TABLE people_sources (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
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
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (org_id, number)
);
-- A list activated for an incident or a standing hub: person records exist only on one.
-- `incident_id` is the incident's id in the organisation's incidents (a plain reference);
-- `legal_hold` keeps its records past their expiry (an inquiry, a claim).
CREATE TABLE people_lists (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    source_id INTEGER REFERENCES people_sources(id) ON DELETE SET NULL,
    incident_id TEXT,
    legal_hold INTEGER NOT NULL DEFAULT 0,
    activated_at INTEGER NOT NULL,
    activated_by TEXT NOT NULL,
    closed_at INTEGER,
    UNIQUE (org_id, number)
);
-- A person on a list. Every personal field is sealed (XChaCha20-Poly1305, key outside the
-- database: `p1.KEY.BASE64`); postcodes are found by keyed hashes (HMAC-SHA-256) of the whole
-- postcode, its sector and its district, never stored in plain text. `uid` is random and
-- names the record in each field's associated data. `source`, `lawful_basis` and
-- `expires_on` say why it is held and until when; they hold no personal data.
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    uid TEXT NOT NULL UNIQUE,
    list_id INTEGER REFERENCES people_lists(id),
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
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (org_id, number)
);
CREATE INDEX people_postcode ON people (org_id, postcode_hash);
CREATE INDEX people_sector ON people (org_id, sector_hash);
CREATE INDEX people_district ON people (org_id, district_hash);
CREATE INDEX people_expiry ON people (expires_on);
