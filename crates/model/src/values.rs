//! Validated values: identifiers, durations and percentages. Each can only hold a good value.

use std::fmt;
use std::str::FromStr;

/// The most characters an [`Id`] may have.
pub const MAX_ID_CHARS: usize = 100;

/// An item identifier: `[a-z0-9][a-z0-9._-]*`, at most [`MAX_ID_CHARS`] long.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(String);

impl Id {
    /// Checks `text` and wraps it, or says why it is not an identifier.
    pub fn parse(text: &str) -> Result<Id, String> {
        let len = text.chars().count();
        if len > MAX_ID_CHARS {
            return Err(format!(
                "an id may be at most {MAX_ID_CHARS} characters; this one has {len}"
            ));
        }
        let mut chars = text.chars();
        match chars.next() {
            None => return Err("an id cannot be empty".into()),
            Some(c) if !(c.is_ascii_lowercase() || c.is_ascii_digit()) => {
                return Err(format!(
                    "`{text}` is not a valid id: ids start with a lower-case letter or digit (a-z, 0-9)"
                ));
            }
            _ => {}
        }
        if let Some(bad) = chars.find(|c| {
            !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        }) {
            return Err(format!(
                "`{text}` is not a valid id: `{bad}` is not allowed (use lower-case letters, digits, `.`, `_` and `-`)"
            ));
        }
        Ok(Id(text.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A length of time, held in whole minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration {
    minutes: u64,
}

const UNITS: [(char, u64); 4] = [('w', 7 * 24 * 60), ('d', 24 * 60), ('h', 60), ('m', 1)];

impl Duration {
    /// A duration of `minutes` minutes.
    pub const fn from_minutes(minutes: u64) -> Duration {
        Duration { minutes }
    }

    /// The length in minutes.
    pub const fn minutes(self) -> u64 {
        self.minutes
    }

    /// The length in hours, as a fraction.
    pub fn hours(self) -> f64 {
        self.minutes as f64 / 60.0
    }

    /// The length in days, as a fraction.
    pub fn days(self) -> f64 {
        self.minutes as f64 / (24.0 * 60.0)
    }
}

impl FromStr for Duration {
    type Err = String;

    /// Reads `30m`, `4h`, `2d`, `1w`, `1d12h` or `1.5d`; a bare number is refused.
    fn from_str(text: &str) -> Result<Duration, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("a duration cannot be empty; write a number and a unit, like `4h`".into());
        }
        if t.parse::<f64>().is_ok() {
            return Err(format!(
                "`{t}` has no unit: write `{t}h` for hours or `{t}d` for days (units: m, h, d, w)"
            ));
        }
        let mut total = 0f64;
        let mut rest = t;
        let mut last_unit = usize::MAX;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            if digits == 0 {
                return Err(format!(
                    "`{t}` is not a duration: expected a number before `{}` (like `4h` or `1d12h`)",
                    rest.chars().next().map(String::from).unwrap_or_default()
                ));
            }
            let (number_text, after) = rest.split_at(digits);
            let number: f64 = number_text
                .parse()
                .map_err(|_| format!("`{t}` is not a duration: `{number_text}` is not a number"))?;
            rest = after;
            let Some(unit) = rest.chars().next() else {
                return Err(format!("`{t}` ends without a unit (m, h, d or w)"));
            };
            let Some(index) = UNITS.iter().position(|(u, _)| *u == unit) else {
                return Err(format!(
                    "`{t}` is not a duration: `{unit}` is not a unit; use m (minutes), h (hours), d (days) or w (weeks)"
                ));
            };
            if last_unit != usize::MAX && index <= last_unit {
                return Err(format!(
                    "`{t}` is not a duration: write units from largest to smallest, each once (like `1d12h`)"
                ));
            }
            last_unit = index;
            total += number * UNITS[index].1 as f64;
            rest = rest.strip_prefix(unit).unwrap_or_default();
        }
        if total.fract().abs() > 1e-9 {
            return Err(format!("`{t}` is not a whole number of minutes"));
        }
        if total > 1e12 {
            return Err(format!("`{t}` is longer than Bulwark can plan for"));
        }
        Ok(Duration {
            minutes: total.round() as u64,
        })
    }
}

impl fmt::Display for Duration {
    /// Writes the canonical form: days, hours, minutes (`0h`, `21d`, `1d12h`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.minutes == 0 {
            return f.write_str("0h");
        }
        let mut left = self.minutes;
        for (unit, size) in &UNITS[1..] {
            if left >= *size {
                write!(f, "{}{unit}", left / size)?;
                left %= size;
            }
        }
        Ok(())
    }
}

/// A fraction in `[0, 1]`, written `60%` or `0.6`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Percent(f64);

impl Percent {
    /// 100%.
    pub const FULL: Percent = Percent(1.0);

    /// Wraps a fraction, or says why it is out of range.
    pub fn from_fraction(value: f64) -> Result<Percent, String> {
        if !(0.0..=1.0).contains(&value) || value.is_nan() {
            return Err(format!(
                "{value} is not a fraction between 0 and 1; write a percentage like `60%`"
            ));
        }
        Ok(Percent(value))
    }

    /// Reads `60%` (0 to 100) or a number in `[0, 1]`.
    pub fn parse(text: &str, plain_number: bool) -> Result<Percent, String> {
        let t = text.trim();
        if let Some(number) = t.strip_suffix('%') {
            let value: f64 = number
                .trim()
                .parse()
                .map_err(|_| format!("`{t}` is not a percentage; write it like `60%`"))?;
            if !(0.0..=100.0).contains(&value) {
                return Err(format!(
                    "`{t}` is out of range: a percentage is between 0% and 100%"
                ));
            }
            return Ok(Percent(value / 100.0));
        }
        match t.parse::<f64>() {
            Ok(v) if plain_number => Percent::from_fraction(v).map_err(|_| {
                format!("`{t}` is out of range: write a percentage like `60%`, or a fraction between 0 and 1")
            }),
            _ => Err(format!("`{t}` is not a percentage; write it like `60%`")),
        }
    }

    /// The value as a fraction in `[0, 1]`.
    pub fn fraction(self) -> f64 {
        self.0
    }

    /// Writes a fraction that may exceed 1 (a surge capacity) as a percentage, like `130%`.
    pub fn surge_text(fraction: f64) -> String {
        Percent(fraction).to_string()
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = (self.0 * 100.0 * 1e6).round() / 1e6;
        write!(f, "{p}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn durations_read_and_print() {
        let d: Duration = "1d12h".parse().unwrap();
        assert_eq!(d.minutes(), 36 * 60);
        assert_eq!(d.to_string(), "1d12h");
        assert_eq!("8w".parse::<Duration>().unwrap().to_string(), "56d");
        assert_eq!("90m".parse::<Duration>().unwrap().to_string(), "1h30m");
        assert_eq!("1.5d".parse::<Duration>().unwrap().to_string(), "1d12h");
        assert_eq!(Duration::from_minutes(0).to_string(), "0h");
        let bare = "24".parse::<Duration>().unwrap_err();
        assert!(bare.contains("no unit"), "{bare}");
        assert!("4x".parse::<Duration>().is_err());
        assert!("h".parse::<Duration>().is_err());
        assert!("4h1d".parse::<Duration>().is_err());
        assert!("0.1m".parse::<Duration>().is_err());
    }

    #[test]
    fn percentages_read_and_print() {
        assert_eq!(Percent::parse("60%", false).unwrap().fraction(), 0.6);
        assert_eq!(Percent::parse("0.25", true).unwrap().fraction(), 0.25);
        assert!(Percent::parse("150%", false).is_err());
        assert!(Percent::parse("2", true).is_err());
        assert!(Percent::parse("0.5", false).is_err());
        assert_eq!(Percent::parse("12.5%", false).unwrap().to_string(), "12.5%");
    }

    #[test]
    fn ids_follow_the_pattern() {
        assert!(Id::parse("hr-system.v2_a").is_ok());
        assert!(Id::parse("HR").is_err());
        assert!(Id::parse("-x").is_err());
        assert!(Id::parse("a b").is_err());
        assert!(Id::parse(&"a".repeat(MAX_ID_CHARS)).is_ok());
        assert!(Id::parse(&"a".repeat(MAX_ID_CHARS + 1)).is_err());
    }

    proptest! {
        #[test]
        fn durations_round_trip(minutes in 0u64..10_000_000) {
            let d = Duration::from_minutes(minutes);
            prop_assert_eq!(d.to_string().parse::<Duration>().unwrap(), d);
        }

        #[test]
        fn duration_parser_never_panics(text in "\\PC{0,12}") {
            let _ = text.parse::<Duration>();
        }

        /// Numbers of any size are refused, never wrapped.
        #[test]
        fn huge_durations_are_refused(digits in "[1-9][0-9]{13,400}", unit in "[mhdw]") {
            let text = format!("{digits}{unit}");
            let err = text.parse::<Duration>().unwrap_err();
            prop_assert!(err.contains("longer than Bulwark can plan for"), "{err}");
        }
    }
}
