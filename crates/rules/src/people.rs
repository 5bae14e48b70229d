//! Community support: what a valid source of the list of lists, an activated list, a person
//! record and a stated purpose are. Personal data is kept to what a welfare call or a visit
//! needs, and every record has an expiry date.

use crate::FieldError;
use crate::exercises::parse_date;
use crate::text::{LONG, SHORT, check_all};
use bulwark_store::{ListDetails, NewPerson, PersonDetails, Postcode, SourceDetails};
use chrono::NaiveDate;

/// The furthest ahead a person record's expiry date may be, in days (two years). A date
/// already past is accepted: the next retention run deletes the record.
pub const MAX_KEEP_DAYS: i64 = 730;

/// At most this many needs on one record.
pub const MAX_NEEDS: usize = 20;

/// Needs offered as choices on the pages (the API takes any short text).
pub const COMMON_NEEDS: [&str; 10] = [
    "Oxygen at home",
    "Electricity-dependent equipment",
    "Dialysis at home",
    "Medicine kept cold",
    "Home care visits",
    "Limited mobility",
    "Sight loss",
    "Hearing loss",
    "Lives alone",
    "Needs an interpreter",
];

/// A person record as submitted (form fields or an API body).
#[derive(Debug, Clone, Default)]
pub struct PersonDraft {
    /// What is known about them.
    pub details: PersonDetails,
    /// The list they are on.
    pub list: Option<i64>,
    /// The dataset it came from.
    pub source: String,
    /// The lawful basis for holding it.
    pub lawful_basis: String,
    /// The expiry date as typed (ISO).
    pub expires_on: String,
}

pub(crate) fn required(field: &str, label: &str, text: &str, errors: &mut Vec<FieldError>) {
    if text.trim().is_empty() {
        errors.push(FieldError::new(field, format!("Enter {label}")));
    }
}

fn trimmed(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
}

/// True for a phone number as people write them: digits, spaces, `+`, `-` and brackets,
/// with 7 to 15 digits.
pub(crate) fn is_phone(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits)
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c))
}

/// Checks a person record; every problem, each naming its field.
pub fn check_person(d: &PersonDraft, today: NaiveDate) -> Result<NewPerson, Vec<FieldError>> {
    let p = &d.details;
    let mut errors = Vec::new();
    required("name", "their name", &p.name, &mut errors);
    required("address", "their address", &p.address, &mut errors);
    required(
        "source",
        "the dataset the record comes from",
        &d.source,
        &mut errors,
    );
    required(
        "lawful_basis",
        "the lawful basis for holding it",
        &d.lawful_basis,
        &mut errors,
    );
    let postcode = Postcode::parse(&p.postcode);
    if p.postcode.trim().is_empty() {
        errors.push(FieldError::new("postcode", "Enter their postcode"));
    } else if postcode.is_none() {
        errors.push(FieldError::new(
            "postcode",
            "Enter a real postcode, like NM1 4AB",
        ));
    }
    let phone = trimmed(&p.phone);
    if phone.as_deref().is_some_and(|t| !is_phone(t)) {
        errors.push(FieldError::new(
            "phone",
            "Enter a phone number, like 01632 960 001 or +44 7700 900 123",
        ));
    }
    let needs: Vec<String> = p
        .needs
        .iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    if needs.len() > MAX_NEEDS {
        errors.push(FieldError::new(
            "needs",
            format!("List at most {MAX_NEEDS} needs (there are {})", needs.len()),
        ));
    }
    let optional = |t: &Option<String>| t.clone().unwrap_or_default();
    let (uprn, mobility, language) = (
        optional(&p.uprn),
        optional(&p.mobility),
        optional(&p.language),
    );
    let (care, key_safe) = (optional(&p.care_package), optional(&p.key_safe));
    errors.extend(check_all(&[
        ("name", "The name", &p.name, SHORT, false),
        ("address", "The address", &p.address, 500, true),
        ("uprn", "The UPRN", &uprn, 12, false),
        ("mobility", "Mobility", &mobility, SHORT, false),
        ("language", "The language", &language, SHORT, false),
        ("care_package", "The care package", &care, 1000, true),
        ("key_safe", "The key safe", &key_safe, SHORT, false),
        ("source", "The source", &d.source, SHORT, false),
        (
            "lawful_basis",
            "The lawful basis",
            &d.lawful_basis,
            SHORT,
            false,
        ),
    ]));
    if !uprn.trim().is_empty() && !uprn.trim().bytes().all(|b| b.is_ascii_digit()) {
        errors.push(FieldError::new(
            "uprn",
            "A UPRN is a number of up to 12 digits",
        ));
    }
    for n in &needs {
        errors.extend(check_all(&[("needs", "Each need", n, SHORT, false)]));
    }
    for id in &p.relies_on {
        errors.extend(check_all(&[(
            "relies_on",
            "Each service or asset id",
            id,
            SHORT,
            false,
        )]));
    }
    // A date already past is allowed (a record kept for one call): the next retention run
    // deletes it.
    let expires_on = match parse_date(&d.expires_on) {
        Ok(day) if (day - today).num_days() > MAX_KEEP_DAYS => {
            errors.push(FieldError::new(
                "expires_on",
                format!(
                    "Keep a record for at most two years: the expiry date must be {} or earlier",
                    today + chrono::Duration::days(MAX_KEEP_DAYS)
                ),
            ));
            None
        }
        Ok(day) => Some(day),
        Err(_) if d.expires_on.trim().is_empty() => {
            errors.push(FieldError::new(
                "expires_on",
                "Enter the date after which the record is deleted",
            ));
            None
        }
        Err(e) => {
            errors.push(FieldError::new("expires_on", e));
            None
        }
    };
    match (postcode, expires_on) {
        (Some(postcode), Some(expires_on)) if errors.is_empty() => Ok(NewPerson {
            details: PersonDetails {
                name: p.name.trim().to_string(),
                address: p.address.trim().to_string(),
                postcode: postcode.to_string(),
                uprn: trimmed(&p.uprn),
                phone,
                needs,
                mobility: trimmed(&p.mobility),
                language: trimmed(&p.language),
                care_package: trimmed(&p.care_package),
                key_safe: trimmed(&p.key_safe),
                relies_on: p.relies_on.iter().map(|s| s.trim().to_string()).collect(),
            },
            list: d.list,
            source: d.source.trim().to_string(),
            lawful_basis: d.lawful_basis.trim().to_string(),
            expires_on,
        }),
        _ => Err(errors),
    }
}

/// Checks a stated purpose for reading personal data: it must be given, in a few words.
pub fn check_purpose(text: &str) -> Result<String, FieldError> {
    let t = text.trim();
    if t.chars().count() < 5 {
        return Err(FieldError::new(
            "purpose",
            "Say why you need to see this, like \"welfare call during the flood\"",
        ));
    }
    if let Some(e) = check_all(&[("purpose", "The purpose", t, SHORT, false)]).pop() {
        return Err(e);
    }
    Ok(t.to_string())
}

/// A source of the list of lists as submitted; `review_on` as typed (ISO, may be empty).
#[derive(Debug, Clone, Default)]
pub struct SourceDraft {
    /// Everything but the review date.
    pub details: SourceDetails,
    /// The review date as typed.
    pub review_on: String,
}

/// Checks a source of the list of lists; every problem, each naming its field.
pub fn check_source(d: &SourceDraft) -> Result<SourceDetails, Vec<FieldError>> {
    let s = &d.details;
    let mut errors = Vec::new();
    required("name", "the dataset's name", &s.name, &mut errors);
    required("holder", "who holds it", &s.holder, &mut errors);
    required("contents", "what it contains", &s.contents, &mut errors);
    required(
        "how_to_request",
        "how to request it",
        &s.how_to_request,
        &mut errors,
    );
    required(
        "article6",
        "the lawful basis under Article 6",
        &s.article6,
        &mut errors,
    );
    required(
        "triggers",
        "what triggers asking for it",
        &s.triggers,
        &mut errors,
    );
    errors.extend(check_all(&[
        ("name", "The name", &s.name, SHORT, false),
        ("holder", "The holder", &s.holder, SHORT, false),
        ("contents", "The contents", &s.contents, LONG, true),
        (
            "how_to_request",
            "How to request it",
            &s.how_to_request,
            LONG,
            true,
        ),
        ("article6", "The Article 6 basis", &s.article6, SHORT, false),
        (
            "article9",
            "The Article 9 condition",
            &s.article9,
            SHORT,
            false,
        ),
        (
            "schedule1",
            "The Schedule 1 condition",
            &s.schedule1,
            SHORT,
            false,
        ),
        (
            "agreement",
            "The data sharing agreement",
            &s.agreement,
            SHORT,
            false,
        ),
        ("triggers", "The triggers", &s.triggers, LONG, true),
    ]));
    let review_on = if d.review_on.trim().is_empty() {
        None
    } else {
        match parse_date(&d.review_on) {
            Ok(day) => Some(day),
            Err(e) => {
                errors.push(FieldError::new("review_on", e));
                None
            }
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let t = |s: &String| s.trim().to_string();
    Ok(SourceDetails {
        name: t(&s.name),
        holder: t(&s.holder),
        contents: t(&s.contents),
        how_to_request: t(&s.how_to_request),
        article6: t(&s.article6),
        article9: t(&s.article9),
        schedule1: t(&s.schedule1),
        agreement: t(&s.agreement),
        review_on,
        triggers: t(&s.triggers),
    })
}

/// Checks a list to activate; every problem, each naming its field.
pub fn check_list(d: &ListDetails) -> Result<ListDetails, Vec<FieldError>> {
    let mut errors = Vec::new();
    required("name", "a name for the list", &d.name, &mut errors);
    required(
        "purpose",
        "the purpose of the list",
        &d.purpose,
        &mut errors,
    );
    let incident = trimmed(&d.incident);
    errors.extend(check_all(&[
        ("name", "The name", &d.name, SHORT, false),
        ("purpose", "The purpose", &d.purpose, LONG, true),
        (
            "incident",
            "The incident",
            incident.as_deref().unwrap_or(""),
            SHORT,
            false,
        ),
    ]));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ListDetails {
        name: d.name.trim().to_string(),
        purpose: d.purpose.trim().to_string(),
        source: d.source,
        incident,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    fn draft() -> PersonDraft {
        PersonDraft {
            details: PersonDetails {
                name: " Ada Lovelace ".into(),
                address: "1 River Row, Northmoor".into(),
                postcode: "nm1 4ab".into(),
                phone: Some("01632 960 001".into()),
                needs: vec!["Oxygen at home".into(), " ".into()],
                ..PersonDetails::default()
            },
            list: Some(1),
            source: "Priority Services Register".into(),
            lawful_basis: "Art 6(1)(e); Art 9(2)(g)".into(),
            expires_on: "2027-01-31".into(),
        }
    }

    #[test]
    fn a_good_record_is_tidied() {
        let p = check_person(&draft(), today()).unwrap();
        assert_eq!(p.details.name, "Ada Lovelace");
        assert_eq!(p.details.postcode, "NM1 4AB");
        assert_eq!(p.details.needs, vec!["Oxygen at home"]);
        assert_eq!(p.expires_on.to_string(), "2027-01-31");
    }

    #[test]
    fn every_problem_names_its_field() {
        let mut d = draft();
        d.details.name = String::new();
        d.details.postcode = "NOWHERE".into();
        d.details.phone = Some("call me".into());
        d.expires_on = "2030-01-01".into();
        let fields: Vec<String> = check_person(&d, today())
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "postcode", "phone", "expires_on"]);
        d = draft();
        d.expires_on = "2026-11-29".into();
        assert!(
            check_person(&d, today()).is_ok(),
            "already expired: deleted at the next run"
        );
        d.expires_on = "30/11/2026".into();
        assert_eq!(
            check_person(&d, today()).unwrap_err()[0].field,
            "expires_on"
        );
    }

    #[test]
    fn purposes_are_required() {
        assert!(check_purpose("  ").is_err());
        assert_eq!(check_purpose(" welfare call ").unwrap(), "welfare call");
    }
}
