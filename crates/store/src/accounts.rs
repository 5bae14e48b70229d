//! Users, memberships with roles, sessions, API tokens and login throttling.

use crate::audit::{Actor, Change, record};
use crate::{Store, StoreError, hash_secret, new_secret, now};
use serde::Serialize;
use sqlx::Row;

/// What a member may do in an organisation. Ordered: each role can do what the ones
/// before it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read everything in the organisation.
    Viewer,
    /// Also change the model.
    Editor,
    /// Also run community support: activate lists of vulnerable people and read and add
    /// person records (which editors and viewers never see).
    #[serde(rename = "hub-coordinator")]
    HubCoordinator,
    /// Also manage members, sharing and imports.
    Admin,
}

impl Role {
    /// The word stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::HubCoordinator => "hub-coordinator",
            Role::Admin => "admin",
        }
    }

    /// Reads a stored or submitted role.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            "hub-coordinator" => Some(Role::HubCoordinator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// An account.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    /// Database id.
    pub id: i64,
    /// Login email, lower-cased.
    pub email: String,
    /// Display name.
    pub name: String,
    /// May create organisations and manage every account.
    pub is_admin: bool,
    #[serde(skip)]
    /// The argon2id hash of the password.
    pub password_hash: String,
}

/// A user's role in one organisation.
#[derive(Debug, Clone, Serialize)]
pub struct Membership {
    /// The organisation's id.
    pub org_id: i64,
    /// Its slug.
    pub org_slug: String,
    /// Its name.
    pub org_name: String,
    /// Its model's version when the memberships were read.
    pub model_version: i64,
    /// The role held.
    pub role: Role,
}

/// Recent failed sign-ins, each as (how many, when the latest was, in seconds since 1970).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginFailures {
    /// For this account from this address.
    pub account_from_address: (i64, i64),
    /// From this address, for any account.
    pub address: (i64, i64),
    /// For this account, from anywhere.
    pub account: (i64, i64),
}

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Whose session it is.
    pub user: User,
    /// The token forms must echo back (CSRF protection).
    pub csrf: String,
    /// The organisations the user belongs to, read with the session.
    pub memberships: Vec<Membership>,
}

/// An API token's listing (the secret itself is shown once, at creation).
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    /// Database id.
    pub id: i64,
    /// What the user called it.
    pub name: String,
    /// When it was made.
    pub created_at: i64,
    /// When it was last used.
    pub last_used_at: Option<i64>,
}

/// How often, at most, a token's last use is written down.
pub const USE_RECORD_SECONDS: i64 = 60;

/// How long a session lasts without use.
pub const SESSION_SECONDS: i64 = 8 * 3600;

fn membership_from(row: &sqlx::any::AnyRow) -> Result<Membership, StoreError> {
    Ok(Membership {
        org_id: row.try_get("org_id")?,
        org_slug: row.try_get("slug")?,
        org_name: row.try_get("org_name")?,
        model_version: row.try_get("model_version")?,
        role: Role::parse(&row.try_get::<String, _>("role")?).unwrap_or(Role::Viewer),
    })
}

/// The email of account `user`, inside a transaction.
async fn user_email(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user: i64,
) -> Result<String, StoreError> {
    let row = sqlx::query("SELECT email FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.ok_or(StoreError::NotFound)?.try_get("email")?)
}

fn user_from(row: &sqlx::any::AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        is_admin: row.try_get::<i64, _>("is_admin")? != 0,
        password_hash: row.try_get("password_hash")?,
    })
}

impl Store {
    /// Creates an account. The email is stored lower-cased and must be new.
    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        is_admin: bool,
    ) -> Result<User, StoreError> {
        let email = email.trim().to_lowercase();
        if self.user_by_email(&email).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "an account for {email} already exists"
            )));
        }
        let row = sqlx::query(
            "INSERT INTO users (email, name, password_hash, is_admin, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&email)
        .bind(name)
        .bind(password_hash)
        .bind(i64::from(is_admin))
        .bind(now())
        .fetch_one(&self.pool)
        .await?;
        Ok(User {
            id: row.try_get("id")?,
            email,
            name: name.to_string(),
            is_admin,
            password_hash: password_hash.to_string(),
        })
    }

    /// Finds an account by email (any case).
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT id, email, name, is_admin, password_hash FROM users WHERE email = $1",
        )
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(user_from).transpose()?)
    }

    /// Every account, by email.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, email, name, is_admin, password_hash FROM users ORDER BY email",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(user_from).collect::<Result<_, _>>()?)
    }

    /// Gives `user` `role` in `org` (replacing any role it had there), recording who did it
    /// in the audit trail in the same transaction.
    pub async fn set_membership(
        &self,
        user: i64,
        org: i64,
        role: Role,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let email = user_email(&mut tx, user).await?;
        sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND org_id = $2")
            .bind(user)
            .bind(org)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO memberships (user_id, org_id, role) VALUES ($1, $2, $3)")
            .bind(user)
            .bind(org)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?;
        let change = Change {
            org: Some(org),
            actor,
            action: "grant",
            entity: "membership",
            entity_id: &email,
            before: None,
            after: Some(role.as_str().into()),
            summary: None,
        };
        record(&mut *tx, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes `user` from `org`, recording it in the audit trail; removing someone who is
    /// not a member (or does not exist) changes nothing.
    pub async fn remove_membership(
        &self,
        user: i64,
        org: i64,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let Ok(email) = user_email(&mut tx, user).await else {
            return Ok(());
        };
        let done = sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND org_id = $2")
            .bind(user)
            .bind(org)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() > 0 {
            let change = Change {
                org: Some(org),
                actor,
                action: "revoke",
                entity: "membership",
                entity_id: &email,
                before: None,
                after: None,
                summary: None,
            };
            record(&mut *tx, change).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The organisations `user` belongs to, by name.
    pub async fn memberships(&self, user: i64) -> Result<Vec<Membership>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.id AS org_id, o.slug, o.name AS org_name, o.model_version, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY o.name",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(membership_from).collect()
    }

    /// The members of `org` with their roles, by email.
    pub async fn members(&self, org: i64) -> Result<Vec<(User, Role)>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.name, u.is_admin, u.password_hash, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY u.email",
        )
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    user_from(r)?,
                    Role::parse(&r.try_get::<String, _>("role")?).unwrap_or(Role::Viewer),
                ))
            })
            .collect()
    }

    /// Starts a session for `user`; returns the cookie secret (only its hash is stored).
    pub async fn create_session(&self, user: i64) -> Result<String, StoreError> {
        self.create_session_with(user, None).await
    }

    /// Starts a session for `user` signed in through the provider, keeping its ID token as
    /// the hint for signing out there; returns the cookie secret.
    pub async fn create_session_with(
        &self,
        user: i64,
        id_token: Option<&str>,
    ) -> Result<String, StoreError> {
        let secret = new_secret("");
        let t = now();
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, id_token) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(hash_secret(&secret))
            .bind(user)
            .bind(new_secret(""))
            .bind(t)
            .bind(t + SESSION_SECONDS)
            .bind(id_token)
            .execute(&self.pool)
            .await?;
        Ok(secret)
    }

    /// The live session for a cookie secret, extending it on use.
    pub async fn session(&self, secret: &str) -> Result<Option<Session>, StoreError> {
        let hash = hash_secret(secret);
        let t = now();
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.name, u.is_admin, u.password_hash, s.csrf, s.expires_at, \
             o.id AS org_id, o.slug, o.name AS org_name, o.model_version, m.role \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             LEFT JOIN memberships m ON m.user_id = u.id LEFT JOIN organisations o ON o.id = m.org_id \
             WHERE s.token_hash = $1 ORDER BY o.name",
        )
        .bind(&hash)
        .fetch_all(&self.pool)
        .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        if row.try_get::<i64, _>("expires_at")? < t {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(&hash)
                .execute(&self.pool)
                .await?;
            return Ok(None);
        }
        if row.try_get::<i64, _>("expires_at")? < t + SESSION_SECONDS - 300 {
            sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2")
                .bind(t + SESSION_SECONDS)
                .bind(&hash)
                .execute(&self.pool)
                .await?;
        }
        let memberships = rows
            .iter()
            .filter(|r| {
                r.try_get::<Option<i64>, _>("org_id")
                    .ok()
                    .flatten()
                    .is_some()
            })
            .map(membership_from)
            .collect::<Result<_, _>>()?;
        Ok(Some(Session {
            user: user_from(row)?,
            csrf: row.try_get("csrf")?,
            memberships,
        }))
    }

    /// Ends a session; returns the provider's ID token when it began through the provider.
    pub async fn delete_session(&self, secret: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("DELETE FROM sessions WHERE token_hash = $1 RETURNING id_token")
            .bind(hash_secret(secret))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| r.try_get::<Option<String>, _>("id_token"))
            .transpose()?
            .flatten())
    }

    /// Creates an API token for `user`; returns its secret, shown once.
    pub async fn create_token(&self, user: i64, name: &str) -> Result<String, StoreError> {
        let secret = new_secret("bwk_");
        sqlx::query("INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(user)
            .bind(name)
            .bind(hash_secret(&secret))
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(secret)
    }

    /// The user an API token belongs to, recording its use.
    pub async fn user_by_token(&self, secret: &str) -> Result<Option<User>, StoreError> {
        let hash = hash_secret(secret);
        let row = sqlx::query(
            "SELECT u.id, u.email, u.name, u.is_admin, u.password_hash, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        // Record use at most once a minute, so that busy scripts do not write on every call.
        let t = now();
        if row
            .try_get::<Option<i64>, _>("last_used_at")?
            .is_none_or(|last| last < t - USE_RECORD_SECONDS)
        {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
                .bind(t)
                .bind(&hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(user_from(&row)?))
    }

    /// `user`'s API tokens, newest first.
    pub async fn tokens(&self, user: i64) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query("SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC")
            .bind(user)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                })
            })
            .collect()
    }

    /// Revokes one of `user`'s tokens.
    pub async fn delete_token(&self, user: i64, token: i64) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(token)
            .bind(user)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records a failed sign-in for `email` from the network `address`.
    pub async fn record_login_failure(&self, email: &str, address: &str) -> Result<(), StoreError> {
        let t = now();
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(t - 24 * 3600)
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO login_failures (email, at, address) VALUES ($1, $2, $3)")
            .bind(email.trim().to_lowercase())
            .bind(t)
            .bind(address)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Failed sign-ins in the last `seconds` for `email` from `address`, from `address` for any
    /// account, and for `email` from anywhere, each with the time of the latest.
    pub async fn recent_login_failures(
        &self,
        email: &str,
        address: &str,
        seconds: i64,
    ) -> Result<LoginFailures, StoreError> {
        let row = sqlx::query(
            "SELECT \
               COALESCE(SUM(CASE WHEN email = $1 AND address = $2 THEN 1 ELSE 0 END), 0) AS pair, \
               MAX(CASE WHEN email = $1 AND address = $2 THEN at END) AS pair_last, \
               COALESCE(SUM(CASE WHEN address = $2 THEN 1 ELSE 0 END), 0) AS addr, \
               MAX(CASE WHEN address = $2 THEN at END) AS addr_last, \
               COALESCE(SUM(CASE WHEN email = $1 THEN 1 ELSE 0 END), 0) AS acct, \
               MAX(CASE WHEN email = $1 THEN at END) AS acct_last \
             FROM login_failures WHERE (email = $1 OR address = $2) AND at >= $3",
        )
        .bind(email.trim().to_lowercase())
        .bind(address)
        .bind(now() - seconds)
        .fetch_one(&self.pool)
        .await?;
        let count = |name: &str| -> Result<(i64, i64), sqlx::Error> {
            Ok((
                row.try_get(name)?,
                row.try_get::<Option<i64>, _>(format!("{name}_last").as_str())?
                    .unwrap_or(0),
            ))
        };
        Ok(LoginFailures {
            account_from_address: count("pair")?,
            address: count("addr")?,
            account: count("acct")?,
        })
    }

    /// Forgets failed logins for `email` (after a successful one).
    pub async fn clear_login_failures(&self, email: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
