//! Limits on submitted text: lengths, and characters that have no place in it (NUL and other
//! control characters, and the bidirectional controls that can make text read differently
//! from what it holds).

use crate::FieldError;
use bulwark_model::read::is_bidi_control;

/// Short text: names, titles, owners, labels.
pub const SHORT: usize = 200;
/// Long text: descriptions, objectives, evidence, notes.
pub const LONG: usize = 10_000;

/// The first character of `text` that must not be in submitted text: control characters
/// other than tab and line breaks (`multiline`), and bidirectional controls.
pub fn forbidden_char(text: &str, multiline: bool) -> Option<char> {
    text.chars().find(|&c| {
        let allowed_space = c == '\t' || (multiline && (c == '\n' || c == '\r'));
        (c.is_control() && !allowed_space) || is_bidi_control(c)
    })
}

/// Checks `text` for `field` (labelled `label` in messages): at most `max` characters, and no
/// forbidden character.
pub fn check(
    field: &str,
    label: &str,
    text: &str,
    max: usize,
    multiline: bool,
) -> Option<FieldError> {
    let count = text.chars().count();
    if count > max {
        return Some(FieldError::new(
            field,
            format!("{label} must be {max} characters or fewer (it has {count})"),
        ));
    }
    forbidden_char(text, multiline).map(|c| {
        FieldError::new(
            field,
            format!(
                "{label} contains an invisible control character (U+{:04X}) that could disguise the text: remove it",
                c as u32
            ),
        )
    })
}

/// Checks several fields at once: `(field, label, text, max, multiline)`; every problem.
pub fn check_all(fields: &[(&str, &str, &str, usize, bool)]) -> Vec<FieldError> {
    fields
        .iter()
        .filter_map(|(f, l, t, max, multi)| check(f, l, t, *max, *multi))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_and_hidden_controls_are_refused_with_the_field() {
        assert_eq!(check("name", "Name", "Home care", SHORT, false), None);
        assert_eq!(
            check("notes", "Notes", "line one\nline two", LONG, true),
            None
        );
        let e = check("name", "Name", &"x".repeat(201), SHORT, false).expect("too long");
        assert_eq!(e.field, "name");
        assert!(e.message.contains("200 characters or fewer"));
        for bad in ["a\u{0}b", "evil\u{202E}txt.exe", "x\u{2066}y", "a\nb"] {
            let e = check("name", "Name", bad, SHORT, false).expect(bad);
            assert!(e.message.contains("invisible control character"), "{bad:?}");
        }
    }
}
