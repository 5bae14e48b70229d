-- The incident room (SQLite): incidents led by one organisation with invited partners, their
-- M/ETHANE reports (every version kept), the status board's marks, the hash-chained decision
-- log, actions, the battle rhythm and situation reports. Kept in step with
-- migrations/postgres/0006_incidents.sql. Times are seconds since 1970.
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    started_at INTEGER NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('operational', 'tactical', 'strategic')),
    scenario TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'stand-down', 'recovery', 'closed')),
    legal_hold INTEGER NOT NULL DEFAULT 0,
    -- The decision log's length and the hash of its last entry: appends serialise on this row,
    -- and verification compares the log with them (a removed last entry is found).
    log_length INTEGER NOT NULL DEFAULT 0,
    log_head TEXT NOT NULL DEFAULT '',
    debrief TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    closed_at INTEGER
);
CREATE INDEX incidents_org ON incidents (org_id, started_at);
CREATE TABLE incident_partners (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    invited_at INTEGER NOT NULL,
    PRIMARY KEY (incident_id, org_id)
);
CREATE INDEX incident_partners_org ON incident_partners (org_id);
CREATE TABLE incident_methane (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (incident_id, version)
);
-- An asset or service marked failed or degraded on the status board, from a time until it
-- is marked restored.
CREATE TABLE incident_marks (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity BETWEEN 0 AND 99),
    from_at INTEGER NOT NULL,
    until_at INTEGER,
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX incident_marks_incident ON incident_marks (incident_id);
-- The decision log: each entry is its canonical JSON text (`body`) and the SHA-256 of it; the
-- body holds the previous entry's hash. Nothing updates or deletes a row.
CREATE TABLE incident_decisions (
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    PRIMARY KEY (incident_id, seq)
);
CREATE TABLE incident_actions (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    description TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'in-progress', 'done', 'cancelled')),
    decision_seq INTEGER,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX incident_actions_incident ON incident_actions (incident_id);
-- The battle rhythm: meetings and situation report deadlines.
CREATE TABLE incident_rhythm (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('meeting', 'sitrep')),
    title TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX incident_rhythm_incident ON incident_rhythm (incident_id, at);
CREATE TABLE incident_sitreps (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    next_due_at INTEGER,
    submitted_by TEXT NOT NULL,
    submitted_at INTEGER NOT NULL
);
CREATE INDEX incident_sitreps_incident ON incident_sitreps (incident_id, submitted_at);
-- An incident's debrief becomes a learning record beside the exercises, so its lessons and
-- actions are tracked to closure the same way (Joint Organisational Learning).
ALTER TABLE exercises ADD COLUMN incident_id INTEGER REFERENCES incidents(id) ON DELETE SET NULL;
