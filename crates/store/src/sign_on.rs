//! Single sign-on: each organisation's rules that admit a provider's verified people with a
//! role, the short-lived state of sign-ins in progress, and the accounts they sign in to.
//!
//! The provider protocol itself (OpenID Connect) is the web crate's business; this module
//! decides, in one transaction per sign-in, which account an identity is and what it may do.

use crate::accounts::{Role, User};
use crate::audit::{Actor, Change, finish, record};
use crate::{Store, StoreError, hash_secret, now};
use serde::Serialize;
use serde_json::Value;
use sqlx::Row;
use std::collections::BTreeMap;

/// The password hash of accounts that only sign in through the provider: no password
/// matches it.
pub const SIGN_ON_ONLY: &str = "!sign-on";

/// How long a sign-in may take at the provider before it must start again.
pub const ATTEMPT_SECONDS: i64 = 600;

/// What a rule looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum RuleTest {
    /// The verified email address is at this domain (exactly, lower-case).
    EmailDomain {
        /// Like `north.gov.uk`.
        domain: String,
    },
    /// The ID token's claim (a top-level name such as `groups` or `roles`) equals this value
    /// or, when it is a list, holds it.
    Claim {
        /// The claim's name.
        claim: String,
        /// The value to look for.
        value: String,
    },
}

/// One of an organisation's sign-on rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignOnRule {
    /// Database id.
    pub id: i64,
    /// The organisation it admits people to.
    pub org_id: i64,
    /// Whom it admits.
    #[serde(flatten)]
    pub test: RuleTest,
    /// With what role.
    pub role: Role,
}

/// Who the provider says signed in, after the ID token was verified.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The provider's issuer and the person's `sub` there: stable and never reassigned.
    pub subject: String,
    /// Their email address, if the provider vouches for it (verified); lower-cased.
    pub email: Option<String>,
    /// Their display name.
    pub name: String,
    /// Every claim of the ID token, for claim rules.
    pub claims: Value,
}

/// Why a verified identity may not sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The provider gave no verified email address for a person new to Bulwark.
    NoVerifiedEmail,
    /// The email belongs to an account already linked to a different person at the
    /// provider.
    EmailTaken,
    /// No organisation admits them and they have no account.
    NotAdmitted {
        /// Their email domain, to tell them whom to ask.
        domain: Option<String>,
    },
}

/// A sign-in in progress, as stored under its state.
#[derive(Debug, Clone)]
pub struct SignOnAttempt {
    /// The PKCE code verifier.
    pub verifier: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// Where to go afterwards.
    pub next: String,
}

impl RuleTest {
    /// How the audit trail and messages name it, like `email at north.gov.uk`.
    pub fn described(&self) -> String {
        match self {
            RuleTest::EmailDomain { domain } => format!("email at {domain}"),
            RuleTest::Claim { claim, value } => format!("claim {claim} = {value}"),
        }
    }

    /// Whether `identity` passes this test.
    pub fn admits(&self, identity: &Identity) -> bool {
        match self {
            RuleTest::EmailDomain { domain } => identity
                .email
                .as_deref()
                .and_then(|e| e.rsplit_once('@'))
                .is_some_and(|(_, d)| d.eq_ignore_ascii_case(domain)),
            RuleTest::Claim { claim, value } => match identity.claims.get(claim) {
                Some(Value::Array(items)) => items.iter().any(|v| claim_equals(v, value)),
                Some(v) => claim_equals(v, value),
                None => false,
            },
        }
    }
}

fn claim_equals(claim: &Value, value: &str) -> bool {
    match claim {
        Value::String(s) => s == value,
        Value::Bool(b) => b.to_string() == value,
        Value::Number(n) => n.to_string() == value,
        _ => false,
    }
}

fn rule_from(row: &sqlx::any::AnyRow) -> Result<SignOnRule, StoreError> {
    let kind: String = row.try_get("kind")?;
    let value: String = row.try_get("value")?;
    let test = if kind == "claim" {
        RuleTest::Claim {
            claim: row.try_get("claim")?,
            value,
        }
    } else {
        RuleTest::EmailDomain { domain: value }
    };
    Ok(SignOnRule {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        test,
        role: Role::parse(&row.try_get::<String, _>("role")?).unwrap_or(Role::Viewer),
    })
}

/// The highest role each organisation's rules give `identity`.
pub fn roles_for(rules: &[SignOnRule], identity: &Identity) -> BTreeMap<i64, Role> {
    let mut roles = BTreeMap::new();
    for rule in rules.iter().filter(|r| r.test.admits(identity)) {
        let role = roles.entry(rule.org_id).or_insert(rule.role);
        *role = (*role).max(rule.role);
    }
    roles
}

const SIGN_ON: &str = "single sign-on";

impl Store {
    /// The sign-on rules of `org`, by kind and value.
    pub async fn sign_on_rules(&self, org: i64) -> Result<Vec<SignOnRule>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, org_id, kind, claim, value, role FROM sign_on_rules WHERE org_id = $1 ORDER BY kind DESC, claim, value",
        )
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rule_from).collect()
    }

    /// Adds a sign-on rule to `org`, audited; the same test twice is a conflict.
    pub async fn add_sign_on_rule(
        &self,
        org: i64,
        test: &RuleTest,
        role: Role,
        actor: &Actor,
    ) -> Result<SignOnRule, StoreError> {
        let test = match test {
            RuleTest::EmailDomain { domain } => RuleTest::EmailDomain {
                domain: domain.trim().to_lowercase(),
            },
            RuleTest::Claim { claim, value } => RuleTest::Claim {
                claim: claim.trim().into(),
                value: value.trim().into(),
            },
        };
        let (kind, claim, value) = match &test {
            RuleTest::EmailDomain { domain } => ("email-domain", "", domain.as_str()),
            RuleTest::Claim { claim, value } => ("claim", claim.as_str(), value.as_str()),
        };
        let described = test.described();
        let mut tx = self.pool.begin().await?;
        let exists = sqlx::query(
            "SELECT id FROM sign_on_rules WHERE org_id = $1 AND kind = $2 AND claim = $3 AND value = $4",
        )
        .bind(org)
        .bind(kind)
        .bind(claim)
        .bind(value)
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!(
                "there is already a rule for {described}"
            )));
        }
        let row = sqlx::query(
            "INSERT INTO sign_on_rules (org_id, kind, claim, value, role, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(org)
        .bind(kind)
        .bind(claim)
        .bind(value)
        .bind(role.as_str())
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let after = Some(role.as_str().into());
        finish(
            tx,
            org,
            actor,
            ["create", "sign-on rule", &described],
            None,
            after,
        )
        .await?;
        Ok(SignOnRule {
            id,
            org_id: org,
            test,
            role,
        })
    }

    /// Removes rule `id` of `org`, audited. Members it admitted keep their membership until
    /// they next sign in. A rule that is not there is [`StoreError::NotFound`].
    pub async fn remove_sign_on_rule(
        &self,
        org: i64,
        id: i64,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT id, org_id, kind, claim, value, role FROM sign_on_rules WHERE org_id = $1 AND id = $2",
        )
        .bind(org)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let rule = rule_from(&row)?;
        sqlx::query("DELETE FROM sign_on_rules WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let described = rule.test.described();
        let before = Some(rule.role.as_str().into());
        finish(
            tx,
            org,
            actor,
            ["delete", "sign-on rule", &described],
            before,
            None,
        )
        .await
    }

    /// Remembers a sign-in sent to the provider under `state` (only its hash is stored), and
    /// forgets attempts older than [`ATTEMPT_SECONDS`].
    pub async fn begin_sign_on(
        &self,
        state: &str,
        attempt: &SignOnAttempt,
    ) -> Result<(), StoreError> {
        let t = now();
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM sign_on_attempts WHERE created_at < $1")
            .bind(t - ATTEMPT_SECONDS)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sign_on_attempts (state_hash, verifier, nonce, next, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash_secret(state))
        .bind(&attempt.verifier)
        .bind(&attempt.nonce)
        .bind(&attempt.next)
        .bind(t)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the sign-in begun under `state`: each can be finished once, within
    /// [`ATTEMPT_SECONDS`].
    pub async fn take_sign_on(&self, state: &str) -> Result<Option<SignOnAttempt>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM sign_on_attempts WHERE state_hash = $1 RETURNING verifier, nonce, next, created_at",
        )
        .bind(hash_secret(state))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        if row.try_get::<i64, _>("created_at")? < now() - ATTEMPT_SECONDS {
            return Ok(None);
        }
        Ok(Some(SignOnAttempt {
            verifier: row.try_get("verifier")?,
            nonce: row.try_get("nonce")?,
            next: row.try_get("next")?,
        }))
    }

    /// The account `identity` signs in to, with its memberships brought up to date with the
    /// organisations' rules, all in one transaction:
    ///
    /// - the account linked to the identity's subject; else the account with its verified
    ///   email, which is then linked (unless linked to another subject: refused); else a new
    ///   account without a password, when some organisation admits the identity (else
    ///   refused, so that a provider's whole directory does not become accounts);
    /// - each organisation whose rules admit it gets a membership with the highest role they
    ///   give, unless an administrator gave one by hand (that one stays as it is);
    /// - memberships that rules gave and no rule gives any more end.
    pub async fn sign_on(&self, identity: &Identity) -> Result<Result<User, Refusal>, StoreError> {
        let rows = sqlx::query("SELECT id, org_id, kind, claim, value, role FROM sign_on_rules")
            .fetch_all(&self.pool)
            .await?;
        let rules = rows.iter().map(rule_from).collect::<Result<Vec<_>, _>>()?;
        let roles = roles_for(&rules, identity);

        let mut tx = self.pool.begin().await?;
        let by_subject = sqlx::query("SELECT id FROM users WHERE oidc_subject = $1")
            .bind(&identity.subject)
            .fetch_optional(&mut *tx)
            .await?;
        let user_id: i64 = match by_subject {
            Some(row) => row.try_get("id")?,
            None => {
                let Some(email) = identity.email.as_deref() else {
                    return Ok(Err(Refusal::NoVerifiedEmail));
                };
                let by_email = sqlx::query("SELECT id, oidc_subject FROM users WHERE email = $1")
                    .bind(email)
                    .fetch_optional(&mut *tx)
                    .await?;
                match by_email {
                    Some(row) => {
                        if row.try_get::<Option<String>, _>("oidc_subject")?.is_some() {
                            return Ok(Err(Refusal::EmailTaken));
                        }
                        let id: i64 = row.try_get("id")?;
                        sqlx::query("UPDATE users SET oidc_subject = $1 WHERE id = $2")
                            .bind(&identity.subject)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        id
                    }
                    None if roles.is_empty() => {
                        let domain = email.rsplit_once('@').map(|(_, d)| d.to_string());
                        return Ok(Err(Refusal::NotAdmitted { domain }));
                    }
                    None => {
                        let name = if identity.name.trim().is_empty() {
                            email
                        } else {
                            identity.name.trim()
                        };
                        let row = sqlx::query(
                            "INSERT INTO users (email, name, password_hash, is_admin, created_at, oidc_subject) VALUES ($1, $2, $3, 0, $4, $5) RETURNING id",
                        )
                        .bind(email)
                        .bind(name)
                        .bind(SIGN_ON_ONLY)
                        .bind(now())
                        .bind(&identity.subject)
                        .fetch_one(&mut *tx)
                        .await?;
                        row.try_get("id")?
                    }
                }
            }
        };
        let row =
            sqlx::query("SELECT email, name, is_admin, password_hash FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?;
        let user = User {
            id: user_id,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            is_admin: row.try_get::<i64, _>("is_admin")? != 0,
            password_hash: row.try_get("password_hash")?,
        };

        let held = sqlx::query("SELECT org_id, role, source FROM memberships WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await?;
        let mut held_by_org = BTreeMap::new();
        for r in &held {
            held_by_org.insert(
                r.try_get::<i64, _>("org_id")?,
                (
                    r.try_get::<String, _>("role")?,
                    r.try_get::<String, _>("source")?,
                ),
            );
        }
        let actor = Actor {
            user_id: None,
            label: SIGN_ON.into(),
        };
        for (&org, &role) in &roles {
            match held_by_org.get(&org) {
                Some((_, source)) if source == "manual" => continue,
                Some((held, _)) if held == role.as_str() => continue,
                _ => {}
            }
            sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND org_id = $2")
                .bind(user_id)
                .bind(org)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO memberships (user_id, org_id, role, source) VALUES ($1, $2, $3, 'sign-on')",
            )
            .bind(user_id)
            .bind(org)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?;
            let change = Change {
                org: Some(org),
                actor: &actor,
                action: "grant",
                entity: "membership",
                entity_id: &user.email,
                before: held_by_org.get(&org).map(|(r, _)| r.as_str().into()),
                after: Some(role.as_str().into()),
                summary: None,
            };
            record(&mut *tx, change).await?;
        }
        for (&org, (held, source)) in &held_by_org {
            if source != "sign-on" || roles.contains_key(&org) {
                continue;
            }
            sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND org_id = $2")
                .bind(user_id)
                .bind(org)
                .execute(&mut *tx)
                .await?;
            let change = Change {
                org: Some(org),
                actor: &actor,
                action: "revoke",
                entity: "membership",
                entity_id: &user.email,
                before: Some(held.as_str().into()),
                after: None,
                summary: None,
            };
            record(&mut *tx, change).await?;
        }
        tx.commit().await?;
        Ok(Ok(user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn person(email: Option<&str>, claims: Value) -> Identity {
        Identity {
            subject: "https://idp.example#1".into(),
            email: email.map(str::to_string),
            name: "Pat".into(),
            claims,
        }
    }

    fn rule(org: i64, test: RuleTest, role: Role) -> SignOnRule {
        SignOnRule {
            id: 0,
            org_id: org,
            test,
            role,
        }
    }

    #[test]
    fn email_domains_match_exactly_and_claims_match_values_or_list_members() {
        let domain = RuleTest::EmailDomain {
            domain: "north.gov.uk".into(),
        };
        assert!(domain.admits(&person(Some("pat@north.gov.uk"), json!({}))));
        assert!(domain.admits(&person(Some("pat@NORTH.gov.uk"), json!({}))));
        assert!(!domain.admits(&person(Some("pat@evilnorth.gov.uk"), json!({}))));
        assert!(!domain.admits(&person(Some("pat@north.gov.uk.evil"), json!({}))));
        assert!(!domain.admits(&person(None, json!({}))));
        let group = RuleTest::Claim {
            claim: "groups".into(),
            value: "planners".into(),
        };
        assert!(group.admits(&person(None, json!({"groups": ["x", "planners"]}))));
        assert!(group.admits(&person(None, json!({"groups": "planners"}))));
        assert!(!group.admits(&person(None, json!({"groups": ["planner"]}))));
        assert!(!group.admits(&person(None, json!({"roles": ["planners"]}))));
    }

    #[test]
    fn the_highest_role_of_an_organisations_matching_rules_wins() {
        let me = person(
            Some("pat@north.gov.uk"),
            json!({"roles": ["Bulwark.Admin"]}),
        );
        let rules = [
            rule(
                1,
                RuleTest::EmailDomain {
                    domain: "north.gov.uk".into(),
                },
                Role::Viewer,
            ),
            rule(
                1,
                RuleTest::Claim {
                    claim: "roles".into(),
                    value: "Bulwark.Admin".into(),
                },
                Role::Admin,
            ),
            rule(
                2,
                RuleTest::EmailDomain {
                    domain: "south.gov.uk".into(),
                },
                Role::Editor,
            ),
        ];
        let roles = roles_for(&rules, &me);
        assert_eq!(
            roles.into_iter().collect::<Vec<_>>(),
            vec![(1, Role::Admin)]
        );
    }
}
