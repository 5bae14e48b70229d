-- Public warnings (CAP 1.2 messages) with two-person approval, their language versions and
-- areas, templates and per-organisation settings (SQLite). Kept in step with
-- migrations/postgres/0005_warnings.sql. Times are seconds since 1970.
CREATE TABLE warning_settings (
    org_id INTEGER PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    publish_welsh INTEGER NOT NULL DEFAULT 0,
    sender TEXT NOT NULL DEFAULT ''
);
-- One row per CAP message. `number` counts an organisation's messages from 1 (the public
-- address uses it); `thread` is the number of the first message of an alert, shared by its
-- updates and its cancellation; `references_number` is the message it updates or cancels.
CREATE TABLE warnings (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    thread INTEGER NOT NULL,
    identifier TEXT NOT NULL UNIQUE,
    msg_type TEXT NOT NULL CHECK (msg_type IN ('Alert', 'Update', 'Cancel')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'superseded', 'cancelled')),
    references_number INTEGER,
    event TEXT NOT NULL,
    category TEXT NOT NULL,
    urgency TEXT NOT NULL,
    severity TEXT NOT NULL,
    certainty TEXT NOT NULL,
    web TEXT,
    contact TEXT,
    note TEXT,
    effective_at INTEGER,
    onset_at INTEGER,
    expires_at INTEGER,
    incident TEXT,
    services TEXT NOT NULL DEFAULT '[]',
    revision INTEGER NOT NULL DEFAULT 1,
    author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    author TEXT NOT NULL,
    edited_by_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    approver_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    approver TEXT,
    sender TEXT,
    sent_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (org_id, number),
    CHECK ((status = 'draft') = (sent_at IS NULL))
);
CREATE INDEX warnings_thread ON warnings (org_id, thread);
CREATE TABLE warning_infos (
    warning_id INTEGER NOT NULL REFERENCES warnings(id) ON DELETE CASCADE,
    language TEXT NOT NULL CHECK (language IN ('en-GB', 'cy')),
    headline TEXT NOT NULL,
    description TEXT NOT NULL,
    instruction TEXT NOT NULL,
    PRIMARY KEY (warning_id, language)
);
CREATE TABLE warning_areas (
    warning_id INTEGER NOT NULL REFERENCES warnings(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    polygon TEXT,
    circle TEXT,
    geocodes TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (warning_id, position)
);
-- An organisation's own version of a template (the built-in ones apply until it saves one).
CREATE TABLE warning_templates (
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    template_key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org_id, template_key)
);
