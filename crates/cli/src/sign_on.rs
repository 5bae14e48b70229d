//! `serve`'s single sign-on options: registering the server with an OpenID Connect provider
//! such as Microsoft Entra ID.

use anyhow::{Context, bail};
use bulwark_web::sign_on::{Provider, SignOnSettings};
use clap::Args;
use std::sync::Arc;

/// Single sign-on (OpenID Connect) beside local accounts; off unless `--oidc-issuer` is given.
#[derive(Args, Debug)]
pub struct SignOnArgs {
    /// The provider's issuer URL, like https://login.microsoftonline.com/TENANT-ID/v2.0
    /// (switches single sign-on on).
    #[arg(long, env = "BULWARK_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    /// The application (client) id the provider gave Bulwark (its secret, if any, goes in
    /// the environment variable BULWARK_OIDC_CLIENT_SECRET).
    #[arg(long, env = "BULWARK_OIDC_CLIENT_ID")]
    oidc_client_id: Option<String>,
    /// Bulwark's address as people's browsers reach it, like https://bulwark.example.gov.uk;
    /// the provider must list PUBLIC_URL/login/sso/callback as a redirect URI.
    #[arg(long, env = "BULWARK_PUBLIC_URL")]
    public_url: Option<String>,
    /// What the sign-in button calls the provider.
    #[arg(long, env = "BULWARK_OIDC_NAME", default_value = "Microsoft Entra ID")]
    oidc_name: String,
    /// Trust the provider's email claim without `email_verified` (only where the provider's
    /// directory alone assigns addresses).
    #[arg(long)]
    oidc_trust_email: bool,
    /// Further scopes to ask for, comma-separated.
    #[arg(long, value_delimiter = ',')]
    oidc_scope: Vec<String>,
}

impl SignOnArgs {
    /// The provider these options describe, or `None` when single sign-on is off.
    pub fn provider(mut self) -> anyhow::Result<Option<Arc<Provider>>> {
        let Some(issuer) = self.oidc_issuer.take() else {
            return Ok(None);
        };
        let Some(client_id) = self.oidc_client_id.take() else {
            bail!("--oidc-issuer needs --oidc-client-id (or BULWARK_OIDC_CLIENT_ID) as well");
        };
        let Some(public_url) = self.public_url.take() else {
            bail!(
                "--oidc-issuer needs --public-url (or BULWARK_PUBLIC_URL): Bulwark's address as browsers reach it"
            );
        };
        if !public_url.starts_with("https://")
            && !public_url.starts_with("http://127.0.0.1")
            && !public_url.starts_with("http://localhost")
        {
            bail!("--public-url must be an https:// address (plain http only on this machine)");
        }
        // From the environment only: command lines are visible to every user of the machine.
        let client_secret = std::env::var("BULWARK_OIDC_CLIENT_SECRET")
            .ok()
            .filter(|s| !s.is_empty());
        let provider = Provider::new(SignOnSettings {
            issuer,
            client_id,
            client_secret,
            public_url,
            provider_name: self.oidc_name,
            trust_email: self.oidc_trust_email,
            extra_scopes: self.oidc_scope,
        })
        .context("cannot set up single sign-on")?;
        Ok(Some(Arc::new(provider)))
    }
}
