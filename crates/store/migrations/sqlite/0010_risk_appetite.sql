-- An organisation's risk appetite on the National Risk Register's matrix: for each impact
-- level, the lowest likelihood (1 to 5) at which a risk is outside it; NULL when none is.
-- No row: Bulwark's default appetite.
CREATE TABLE risk_appetites (
    org_id INTEGER PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    impact_1 INTEGER,
    impact_2 INTEGER,
    impact_3 INTEGER,
    impact_4 INTEGER,
    impact_5 INTEGER,
    updated_at INTEGER NOT NULL
);
