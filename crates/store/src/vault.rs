//! Keys for personal data, kept outside the database: every personal field of a person record
//! is sealed with XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`), and postcodes are also
//! kept as keyed hashes (HMAC-SHA-256) so records can be found by postcode without it being
//! stored in plain text.
//!
//! A key file holds numbered keys, one a line (`ID BASE64`), oldest first. The last key seals
//! new data; every key listed opens data sealed with it, so a key is rotated by adding a new
//! one, re-sealing (`bulwark people rekey`), then removing the old one. Each key is 32 random
//! bytes from which two keys are derived: one to seal, one to hash.
//!
//! A sealed field is `p1.ID.BASE64(nonce ‖ ciphertext ‖ tag)` with a random 24-byte nonce;
//! its associated data names the record and the field, so a sealed value moved to another
//! record or field does not open.

use crate::StoreError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::Path;

/// One key of a [`Keyring`], with the two keys derived from it.
struct Key {
    id: u32,
    seal: [u8; 32],
    hash: [u8; 32],
}

impl Key {
    fn from_secret(id: u32, secret: &[u8; 32]) -> Key {
        Key {
            id,
            seal: derive(secret, b"bulwark personal data: seal v1"),
            hash: derive(secret, b"bulwark personal data: hash v1"),
        }
    }
}

/// HMAC-SHA-256 of `label` under `secret`: a key for one purpose.
fn derive(secret: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

/// The keys that seal and open personal data. Its `Debug` never shows a key.
pub struct Keyring {
    /// Oldest first; the last seals.
    keys: Vec<Key>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<u32> = self.keys.iter().map(|k| k.id).collect();
        f.debug_struct("Keyring").field("key_ids", &ids).finish()
    }
}

fn key_error(message: impl Into<String>) -> StoreError {
    StoreError::Key(message.into())
}

fn random_secret() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    bytes
}

const HEADER: &str = "# Bulwark personal data keys. Keep this file secret, outside the database and its backups.\n\
# One key a line: ID BASE64. The last key seals new data; every key listed opens data.\n";

impl Keyring {
    /// A keyring with one new random key, kept nowhere: for tests and throwaway demos.
    pub fn ephemeral() -> Keyring {
        Keyring {
            keys: vec![Key::from_secret(1, &random_secret())],
        }
    }

    /// Reads a key file's text (see the module documentation); `source` names it in errors.
    pub fn parse(text: &str, source: &str) -> Result<Keyring, StoreError> {
        let mut keys: Vec<Key> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |why: &str| key_error(format!("{source} line {}: {why}", n + 1));
            let (id, secret) = line
                .split_once(char::is_whitespace)
                .ok_or_else(|| bad("expected a key number and the key, like `1 BASE64`"))?;
            let id: u32 = id
                .parse()
                .map_err(|_| bad("the key number is not a whole number"))?;
            let bytes = URL_SAFE_NO_PAD
                .decode(secret.trim())
                .map_err(|_| bad("the key is not base64 (URL-safe, without padding)"))?;
            let secret: [u8; 32] = bytes
                .try_into()
                .map_err(|_| bad("a key is 32 bytes (43 base64 characters)"))?;
            if keys.iter().any(|k| k.id == id) {
                return Err(bad("this key number is listed twice"));
            }
            keys.push(Key::from_secret(id, &secret));
        }
        if keys.is_empty() {
            return Err(key_error(format!("{source} holds no key")));
        }
        Ok(Keyring { keys })
    }

    /// Reads the key file at `path`. On Unix a file that others than its owner may read is
    /// refused.
    pub fn load(path: &Path) -> Result<Keyring, StoreError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| key_error(format!("cannot read the key file {shown}: {e}")))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .map_err(|e| key_error(format!("cannot read the key file {shown}: {e}")))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(key_error(format!(
                    "the key file {shown} may be read by others (mode {:o}); make it readable by its owner only: chmod 600 {shown}",
                    mode & 0o777
                )));
            }
        }
        Keyring::parse(&text, &shown)
    }

    /// Reads the key file at `path`, first creating it with one new key (readable by its
    /// owner only) when there is none.
    pub fn load_or_create(path: &Path) -> Result<Keyring, StoreError> {
        if !path.exists() {
            write_new(path, &format!("{HEADER}{}\n", key_line(1)))?;
        }
        Keyring::load(path)
    }

    /// Adds a new key to the key file at `path` (creating it if needed); the new key seals
    /// from then on. Returns its number.
    pub fn add_key(path: &Path) -> Result<u32, StoreError> {
        if !path.exists() {
            write_new(path, &format!("{HEADER}{}\n", key_line(1)))?;
            return Ok(1);
        }
        let ring = Keyring::load(path)?;
        let id = ring.keys.iter().map(|k| k.id).max().unwrap_or(0) + 1;
        let mut text = std::fs::read_to_string(path)
            .map_err(|e| key_error(format!("cannot read {}: {e}", path.display())))?;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&key_line(id));
        text.push('\n');
        let staged = path.with_extension("new");
        write_new(&staged, &text)?;
        std::fs::rename(&staged, path)
            .map_err(|e| key_error(format!("cannot replace {}: {e}", path.display())))?;
        Ok(id)
    }

    /// The number of the key that seals.
    pub fn current(&self) -> u32 {
        self.newest().id
    }

    /// The numbers of every key, oldest first.
    pub fn ids(&self) -> Vec<u32> {
        self.keys.iter().map(|k| k.id).collect()
    }

    fn newest(&self) -> &Key {
        self.keys.last().expect("a keyring has a key")
    }

    /// Seals `plain` for `context` (the record and field it belongs to) with the newest key.
    pub(crate) fn seal(&self, context: &str, plain: &str) -> String {
        let key = self.newest();
        let cipher = XChaCha20Poly1305::new((&key.seal).into());
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).expect("the operating system provides randomness");
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("sealing in memory does not fail");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("p1.{}.{}", key.id, URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Opens a value sealed by [`Keyring::seal`] for the same `context`.
    pub(crate) fn open(&self, context: &str, sealed: &str) -> Result<String, StoreError> {
        let mut parts = sealed.splitn(3, '.');
        let (Some("p1"), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(key_error(format!(
                "a sealed value of {context} is not in Bulwark's format"
            )));
        };
        let key = id
            .parse::<u32>()
            .ok()
            .and_then(|id| self.keys.iter().find(|k| k.id == id))
            .ok_or_else(|| {
                key_error(format!(
                    "{context} was sealed with key {id}, which is not in the key file (keys there: {:?})",
                    self.ids()
                ))
            })?;
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .ok()
            .filter(|b| b.len() > 24)
            .ok_or_else(|| key_error(format!("a sealed value of {context} is damaged")))?;
        let (nonce, sealed) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().expect("split at 24");
        let plain = XChaCha20Poly1305::new((&key.seal).into())
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| {
                key_error(format!(
                    "a sealed value of {context} does not open with key {}: it was changed, or belongs elsewhere",
                    key.id
                ))
            })?;
        String::from_utf8(plain).map_err(|_| key_error(format!("{context} is not text")))
    }

    /// The keyed hash of `value` (already normalised) of kind `kind` (like `postcode`) under
    /// the newest key, as stored: `ID.HEX`.
    pub(crate) fn hash(&self, kind: &str, value: &str) -> String {
        hash_with(self.newest(), kind, value)
    }

    /// The keyed hashes of `value` under every key, to find records sealed under any of them.
    pub(crate) fn hashes(&self, kind: &str, value: &str) -> Vec<String> {
        self.keys
            .iter()
            .map(|k| hash_with(k, kind, value))
            .collect()
    }
}

fn hash_with(key: &Key, kind: &str, value: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key.hash).expect("HMAC takes any key");
    mac.update(kind.as_bytes());
    mac.update(&[0]);
    mac.update(value.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{}.{hex}", key.id)
}

/// A new key line: `ID BASE64`.
fn key_line(id: u32) -> String {
    format!("{id} {}", URL_SAFE_NO_PAD.encode(random_secret()))
}

/// Creates `path` (which must not exist) with `text`, readable and writable by its owner only.
fn write_new(path: &Path, text: &str) -> Result<(), StoreError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| {
        key_error(format!(
            "cannot create the key file {}: {e}",
            path.display()
        ))
    })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| key_error(format!("cannot write the key file {}: {e}", path.display())))
}

/// The key file kept beside an SQLite database (`PATH.people-keys`), or `None` for a URL that
/// is not an SQLite file.
pub fn default_key_file(database_url: &str) -> Option<std::path::PathBuf> {
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    Some(std::path::PathBuf::from(format!("{path}.people-keys")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_in_their_own_place_and_with_their_key() {
        let ring = Keyring::ephemeral();
        let sealed = ring.seal("person abc name", "Ada Lovelace");
        assert!(!sealed.contains("Ada"));
        assert_eq!(
            ring.open("person abc name", &sealed).unwrap(),
            "Ada Lovelace"
        );
        assert!(
            ring.open("person abd name", &sealed).is_err(),
            "moved record"
        );
        assert!(
            ring.open("person abc phone", &sealed).is_err(),
            "moved field"
        );
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(ring.open("person abc name", &tampered).is_err());
        assert!(
            Keyring::ephemeral()
                .open("person abc name", &sealed)
                .is_err()
        );
        assert_ne!(
            ring.seal("c", "same"),
            ring.seal("c", "same"),
            "random nonces"
        );
    }

    #[test]
    fn key_files_rotate_and_old_keys_still_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        let first = Keyring::load_or_create(&path).unwrap();
        assert_eq!(first.current(), 1);
        let old = first.seal("ctx", "NM1 4AB");
        assert_eq!(Keyring::add_key(&path).unwrap(), 2);
        let ring = Keyring::load(&path).unwrap();
        assert_eq!(ring.ids(), vec![1, 2]);
        assert_eq!(ring.open("ctx", &old).unwrap(), "NM1 4AB");
        assert!(ring.seal("ctx", "x").starts_with("p1.2."));
        assert_eq!(ring.hashes("postcode", "NM14AB").len(), 2);
        assert_eq!(
            ring.hashes("postcode", "NM14AB")[0],
            first.hash("postcode", "NM14AB")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let refused = Keyring::load(&path).unwrap_err().to_string();
            assert!(refused.contains("chmod 600"), "{refused}");
        }
    }

    #[test]
    fn bad_key_files_say_where() {
        let e = Keyring::parse("# c\n1 c2hvcnQ\n", "k")
            .unwrap_err()
            .to_string();
        assert!(e.contains("k line 2") && e.contains("32 bytes"), "{e}");
        assert!(Keyring::parse("# only comments\n", "k").is_err());
        assert_eq!(
            default_key_file("sqlite:///tmp/b.db?mode=rwc").unwrap(),
            std::path::PathBuf::from("/tmp/b.db.people-keys")
        );
        assert!(default_key_file("postgres://x/y").is_none());
        assert!(format!("{:?}", Keyring::ephemeral()).contains("key_ids"));
    }
}
