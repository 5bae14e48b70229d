-- Community hub: requests for help and the volunteers who answer them (SQLite). Kept in step
-- with migrations/postgres/0009_requests.sql. Times are seconds since 1970; dates ISO 8601 text.
--
-- Personal data is sealed field by field exactly as person records are (0007): `p1.KEY.BASE64`
-- under a key kept outside the database, each field's associated data naming the record (by
-- its random `uid`) and the field. Duplicates are found by keyed hashes (HMAC-SHA-256) of the
-- normalised person (name and postcode), address (address and postcode) and phone number,
-- never by plain text; the postcode district is also kept as a keyed hash, to match a request
-- with volunteers in the same district.

-- A volunteer: name and contact details sealed; what they can help with, their DBS check and
-- when they are available are not personal details and stay readable for matching.
CREATE TABLE volunteers (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    uid TEXT NOT NULL UNIQUE,
    name_sealed TEXT NOT NULL,
    phone_sealed TEXT,
    email_sealed TEXT,
    postcode_sealed TEXT NOT NULL,
    district_hash TEXT NOT NULL,
    -- JSON array of the request categories they can help with.
    skills TEXT NOT NULL,
    dbs_level TEXT NOT NULL CHECK (dbs_level IN ('none', 'basic', 'standard', 'enhanced', 'enhanced-barred')),
    dbs_expires_on TEXT,
    available INTEGER NOT NULL DEFAULT 1,
    availability TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (org_id, number)
);
-- Hours a volunteer gave, on a day, perhaps for one request (its number).
CREATE TABLE volunteer_hours (
    id INTEGER PRIMARY KEY,
    volunteer_id INTEGER NOT NULL REFERENCES volunteers(id) ON DELETE CASCADE,
    worked_on TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    request_number INTEGER,
    logged_at INTEGER NOT NULL,
    logged_by TEXT NOT NULL
);
CREATE INDEX volunteer_hours_volunteer ON volunteer_hours (volunteer_id);
-- A request for help, by phone (taken by a member), the public form or the API. It is
-- assigned to a volunteer, a partner organisation or a council team (`assignee` names the
-- last two: organisations and teams, not people). `first_contact_at` is when the status first
-- reached `contacted` or beyond. `expires_on`: deleted by `bulwark retention run` after it,
-- unless under legal hold (its own, or its incident's).
CREATE TABLE help_requests (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    uid TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL CHECK (channel IN ('phone', 'public', 'api')),
    category TEXT NOT NULL CHECK (category IN ('food', 'medicine', 'energy', 'welfare-check', 'transport', 'shelter', 'other')),
    urgency TEXT NOT NULL CHECK (urgency IN ('today', 'three-days', 'can-wait')),
    status TEXT NOT NULL CHECK (status IN ('new', 'assigned', 'contacted', 'completed', 'closed')),
    name_sealed TEXT NOT NULL,
    address_sealed TEXT NOT NULL,
    postcode_sealed TEXT NOT NULL,
    phone_sealed TEXT,
    details_sealed TEXT NOT NULL,
    person_hash TEXT NOT NULL,
    address_hash TEXT NOT NULL,
    phone_hash TEXT,
    district_hash TEXT NOT NULL,
    assignee_kind TEXT CHECK (assignee_kind IN ('volunteer', 'partner', 'team')),
    volunteer_id INTEGER REFERENCES volunteers(id) ON DELETE SET NULL,
    assignee TEXT,
    incident_id TEXT,
    legal_hold INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL,
    first_contact_at INTEGER,
    closed_at INTEGER,
    expires_on TEXT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (org_id, number)
);
CREATE INDEX help_requests_person ON help_requests (org_id, person_hash);
CREATE INDEX help_requests_address ON help_requests (org_id, address_hash);
CREATE INDEX help_requests_phone ON help_requests (org_id, phone_hash);
CREATE INDEX help_requests_expiry ON help_requests (expires_on);
-- A request's timeline: received, assigned, status changes and notes. Notes may name people,
-- so they are sealed (the associated data names the request's uid and the event's number).
CREATE TABLE help_request_events (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES help_requests(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('received', 'assigned', 'status', 'note')),
    status TEXT NOT NULL,
    assignee TEXT,
    note_sealed TEXT,
    UNIQUE (request_id, number)
);
