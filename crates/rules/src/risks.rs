//! The risk register on the National Risk Register's terms: likelihood and impact on its
//! five-point scales, never multiplied; risks ranked by impact, then likelihood; and an
//! organisation's risk appetite drawn on the matrix.

use crate::FieldError;

/// The National Risk Register's words for impact levels 1 to 5.
pub const IMPACT_WORDS: [&str; 5] = [
    "minor",
    "limited",
    "moderate",
    "significant",
    "catastrophic",
];

/// The National Risk Register's likelihood bands 1 to 5: the chance of happening at least
/// once in the assessment period.
pub const LIKELIHOOD_BANDS: [&str; 5] = [
    "less than 0.2%",
    "0.2% to 1%",
    "1% to 5%",
    "5% to 25%",
    "more than 25%",
];

/// The National Risk Register's word for an impact level (1 to 5; clamped).
pub fn impact_word(impact: u8) -> &'static str {
    IMPACT_WORDS[usize::from(impact.clamp(1, 5)) - 1]
}

/// The National Risk Register's band for a likelihood level (1 to 5; clamped).
pub fn likelihood_band(likelihood: u8) -> &'static str {
    LIKELIHOOD_BANDS[usize::from(likelihood.clamp(1, 5)) - 1]
}

/// Where an organisation's risk appetite lies on the matrix: for each impact level (1 to
/// 5), the lowest likelihood at which a risk is outside it, or `None` when no likelihood is.
/// The appetite must not loosen as impact grows: a risk outside it stays outside it if its
/// impact were worse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appetite {
    /// By impact level 1 to 5 (index 0 to 4).
    pub from_likelihood: [Option<u8>; 5],
}

impl Default for Appetite {
    /// What Bulwark used before appetites were set per organisation: outside it from
    /// likelihood 3 at impact 4 and 5, from 4 at impact 3, never at impact 1 and 2.
    fn default() -> Appetite {
        Appetite {
            from_likelihood: [None, None, Some(4), Some(3), Some(3)],
        }
    }
}

impl Appetite {
    /// Whether a risk of this likelihood and impact (each 1 to 5) is outside the appetite.
    pub fn outside(&self, likelihood: u8, impact: u8) -> bool {
        let at = usize::from(impact.clamp(1, 5)) - 1;
        self.from_likelihood[at].is_some_and(|from| likelihood >= from)
    }

    /// Reads an appetite from submitted fields `impact-1` to `impact-5`, each a likelihood 1
    /// to 5 or `never`, checking that it does not loosen as impact grows.
    pub fn from_fields(get: impl Fn(&str) -> Option<String>) -> Result<Appetite, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut from_likelihood = [None; 5];
        for (i, slot) in from_likelihood.iter_mut().enumerate() {
            let field = format!("impact-{}", i + 1);
            match get(&field).as_deref().map(str::trim) {
                None | Some("") | Some("never") => {}
                Some(v) => match v.parse::<u8>() {
                    Ok(l @ 1..=5) => *slot = Some(l),
                    _ => errors.push(FieldError::new(
                        &field,
                        "Choose a likelihood from 1 to 5, or never",
                    )),
                },
            }
        }
        if errors.is_empty() {
            for i in 1..5 {
                let looser = match (from_likelihood[i - 1], from_likelihood[i]) {
                    (Some(_), None) => true,
                    (Some(lower), Some(higher)) => higher > lower,
                    _ => false,
                };
                if looser {
                    errors.push(FieldError::new(
                        &format!("impact-{}", i + 1),
                        format!(
                            "A {} impact cannot be tolerated at a higher likelihood than a {} one: choose likelihood {} or lower",
                            IMPACT_WORDS[i],
                            IMPACT_WORDS[i - 1],
                            from_likelihood[i - 1].unwrap_or(5)
                        ),
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(Appetite { from_likelihood })
        } else {
            Err(errors)
        }
    }
}

/// Orders risks as the National Risk Register ranks them: by impact, then likelihood, the
/// worst first; never by their product. `key` gives (likelihood, impact) of a risk.
pub fn rank<T>(risks: &mut [T], key: impl Fn(&T) -> (u8, u8)) {
    risks.sort_by_key(|r| {
        let (likelihood, impact) = key(r);
        std::cmp::Reverse((impact, likelihood))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_appetite_is_the_old_score_of_twelve() {
        let a = Appetite::default();
        for l in 1..=5 {
            for i in 1..=5 {
                assert_eq!(a.outside(l, i), l * i >= 12, "likelihood {l}, impact {i}");
            }
        }
    }

    #[test]
    fn impact_outranks_likelihood() {
        let mut risks = vec![("flood", 5, 3), ("pandemic", 3, 5), ("storm", 4, 3)];
        rank(&mut risks, |r| (r.1, r.2));
        let order: Vec<&str> = risks.iter().map(|r| r.0).collect();
        assert_eq!(order, ["pandemic", "flood", "storm"]);
    }

    #[test]
    fn an_appetite_that_loosens_with_impact_is_refused_at_the_field() {
        let fields = |v: [&'static str; 5]| {
            move |name: &str| {
                let i: usize = name.strip_prefix("impact-")?.parse().ok()?;
                Some(v[i - 1].to_string())
            }
        };
        let ok = Appetite::from_fields(fields(["never", "5", "4", "3", "2"])).unwrap();
        assert_eq!(
            ok.from_likelihood,
            [None, Some(5), Some(4), Some(3), Some(2)]
        );
        assert!(ok.outside(2, 5) && !ok.outside(1, 5) && !ok.outside(5, 1));
        let e = Appetite::from_fields(fields(["never", "3", "4", "3", "2"])).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].field, "impact-3");
        assert!(
            e[0].message.contains("likelihood 3 or lower"),
            "{}",
            e[0].message
        );
        let e =
            Appetite::from_fields(fields(["2", "never", "never", "never", "never"])).unwrap_err();
        assert_eq!(e[0].field, "impact-2");
        let e = Appetite::from_fields(fields(["0", "x", "", "never", "1"])).unwrap_err();
        assert_eq!(
            e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["impact-1", "impact-2"]
        );
    }
}
