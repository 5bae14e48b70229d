//! Single sign-on with OpenID Connect: the authorisation code flow with PKCE, beside local
//! accounts, for Microsoft Entra ID or any standard provider.
//!
//! The server is registered with one provider ([`SignOnSettings`]). A sign-in starts at
//! `/login/sso`, which remembers a PKCE verifier and nonce in the database under a fresh
//! state (held by the browser in a cookie) and sends the browser to the provider; the
//! provider sends it back to `/login/sso/callback`, where the code is exchanged for an ID
//! token, the token is verified (signature against the provider's published keys, issuer,
//! audience, expiry, nonce) and the store decides which account it is and what it may do
//! ([`bulwark_store::Store::sign_on`]). The provider's discovery document and keys are
//! cached for an hour and fetched again when a token is signed with a key not seen yet.

use base64::Engine;
use bulwark_store::{Identity, SignOnAttempt};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken};
use openidconnect::{
    AsyncHttpClient, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    HttpRequest, HttpResponse, IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    TokenResponse,
};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Where the provider sends people back to, under the server's public address.
pub const CALLBACK_PATH: &str = "/login/sso/callback";

/// How long the provider's discovery document and keys are trusted before being fetched
/// again.
const METADATA_SECONDS: u64 = 3600;

/// The most a provider's answer may hold.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// How this server is registered with its sign-on provider.
#[derive(Clone)]
pub struct SignOnSettings {
    /// The provider's issuer URL, like
    /// `https://login.microsoftonline.com/TENANT-ID/v2.0`.
    pub issuer: String,
    /// The client (application) id the provider gave this server.
    pub client_id: String,
    /// The client secret, if the provider gave one.
    pub client_secret: Option<String>,
    /// This server's public address as people's browsers reach it, like
    /// `https://bulwark.example.gov.uk` (the redirect URI is this and [`CALLBACK_PATH`]).
    pub public_url: String,
    /// What the sign-in button calls the provider, like `Microsoft Entra ID`.
    pub provider_name: String,
    /// Treat the provider's `email` claim as verified even without `email_verified` (only
    /// for a provider whose directory alone assigns addresses, such as a single-tenant
    /// Entra ID).
    pub trust_email: bool,
    /// Scopes to ask for beside `openid email profile`.
    pub extra_scopes: Vec<String>,
}

impl fmt::Debug for SignOnSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignOnSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .field("public_url", &self.public_url)
            .field("provider_name", &self.provider_name)
            .field("trust_email", &self.trust_email)
            .field("extra_scopes", &self.extra_scopes)
            .finish()
    }
}

/// Why a sign-in through the provider failed, in words for the person signing in (the
/// detail goes to the log).
#[derive(Debug, thiserror::Error)]
pub enum SignOnError {
    /// The provider could not be reached or answered nonsense.
    #[error("the sign-in service did not answer properly: {0}")]
    Unavailable(String),
    /// The provider's answer failed a check (signature, issuer, audience, nonce, expiry).
    #[error("the sign-in could not be checked: {0}")]
    Rejected(String),
}

/// The HTTP client for the provider: no redirects followed, short timeouts, bounded answers.
struct HttpClient(reqwest::Client);

/// A failed call to the provider.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpFailure(String);

impl<'c> AsyncHttpClient<'c> for HttpClient {
    type Error = HttpFailure;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpFailure>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let failed = |e: reqwest::Error| HttpFailure(e.to_string());
            let (parts, body) = request.into_parts();
            let mut answer = self
                .0
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(failed)?;
            let mut response = openidconnect::http::Response::builder().status(answer.status());
            if let Some(headers) = response.headers_mut() {
                *headers = answer.headers().clone();
            }
            let mut body = Vec::new();
            while let Some(chunk) = answer.chunk().await.map_err(failed)? {
                if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                    return Err(HttpFailure(format!(
                        "the answer is larger than {MAX_ANSWER_BYTES} bytes"
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            response.body(body).map_err(|e| HttpFailure(e.to_string()))
        })
    }
}

/// The server's sign-on provider: settings, HTTP client and cached discovery document.
pub struct Provider {
    settings: SignOnSettings,
    http: HttpClient,
    metadata: tokio::sync::Mutex<Option<(Instant, ProviderMetadataWithLogout)>>,
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Where to send the browser to sign in, and what to remember until it comes back.
pub struct Started {
    /// The provider's authorisation URL.
    pub url: String,
    /// The state the browser must bring back (kept in its cookie).
    pub state: String,
    /// The PKCE verifier and nonce, to store under the state.
    pub attempt: SignOnAttempt,
}

impl Provider {
    /// A provider for `settings`; nothing is fetched until someone signs in.
    pub fn new(settings: SignOnSettings) -> Result<Provider, SignOnError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| SignOnError::Unavailable(e.to_string()))?;
        Ok(Provider {
            settings,
            http: HttpClient(client),
            metadata: tokio::sync::Mutex::new(None),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &SignOnSettings {
        &self.settings
    }

    /// The provider's discovery document and keys: cached, or fetched when older than an
    /// hour or when `refresh` asks for it.
    async fn metadata(&self, refresh: bool) -> Result<ProviderMetadataWithLogout, SignOnError> {
        let mut cached = self.metadata.lock().await;
        if let Some((at, md)) = cached.as_ref()
            && !refresh
            && at.elapsed() < Duration::from_secs(METADATA_SECONDS)
        {
            return Ok(md.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| SignOnError::Unavailable(format!("the issuer URL: {e}")))?;
        let md = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| SignOnError::Unavailable(describe(&e)))?;
        *cached = Some((Instant::now(), md.clone()));
        Ok(md)
    }

    fn redirect_url(&self) -> Result<RedirectUrl, SignOnError> {
        let base = self.settings.public_url.trim_end_matches('/');
        RedirectUrl::new(format!("{base}{CALLBACK_PATH}"))
            .map_err(|e| SignOnError::Unavailable(format!("the public URL: {e}")))
    }

    fn client(
        &self,
        md: ProviderMetadataWithLogout,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        SignOnError,
    > {
        Ok(CoreClient::from_provider_metadata(
            md,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(self.redirect_url()?))
    }

    /// Starts a sign-in that returns to `next`.
    pub async fn start(&self, next: String) -> Result<Started, SignOnError> {
        let client = self.client(self.metadata(false).await?)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge);
        for scope in &self.settings.extra_scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(Started {
            url: url.to_string(),
            state: state.secret().clone(),
            attempt: SignOnAttempt {
                verifier: verifier.secret().clone(),
                nonce: nonce.secret().clone(),
                next,
            },
        })
    }

    /// Exchanges the provider's `code` for an ID token and verifies it; returns who signed
    /// in and the token (kept as the hint for signing out).
    pub async fn finish(
        &self,
        code: String,
        attempt: &SignOnAttempt,
    ) -> Result<(Identity, String), SignOnError> {
        let client = self.client(self.metadata(false).await?)?;
        let answer = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| SignOnError::Unavailable(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(attempt.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| SignOnError::Rejected(describe(&e)))?;
        let token = answer
            .id_token()
            .ok_or_else(|| SignOnError::Rejected("the provider sent no ID token".into()))?
            .clone();
        let nonce = Nonce::new(attempt.nonce.clone());
        let subject = match token.claims(&client.id_token_verifier(), &nonce) {
            Ok(claims) => claims.subject().as_str().to_string(),
            // A key not seen yet: the provider may have rotated its keys.
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                let client = self.client(self.metadata(true).await?)?;
                token
                    .claims(&client.id_token_verifier(), &nonce)
                    .map_err(|e| SignOnError::Rejected(e.to_string()))?
                    .subject()
                    .as_str()
                    .to_string()
            }
            Err(e) => return Err(SignOnError::Rejected(e.to_string())),
        };
        let raw = token.to_string();
        let claims = payload(&raw)?;
        Ok((self.identity(&subject, claims), raw))
    }

    /// Who the verified claims say signed in. The email counts only when the provider
    /// vouches for it: `email_verified`, Entra ID's `xms_edov` (the domain's owner verified
    /// it), or [`SignOnSettings::trust_email`].
    fn identity(&self, subject: &str, claims: serde_json::Value) -> Identity {
        let text = |name: &str| claims.get(name).and_then(|v| v.as_str()).map(str::trim);
        let vouched = |name: &str| {
            claims
                .get(name)
                .is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"))
        };
        let verified =
            self.settings.trust_email || vouched("email_verified") || vouched("xms_edov");
        let email = text("email")
            .filter(|e| verified && e.contains('@'))
            .map(str::to_lowercase);
        let name = text("name")
            .or_else(|| text("preferred_username"))
            .unwrap_or_default()
            .to_string();
        Identity {
            subject: format!("{}#{subject}", self.settings.issuer),
            email,
            name,
            claims,
        }
    }

    /// The provider's sign-out address for a session that began with `id_token`, returning
    /// to this server's sign-in page; `None` when the provider offers none.
    pub async fn sign_out_url(&self, id_token: &str) -> Option<String> {
        let md = self.metadata(false).await.ok()?;
        let end = md.additional_metadata().end_session_endpoint.clone()?;
        let token = CoreIdToken::from_str(id_token).ok()?;
        let back = format!("{}/login", self.settings.public_url.trim_end_matches('/'));
        let request = LogoutRequest::from(end)
            .set_id_token_hint(&token)
            .set_client_id(ClientId::new(self.settings.client_id.clone()))
            .set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(back).ok()?);
        Some(request.http_get_url().to_string())
    }
}

/// The claims of a compact JWT whose signature has already been verified.
fn payload(jwt: &str) -> Result<serde_json::Value, SignOnError> {
    let part = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| SignOnError::Rejected("the ID token is not a JWT".into()))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|e| SignOnError::Rejected(format!("the ID token's claims: {e}")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| SignOnError::Rejected(format!("the ID token's claims: {e}")))
}

/// An error with its causes, for the log and the page.
fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn provider(trust_email: bool) -> Provider {
        Provider::new(SignOnSettings {
            issuer: "https://idp.example".into(),
            client_id: "bulwark".into(),
            client_secret: None,
            public_url: "https://bulwark.example".into(),
            provider_name: "Example".into(),
            trust_email,
            extra_scopes: Vec::new(),
        })
        .unwrap()
    }

    #[test]
    fn an_email_counts_only_when_the_provider_vouches_for_it() {
        let p = provider(false);
        let unverified = p.identity("1", json!({"email": "Pat@North.gov.uk"}));
        assert_eq!(unverified.email, None);
        assert_eq!(unverified.subject, "https://idp.example#1");
        let verified = p.identity(
            "1",
            json!({"email": "Pat@North.gov.uk", "email_verified": true}),
        );
        assert_eq!(verified.email.as_deref(), Some("pat@north.gov.uk"));
        let entra = p.identity("1", json!({"email": "pat@north.gov.uk", "xms_edov": true}));
        assert_eq!(entra.email.as_deref(), Some("pat@north.gov.uk"));
        let trusted = provider(true).identity("1", json!({"email": "pat@north.gov.uk"}));
        assert_eq!(trusted.email.as_deref(), Some("pat@north.gov.uk"));
        let false_flag = p.identity(
            "1",
            json!({"email": "pat@north.gov.uk", "email_verified": false}),
        );
        assert_eq!(false_flag.email, None);
    }

    #[test]
    fn the_secret_never_appears_in_logs() {
        let mut p = provider(false);
        p.settings.client_secret = Some("hunter2".into());
        assert!(!format!("{:?}", p.settings).contains("hunter2"));
    }
}
