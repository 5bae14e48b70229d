//! Passwords: argon2id hashes, and the NCSC's rules for choosing one (long enough, not a
//! common password, no composition rules).

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 10;
/// Longest password accepted (argon2 would take more, but nobody types more).
pub const MAX_LENGTH: usize = 256;

/// Passwords that appear at the top of breach lists, and obvious ones for this service.
const DENY_LIST: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "abc1234567",
    "abcdefghij",
    "password1",
    "password12",
    "password123",
    "password1234",
    "passw0rd123",
    "p@ssw0rd123",
    "p@ssword123",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "qwerty123456",
    "iloveyou123",
    "letmein123",
    "welcome123",
    "welcome1234",
    "changeme123",
    "changeme",
    "football123",
    "baseball123",
    "sunshine123",
    "princess123",
    "dragon1234",
    "monkey1234",
    "starwars123",
    "trustno1234",
    "superman123",
    "batman1234",
    "michael123",
    "liverpool1",
    "liverpool123",
    "chelsea123",
    "arsenal123",
    "manchester1",
    "unitedkingdom",
    "england123",
    "london1234",
    "computer123",
    "internet123",
    "administrator",
    "administrator1",
    "admin12345",
    "admin123456",
    "adminadmin",
    "rootroot12",
    "useruser12",
    "testtest12",
    "test123456",
    "guest12345",
    "zaq12wsxcde",
    "asdfghjkl1",
    "asdfghjkl;",
    "zxcvbnm123",
    "1111111111",
    "0000000000",
    "9999999999",
    "1234512345",
    "aaaaaaaaaa",
    "passwordpassword",
    "letmeinnow",
    "whatever123",
    "summer2024",
    "summer2025",
    "summer2026",
    "winter2024",
    "winter2025",
    "winter2026",
    "spring2025",
    "spring2026",
    "autumn2025",
    "autumn2026",
    "january2026",
    "december2025",
    "council123",
    "council2026",
    "resilience",
    "resilience1",
    "continuity",
    "emergency1",
    "emergency123",
    "bulwark123",
    "bulwarkbulwark",
    "secret1234",
    "mypassword",
    "mypassword1",
    "newpassword",
    "newpassword1",
    "security123",
    "hello12345",
    "loveyou123",
];

/// Why a new password is refused, in words for the person choosing it; `None` when it is fine.
pub fn weakness(password: &str, email: &str, name: &str) -> Option<String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Some(format!(
            "Password must be {MIN_LENGTH} characters or more. Three random words work well."
        ));
    }
    if length > MAX_LENGTH {
        return Some(format!("Password must be {MAX_LENGTH} characters or fewer"));
    }
    let lower = password.to_lowercase();
    if DENY_LIST.contains(&lower.as_str()) {
        return Some("This password is too common and easy to guess. Choose another, for example three random words.".into());
    }
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if (local.len() >= 4 && lower.contains(&local))
        || (!name.is_empty() && lower == name.to_lowercase())
    {
        return Some("Password must not contain your email address or name".into());
    }
    if lower
        .chars()
        .all(|c| c == lower.chars().next().unwrap_or(' '))
    {
        return Some("Password must not be one character repeated".into());
    }
    None
}

/// An argon2id hash of `password` with a fresh salt.
pub fn hash(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 hashes any password with a fresh salt")
        .to_string()
}

/// True when `password` matches `stored`.
pub fn verify(password: &str, stored: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored)
        .is_ok()
}

/// A hash to verify against when the account does not exist, so that the answer takes as long.
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password that never matches"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ncsc_rules_without_composition_rules() {
        assert!(weakness("short", "a@b.c", "A").is_some());
        assert!(weakness("password123", "a@b.c", "A").is_some());
        assert!(
            weakness("Password123", "a@b.c", "A").is_some(),
            "case does not escape the deny-list"
        );
        assert!(weakness("annsmith-secret", "annsmith@x.org", "Ann").is_some());
        assert!(weakness("aaaaaaaaaaaa", "a@b.c", "A").is_some());
        assert_eq!(
            weakness("correct horse battery", "a@b.c", "A"),
            None,
            "no digits or symbols required"
        );
    }

    #[test]
    fn hashes_verify_only_their_password() {
        let h = hash("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterz", &h));
        assert!(!verify("anything", "not a hash"));
    }
}
