-- An organisation's approved technology catalogue: the file its administrators loaded, as
-- written (YAML or JSON, the format `bulwark estate --catalogue` reads), one per organisation.
CREATE TABLE estate_catalogues (
    org_id INTEGER PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
