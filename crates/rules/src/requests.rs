//! Requests for help and volunteers: what a valid request (from a phone call, the public form
//! or the API), volunteer, assignment, status change and log of hours are; where a
//! volunteer's DBS check stands; and how quickly requesters are first contacted.

use crate::FieldError;
use crate::exercises::parse_date;
use crate::people::{is_phone, required};
use crate::text::{LONG, SHORT, check_all};
use bulwark_store::{
    Assignee, Category, Channel, DbsLevel, NewRequest, NewVolunteer, Postcode, RequestStatus,
    RequestSummary, Requester, Urgency, VolunteerContact,
};
use chrono::NaiveDate;
use serde::Serialize;

/// How long a request is kept, in days from when it is received (about six months), unless
/// it is under legal hold. The public form tells requesters so.
pub const REQUEST_KEEP_DAYS: i64 = 183;

/// A DBS check due within this many days is flagged.
pub const DBS_WARNING_DAYS: i64 = 30;

/// A request as submitted (form fields or an API body).
#[derive(Debug, Clone, Default)]
pub struct RequestDraft {
    /// The requester's name.
    pub name: String,
    /// Their address, without the postcode.
    pub address: String,
    /// Their postcode.
    pub postcode: String,
    /// A phone number, perhaps empty.
    pub phone: String,
    /// What they need.
    pub details: String,
    /// The category's word.
    pub category: String,
    /// The urgency's word.
    pub urgency: String,
    /// The incident's id, perhaps empty.
    pub incident: String,
}

fn some(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

fn postcode(text: &str, whose: &str, errors: &mut Vec<FieldError>) -> Option<Postcode> {
    let p = Postcode::parse(text);
    if text.trim().is_empty() {
        errors.push(FieldError::new(
            "postcode",
            format!("Enter {whose} postcode"),
        ));
    } else if p.is_none() {
        errors.push(FieldError::new(
            "postcode",
            "Enter a real postcode, like NM1 4AB",
        ));
    }
    p
}

fn phone(text: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    let p = some(text);
    if p.as_deref().is_some_and(|t| !is_phone(t)) {
        errors.push(FieldError::new(
            "phone",
            "Enter a phone number, like 01632 960 001 or 07700 900 123",
        ));
    }
    p
}

/// Checks a request for help received on `today` through `channel`; every problem, each
/// naming its field. It is kept for [`REQUEST_KEEP_DAYS`].
pub fn check_request(
    d: &RequestDraft,
    channel: Channel,
    today: NaiveDate,
) -> Result<NewRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    required(
        "name",
        "the name of the person who needs help",
        &d.name,
        &mut errors,
    );
    required(
        "address",
        "the address where help is needed",
        &d.address,
        &mut errors,
    );
    let code = postcode(&d.postcode, "the", &mut errors);
    let phone = phone(&d.phone, &mut errors);
    let category = Category::parse(d.category.trim());
    if category.is_none() {
        errors.push(FieldError::new(
            "category",
            "Choose what kind of help is needed",
        ));
    }
    let urgency = Urgency::parse(d.urgency.trim());
    if urgency.is_none() {
        errors.push(FieldError::new("urgency", "Choose how soon help is needed"));
    }
    required("details", "what help is needed", &d.details, &mut errors);
    errors.extend(check_all(&[
        ("name", "The name", &d.name, SHORT, false),
        ("address", "The address", &d.address, 500, true),
        ("details", "What help is needed", &d.details, 2000, true),
        ("incident", "The incident", &d.incident, 20, false),
    ]));
    if !d.incident.trim().is_empty() && !d.incident.trim().bytes().all(|b| b.is_ascii_digit()) {
        errors.push(FieldError::new(
            "incident",
            "An incident is given by its number, like 4",
        ));
    }
    match (code, category, urgency) {
        (Some(code), Some(category), Some(urgency)) if errors.is_empty() => Ok(NewRequest {
            requester: Requester {
                name: d.name.trim().to_string(),
                address: d.address.trim().to_string(),
                postcode: code.to_string(),
                phone,
                details: d.details.trim().to_string(),
            },
            channel,
            category,
            urgency,
            incident: some(&d.incident),
            expires_on: today + chrono::Duration::days(REQUEST_KEEP_DAYS),
        }),
        _ => Err(errors),
    }
}

/// A volunteer as submitted.
#[derive(Debug, Clone, Default)]
pub struct VolunteerDraft {
    /// Their name.
    pub name: String,
    /// A phone number, perhaps empty.
    pub phone: String,
    /// An email address, perhaps empty.
    pub email: String,
    /// Their postcode.
    pub postcode: String,
    /// The categories' words they can help with.
    pub skills: Vec<String>,
    /// The DBS level's word.
    pub dbs_level: String,
    /// When the DBS check is due for renewal (ISO), perhaps empty.
    pub dbs_expires_on: String,
    /// Available for requests now.
    pub available: bool,
    /// When they are usually free.
    pub availability: String,
}

/// Checks a volunteer; every problem, each naming its field.
pub fn check_volunteer(d: &VolunteerDraft) -> Result<NewVolunteer, Vec<FieldError>> {
    let mut errors = Vec::new();
    required("name", "the volunteer's name", &d.name, &mut errors);
    let code = postcode(&d.postcode, "their", &mut errors);
    let phone = phone(&d.phone, &mut errors);
    let email = some(&d.email);
    if email
        .as_deref()
        .is_some_and(|e| !e.contains('@') || e.contains(char::is_whitespace))
    {
        errors.push(FieldError::new(
            "email",
            "Enter an email address, like name@example.org",
        ));
    }
    if phone.is_none() && email.is_none() {
        errors.push(FieldError::new(
            "phone",
            "Enter a phone number or an email address, so the hub can reach them",
        ));
    }
    let mut skills = Vec::new();
    for s in &d.skills {
        match Category::parse(s.trim()) {
            Some(c) if !skills.contains(&c) => skills.push(c),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "skills",
                format!(
                    "{:?} is not a kind of help",
                    s.chars().take(30).collect::<String>()
                ),
            )),
        }
    }
    if skills.is_empty() {
        errors.push(FieldError::new(
            "skills",
            "Choose at least one kind of help they can give",
        ));
    }
    let dbs = DbsLevel::parse(d.dbs_level.trim());
    if dbs.is_none() {
        errors.push(FieldError::new(
            "dbs_level",
            "Choose the level of their DBS check",
        ));
    }
    let expires = match some(&d.dbs_expires_on) {
        None => None,
        Some(t) => match parse_date(&t) {
            Ok(day) => Some(day),
            Err(e) => {
                errors.push(FieldError::new("dbs_expires_on", e));
                None
            }
        },
    };
    if dbs.is_some_and(|l| l != DbsLevel::None)
        && expires.is_none()
        && !errors.iter().any(|e| e.field == "dbs_expires_on")
    {
        errors.push(FieldError::new(
            "dbs_expires_on",
            "Enter when their DBS check is due to be renewed, like 2027-03-31",
        ));
    }
    let email_text = email.clone().unwrap_or_default();
    errors.extend(check_all(&[
        ("name", "The name", &d.name, SHORT, false),
        ("email", "The email address", &email_text, SHORT, false),
        (
            "availability",
            "When they are free",
            &d.availability,
            SHORT,
            false,
        ),
    ]));
    match (code, dbs) {
        (Some(code), Some(dbs_level)) if errors.is_empty() => Ok(NewVolunteer {
            contact: VolunteerContact {
                name: d.name.trim().to_string(),
                phone,
                email,
                postcode: code.to_string(),
            },
            skills,
            dbs_level,
            dbs_expires_on: expires,
            available: d.available,
            availability: d.availability.trim().to_string(),
        }),
        _ => Err(errors),
    }
}

/// Checks an assignment: `kind` is `volunteer` (with the volunteer's number, one of
/// `volunteers`), `partner` or `team` (each with its name).
pub fn check_assignment(
    kind: &str,
    volunteer: Option<i64>,
    name: &str,
    volunteers: &[i64],
) -> Result<Assignee, FieldError> {
    let name = name.trim();
    let named = |field: &str, what: &str| -> Result<String, FieldError> {
        if name.is_empty() {
            return Err(FieldError::new(field, format!("Enter the {what}'s name")));
        }
        match check_all(&[(field, "The name", name, SHORT, false)]).pop() {
            Some(e) => Err(e),
            None => Ok(name.to_string()),
        }
    };
    match kind {
        "volunteer" => match volunteer {
            Some(v) if volunteers.contains(&v) => Ok(Assignee::Volunteer { volunteer: v }),
            _ => Err(FieldError::new("volunteer", "Choose a volunteer")),
        },
        "partner" => {
            named("partner", "partner organisation").map(|name| Assignee::Partner { name })
        }
        "team" => named("team", "council team").map(|name| Assignee::Team { name }),
        _ => Err(FieldError::new(
            "kind",
            "Choose who the request goes to: a volunteer, a partner organisation or a council team",
        )),
    }
}

/// Checks a status change of a request now at `current`: a new status or a note (or both);
/// closing without help needs a note saying why. Returns the status and the note.
pub fn check_status(
    current: RequestStatus,
    status: &str,
    note: &str,
) -> Result<(RequestStatus, Option<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let status = match status.trim() {
        "" => Some(current),
        s => RequestStatus::parse(s).filter(|s| *s != RequestStatus::New),
    };
    if status.is_none() {
        errors.push(FieldError::new("status", "Choose where the request stands"));
    }
    let note = some(note);
    errors.extend(check_all(&[(
        "note",
        "The note",
        note.as_deref().unwrap_or(""),
        LONG,
        true,
    )]));
    if status == Some(RequestStatus::Closed) && current != RequestStatus::Closed && note.is_none() {
        errors.push(FieldError::new(
            "note",
            "Say why the request is closed without help",
        ));
    }
    if status == Some(current) && note.is_none() && errors.is_empty() {
        errors.push(FieldError::new(
            "note",
            "Choose a new status or write a note",
        ));
    }
    match status {
        Some(s) if errors.is_empty() => Ok((s, note)),
        _ => Err(errors),
    }
}

/// Checks hours given on a day (not in the future): `hours` like `2` or `1.5`. Returns the day
/// and the minutes.
pub fn check_hours(
    hours: &str,
    day: &str,
    today: NaiveDate,
) -> Result<(NaiveDate, i64), Vec<FieldError>> {
    let mut errors = Vec::new();
    let minutes = hours
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|h| h.is_finite() && *h > 0.0 && *h <= 24.0)
        .map(|h| (h * 60.0).round() as i64);
    if minutes.is_none() {
        errors.push(FieldError::new(
            "hours",
            "Enter the hours given, like 2 or 1.5 (at most 24)",
        ));
    }
    let day = match parse_date(day) {
        Ok(d) if d > today => {
            errors.push(FieldError::new(
                "worked_on",
                "The day cannot be in the future",
            ));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(FieldError::new("worked_on", e));
            None
        }
    };
    match (day, minutes) {
        (Some(d), Some(m)) if errors.is_empty() => Ok((d, m)),
        _ => Err(errors),
    }
}

/// Where a volunteer's DBS check stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbsStanding {
    /// No check recorded.
    NoCheck,
    /// Valid for more than [`DBS_WARNING_DAYS`].
    Valid,
    /// Due for renewal within [`DBS_WARNING_DAYS`] (days left).
    DueSoon(i64),
    /// Past its renewal date.
    Expired,
}

/// Where a DBS check of `level`, due for renewal on `expires`, stands on `today`.
pub fn dbs_standing(level: DbsLevel, expires: Option<NaiveDate>, today: NaiveDate) -> DbsStanding {
    match (level, expires) {
        (DbsLevel::None, _) => DbsStanding::NoCheck,
        (_, None) => DbsStanding::Valid,
        (_, Some(day)) if day < today => DbsStanding::Expired,
        (_, Some(day)) if (day - today).num_days() <= DBS_WARNING_DAYS => {
            DbsStanding::DueSoon((day - today).num_days())
        }
        _ => DbsStanding::Valid,
    }
}

/// How quickly requesters are first contacted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ContactFigures {
    /// Requests contacted (whose time to first contact is known).
    pub contacted: usize,
    /// The median time from receiving a request to first contact, in seconds.
    pub median_seconds: Option<i64>,
    /// Requests judged against their target: those contacted, and those still waiting past it.
    pub judged: usize,
    /// Of those, the ones contacted within their target.
    pub within_target: usize,
    /// Open requests not yet contacted whose target has passed.
    pub overdue: usize,
}

impl ContactFigures {
    /// The share contacted within target, as a whole percentage.
    pub fn percent_within(&self) -> Option<i64> {
        (self.judged > 0)
            .then(|| (self.within_target * 100 + self.judged / 2) as i64 / self.judged as i64)
    }
}

/// The time-to-first-contact figures of `requests` at `now`. The target depends on the
/// urgency ([`Urgency::contact_target`]); requests closed without contact and those still
/// within their target are not judged.
pub fn contact_figures(requests: &[RequestSummary], now: i64) -> ContactFigures {
    let mut f = ContactFigures::default();
    let mut times = Vec::new();
    for r in requests {
        let target = r.urgency.contact_target();
        match r.first_contact_at {
            Some(at) => {
                let took = (at - r.received_at).max(0);
                times.push(took);
                f.judged += 1;
                if took <= target {
                    f.within_target += 1;
                }
            }
            None if !r.status.is_closed() && now - r.received_at > target => {
                f.judged += 1;
                f.overdue += 1;
            }
            None => {}
        }
    }
    f.contacted = times.len();
    times.sort_unstable();
    f.median_seconds = match times.len() {
        0 => None,
        n if n % 2 == 1 => Some(times[n / 2]),
        n => Some((times[n / 2 - 1] + times[n / 2]) / 2),
    };
    f
}

/// A length of time in words: `45 minutes`, `3 hours 10 minutes`, `2 days 4 hours`.
pub fn duration_words(seconds: i64) -> String {
    let minutes = (seconds.max(0) + 30) / 60;
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours, mins) {
        (0, 0, m) => plural(m, "minute"),
        (0, h, 0) => plural(h, "hour"),
        (0, h, m) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
        (d, 0, _) => plural(d, "day"),
        (d, h, _) => format!("{} {}", plural(d, "day"), plural(h, "hour")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn summary(
        urgency: Urgency,
        received: i64,
        contact: Option<i64>,
        status: RequestStatus,
    ) -> RequestSummary {
        RequestSummary {
            id: 1,
            reference: "HR-0001".into(),
            channel: Channel::Phone,
            category: Category::Food,
            urgency,
            status,
            assignee: None,
            incident: None,
            legal_hold: false,
            received_at: received,
            first_contact_at: contact,
            closed_at: None,
            expires_on: day("2027-01-01"),
            duplicates: Vec::new(),
        }
    }

    #[test]
    fn first_contact_figures_count_the_overdue_and_skip_those_still_in_time() {
        let h = 3600;
        let now = 100 * h;
        let requests = [
            summary(Urgency::Today, 0, Some(h), RequestStatus::Contacted), // 1 h: in target (4 h)
            summary(Urgency::Today, 0, Some(5 * h), RequestStatus::Completed), // 5 h: missed
            summary(Urgency::ThreeDays, 0, Some(3 * h), RequestStatus::Completed), // in target (24 h)
            summary(Urgency::Today, 0, None, RequestStatus::Assigned), // waiting 100 h: overdue
            summary(Urgency::CanWait, now - h, None, RequestStatus::New), // still in time
            summary(Urgency::Today, 0, None, RequestStatus::Closed),   // closed without contact
        ];
        let f = contact_figures(&requests, now);
        assert_eq!(
            (f.contacted, f.judged, f.within_target, f.overdue),
            (3, 4, 2, 1)
        );
        assert_eq!(f.median_seconds, Some(3 * h));
        assert_eq!(f.percent_within(), Some(50));
        assert_eq!(
            contact_figures(&requests[..2], now).median_seconds,
            Some(3 * h)
        );
        assert_eq!(contact_figures(&[], now).percent_within(), None);
        assert_eq!(duration_words(3 * h + 600), "3 hours 10 minutes");
        assert_eq!(duration_words(50 * h), "2 days 2 hours");
        assert_eq!(duration_words(60), "1 minute");
    }

    #[test]
    fn requests_need_a_way_to_find_the_person_and_say_what_and_how_soon() {
        let today = day("2026-11-30");
        let e = check_request(&RequestDraft::default(), Channel::Public, today).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "name", "address", "postcode", "category", "urgency", "details",
        ] {
            assert!(fields.contains(&f), "{f}: {fields:?}");
        }
        let d = RequestDraft {
            name: " Ada ".into(),
            address: "3 Mill Lane".into(),
            postcode: "nm2 7qz".into(),
            phone: "".into(),
            details: "No heating since the power cut".into(),
            category: "energy".into(),
            urgency: "today".into(),
            incident: "".into(),
        };
        let r = check_request(&d, Channel::Public, today).unwrap();
        assert_eq!(
            (r.requester.name.as_str(), r.requester.postcode.as_str()),
            ("Ada", "NM2 7QZ")
        );
        assert_eq!(r.requester.phone, None);
        assert_eq!(
            r.expires_on,
            today + chrono::Duration::days(REQUEST_KEEP_DAYS)
        );
        let bad = RequestDraft {
            phone: "call me".into(),
            incident: "x".into(),
            ..d
        };
        let e = check_request(&bad, Channel::Phone, today).unwrap_err();
        assert_eq!(
            e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            vec!["phone", "incident"]
        );
    }

    #[test]
    fn volunteers_statuses_and_dbs_checks() {
        let today = day("2026-11-30");
        let d = VolunteerDraft {
            name: "Sam".into(),
            postcode: "NM1 1AA".into(),
            skills: vec!["food".into(), "transport".into(), "food".into()],
            dbs_level: "enhanced".into(),
            ..VolunteerDraft::default()
        };
        let fields = |e: Vec<FieldError>| e.into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(
            fields(check_volunteer(&d).unwrap_err()),
            vec!["phone", "dbs_expires_on"]
        );
        let ok = VolunteerDraft {
            phone: "07700 900 123".into(),
            dbs_expires_on: "2027-01-01".into(),
            ..d
        };
        assert_eq!(
            check_volunteer(&ok).unwrap().skills,
            vec![Category::Food, Category::Transport]
        );
        assert_eq!(
            dbs_standing(DbsLevel::Enhanced, Some(day("2026-12-20")), today),
            DbsStanding::DueSoon(20)
        );
        assert_eq!(
            dbs_standing(DbsLevel::Basic, Some(day("2026-11-29")), today),
            DbsStanding::Expired
        );
        assert_eq!(
            dbs_standing(DbsLevel::Basic, Some(day("2027-06-01")), today),
            DbsStanding::Valid
        );
        assert_eq!(
            dbs_standing(DbsLevel::None, None, today),
            DbsStanding::NoCheck
        );
        assert!(
            check_status(RequestStatus::Assigned, "closed", "").is_err(),
            "closing without help needs a reason"
        );
        assert!(check_status(RequestStatus::Assigned, "", " ").is_err());
        assert!(check_status(RequestStatus::Assigned, "new", "x").is_err());
        assert_eq!(
            check_status(RequestStatus::Assigned, "", "Left a message").unwrap(),
            (RequestStatus::Assigned, Some("Left a message".into()))
        );
        assert_eq!(
            check_assignment("volunteer", Some(2), "", &[1, 2]).unwrap(),
            Assignee::Volunteer { volunteer: 2 }
        );
        assert!(check_assignment("volunteer", Some(3), "", &[1, 2]).is_err());
        assert!(check_assignment("team", None, " ", &[]).is_err());
        assert_eq!(
            check_hours("1.5", "2026-11-29", today).unwrap(),
            (day("2026-11-29"), 90)
        );
        assert!(check_hours("0", "2026-12-01", today).unwrap_err().len() == 2);
    }
}
