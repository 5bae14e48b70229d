//! UK postcodes, read once into their parts (outward and inward codes), and the areas people
//! search by: a whole postcode (`NM1 4AB`), a sector (`NM1 4`) or a district (`NM1`).

use serde::{Serialize, Serializer};

/// A UK postcode in the standard form: an outward code (`NM1`) and an inward code (`4AB`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Postcode {
    outward: String,
    inward: String,
}

/// True for an outward code: one or two letters, a digit, then perhaps a letter or digit.
fn is_outward(code: &str) -> bool {
    let b = code.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    (1..=2).contains(&letters)
        && b.get(letters).is_some_and(u8::is_ascii_digit)
        && b.len() <= letters + 2
        && b[letters + 1..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Upper case, without spaces.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

impl Postcode {
    /// Reads a postcode written in any case, with or without its space; `None` when it is
    /// not in the UK form.
    pub fn parse(text: &str) -> Option<Postcode> {
        let code = squeeze(text);
        if code.len() < 5 || code.len() > 7 || !code.is_ascii() {
            return None;
        }
        let (outward, inward) = code.split_at(code.len() - 3);
        let i = inward.as_bytes();
        let inward_ok =
            i[0].is_ascii_digit() && i[1].is_ascii_uppercase() && i[2].is_ascii_uppercase();
        (inward_ok && is_outward(outward)).then(|| Postcode {
            outward: outward.to_string(),
            inward: inward.to_string(),
        })
    }

    /// The sector: the outward code and the inward code's digit, like `NM1 4`.
    pub fn sector(&self) -> String {
        format!(
            "{} {}",
            self.outward,
            self.inward.get(..1).unwrap_or_default()
        )
    }

    /// The district: the outward code, like `NM1`.
    pub fn district(&self) -> &str {
        &self.outward
    }
}

impl std::fmt::Display for Postcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.outward, self.inward)
    }
}

impl Serialize for Postcode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Where to look for people: a whole postcode, a sector or a district.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostcodeArea {
    /// One postcode.
    Postcode(Postcode),
    /// A sector, like `NM1 4`.
    Sector(String),
    /// A district, like `NM1`.
    District(String),
}

impl PostcodeArea {
    /// Reads a postcode, a sector (`NM1 4`) or a district (`NM1`); `None` for anything else.
    pub fn parse(text: &str) -> Option<PostcodeArea> {
        if let Some(p) = Postcode::parse(text) {
            return Some(PostcodeArea::Postcode(p));
        }
        let words: Vec<String> = text.split_whitespace().map(squeeze).collect();
        match words.as_slice() {
            [outward] if is_outward(outward) => Some(PostcodeArea::District(outward.clone())),
            [outward, digit]
                if is_outward(outward)
                    && digit.len() == 1
                    && digit.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Some(PostcodeArea::Sector(format!("{outward} {digit}")))
            }
            _ => None,
        }
    }

    /// The kind of keyed hash that finds it, and the value hashed.
    pub(crate) fn hash_input(&self) -> (&'static str, String) {
        match self {
            PostcodeArea::Postcode(p) => ("postcode", p.to_string()),
            PostcodeArea::Sector(s) => ("sector", s.clone()),
            PostcodeArea::District(d) => ("district", d.clone()),
        }
    }
}

impl std::fmt::Display for PostcodeArea {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PostcodeArea::Postcode(p) => write!(f, "{p}"),
            PostcodeArea::Sector(s) | PostcodeArea::District(s) => f.write_str(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_are_read_in_any_case_and_spacing() {
        let p = Postcode::parse(" nm1 4ab").unwrap();
        assert_eq!(p.to_string(), "NM1 4AB");
        assert_eq!(p.sector(), "NM1 4");
        assert_eq!(p.district(), "NM1");
        assert_eq!(Postcode::parse("SW1A1AA").unwrap().to_string(), "SW1A 1AA");
        assert_eq!(Postcode::parse("M1 1AE").unwrap().district(), "M1");
        for bad in [
            "", "NM1", "1NM 4AB", "NM1 4A", "NM1 44B", "ABC1 4AB", "NM1 4ÄB",
        ] {
            assert!(Postcode::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn areas_are_postcodes_sectors_or_districts() {
        assert!(matches!(
            PostcodeArea::parse("nm1 4ab"),
            Some(PostcodeArea::Postcode(_))
        ));
        assert_eq!(
            PostcodeArea::parse("nm1 4"),
            Some(PostcodeArea::Sector("NM1 4".into()))
        );
        assert_eq!(
            PostcodeArea::parse("NM1"),
            Some(PostcodeArea::District("NM1".into()))
        );
        assert_eq!(PostcodeArea::parse("flooded streets"), None);
        assert_eq!(PostcodeArea::parse("NM1 4 5"), None);
    }
}
