//! Random secrets (session and API tokens) and how they are kept: only their hash is stored.

use base64::Engine;
use sha2::{Digest, Sha256};

/// A new random secret of 32 bytes, URL-safe base64, with a readable prefix.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The SHA-256 of a secret, hex-encoded: what the database keeps instead of the secret.
/// Secrets are 256-bit random values, so a fast hash is enough (no password stretching).
pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
