-- An organisation's risk appetite on the National Risk Register's matrix: for each impact
-- level, the lowest likelihood (1 to 5) at which a risk is outside it; NULL when none is.
-- No row: Bulwark's default appetite.
CREATE TABLE risk_appetites (
    org_id BIGINT PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    impact_1 BIGINT,
    impact_2 BIGINT,
    impact_3 BIGINT,
    impact_4 BIGINT,
    impact_5 BIGINT,
    updated_at BIGINT NOT NULL
);
