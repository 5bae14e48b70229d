-- Single sign-on (OpenID Connect) beside local accounts.
-- An account signed in through the provider carries the provider's subject (issuer and
-- `sub`), so a later change of email address cannot hand it to someone else.
ALTER TABLE users ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX users_oidc_subject ON users (oidc_subject);
-- Memberships given by an organisation's sign-on rules are refreshed at every sign-in
-- (and end when the rule no longer matches); memberships an administrator gave by hand stay.
ALTER TABLE memberships ADD COLUMN source TEXT NOT NULL DEFAULT 'manual'
    CHECK (source IN ('manual', 'sign-on'));
-- An organisation's rules: people whose verified email is at `value` (a domain), or whose
-- token's claim `claim` holds `value`, become members with `role`.
CREATE TABLE sign_on_rules (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('email-domain', 'claim')),
    claim TEXT NOT NULL DEFAULT '',
    value TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    created_at INTEGER NOT NULL,
    UNIQUE (org_id, kind, claim, value)
);
-- Sign-ins in progress: the PKCE verifier and nonce for the state the browser holds, used
-- once and kept for ten minutes at most. In the database so that any server may finish it.
CREATE TABLE sign_on_attempts (
    state_hash TEXT PRIMARY KEY,
    verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    next TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
-- The provider's ID token of a session begun through it, as the hint for signing out there.
ALTER TABLE sessions ADD COLUMN id_token TEXT;
