//! The rules for public warnings, shared by the pages and the API: what a valid CAP 1.2
//! warning holds (its CAP values, language versions, area, times and the model services it
//! concerns), the templates prepared in peacetime with their `{placeholders}`, the
//! plain-language check shown to the author and the approver, and the SMS and social media
//! text derived from an issued warning.

use crate::FieldError;
use crate::text::{LONG, SHORT, check_all};
use bulwark_model::Model;
use bulwark_store::{WarningArea, WarningDetails, WarningInfo};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Europe::London;
use serde::{Deserialize, Serialize};

/// CAP categories with what they mean to a planner.
pub const CATEGORIES: [(&str, &str); 12] = [
    ("Met", "Weather (flood, heat, cold, storm)"),
    ("Geo", "Geological (landslip, earthquake)"),
    ("Safety", "General public safety"),
    ("Security", "Security (law enforcement, terrorism)"),
    ("Rescue", "Rescue and recovery"),
    ("Fire", "Fire"),
    ("Health", "Public health"),
    ("Env", "Pollution and environment"),
    ("Transport", "Transport"),
    (
        "Infra",
        "Utilities and infrastructure (power, water, telecoms)",
    ),
    (
        "CBRNE",
        "Chemical, biological, radiological, nuclear or explosive",
    ),
    ("Other", "Other"),
];
/// CAP urgency values with their meaning.
pub const URGENCIES: [(&str, &str); 5] = [
    ("Immediate", "Immediate: act now"),
    ("Expected", "Expected: act within the next hour"),
    ("Future", "Future: act in the near future"),
    ("Past", "Past: no longer needed"),
    ("Unknown", "Unknown"),
];
/// CAP severity values with their meaning.
pub const SEVERITIES: [(&str, &str); 5] = [
    (
        "Extreme",
        "Extreme: extraordinary threat to life or property",
    ),
    ("Severe", "Severe: significant threat to life or property"),
    ("Moderate", "Moderate: possible threat to life or property"),
    ("Minor", "Minor: little or no known threat"),
    ("Unknown", "Unknown"),
];
/// CAP certainty values with their meaning.
pub const CERTAINTIES: [(&str, &str); 5] = [
    ("Observed", "Observed: it is happening"),
    ("Likely", "Likely: more likely than not"),
    ("Possible", "Possible: possible but not likely"),
    ("Unlikely", "Unlikely: not expected"),
    ("Unknown", "Unknown"),
];

/// A warning as submitted, before it is checked. Times are already read (the pages and the
/// API write them differently); `Err` holds what was wrong with one.
#[derive(Debug, Clone)]
pub struct WarningDraft {
    /// The kind of event, like `Flood`.
    pub event: String,
    /// CAP category.
    pub category: String,
    /// CAP urgency.
    pub urgency: String,
    /// CAP severity.
    pub severity: String,
    /// CAP certainty.
    pub certainty: String,
    /// English headline, description and instruction.
    pub headline: String,
    /// What is happening.
    pub description: String,
    /// What people should do.
    pub instruction: String,
    /// The Welsh headline, description and instruction (empty: none yet).
    pub cy_headline: String,
    /// Welsh description.
    pub cy_description: String,
    /// Welsh instruction.
    pub cy_instruction: String,
    /// The area in words.
    pub area: String,
    /// CAP polygon text (optional).
    pub polygon: String,
    /// CAP circle text (optional).
    pub circle: String,
    /// Geocodes, one `name=value` a line (optional).
    pub geocodes: String,
    /// A web page with more (optional).
    pub web: String,
    /// Who to contact (optional).
    pub contact: String,
    /// A note: why a cancellation is issued.
    pub note: String,
    /// When it takes effect.
    pub effective: Result<Option<i64>, String>,
    /// When the hazard begins.
    pub onset: Result<Option<i64>, String>,
    /// When it stops being in force.
    pub expires: Result<Option<i64>, String>,
    /// The incident it belongs to (free text for now).
    pub incident: String,
    /// Model service ids it is about.
    pub services: Vec<String>,
}

impl Default for WarningDraft {
    fn default() -> WarningDraft {
        WarningDraft {
            event: String::new(),
            category: String::new(),
            urgency: String::new(),
            severity: String::new(),
            certainty: String::new(),
            headline: String::new(),
            description: String::new(),
            instruction: String::new(),
            cy_headline: String::new(),
            cy_description: String::new(),
            cy_instruction: String::new(),
            area: String::new(),
            polygon: String::new(),
            circle: String::new(),
            geocodes: String::new(),
            web: String::new(),
            contact: String::new(),
            note: String::new(),
            effective: Ok(None),
            onset: Ok(None),
            expires: Ok(None),
            incident: String::new(),
            services: Vec::new(),
        }
    }
}

fn one_of(field: &str, label: &str, value: &str, allowed: &[(&str, &str)]) -> Option<FieldError> {
    if allowed.iter().any(|(v, _)| *v == value) {
        None
    } else {
        let words: Vec<&str> = allowed.iter().map(|(v, _)| *v).collect();
        Some(FieldError::new(
            field,
            format!("Choose the {label} (one of {})", words.join(", ")),
        ))
    }
}

fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The `{placeholders}` still in `text`, like `area` for `{area}`.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some((_, after)) = rest.split_once('{') {
        match after.split_once('}') {
            Some((name, tail))
                if !name.is_empty()
                    && name.len() <= 40
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
            {
                if !found.iter().any(|f| f == name) {
                    found.push(name.to_string());
                }
                rest = tail;
            }
            _ => rest = after,
        }
    }
    found
}

/// `text` with each `{name}` replaced by its value, where one is given and not empty.
pub fn fill_placeholders(text: &str, values: &[(String, String)]) -> String {
    let mut out = text.to_string();
    for (name, value) in values {
        if !value.trim().is_empty() {
            out = out.replace(&format!("{{{name}}}"), value.trim());
        }
    }
    out
}

/// Checks a CAP `lat,lon` pair.
fn point(text: &str) -> Option<(f64, f64)> {
    let (lat, lon) = text.split_once(',')?;
    let (lat, lon): (f64, f64) = (lat.trim().parse().ok()?, lon.trim().parse().ok()?);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

/// Checks a CAP polygon: at least four `lat,lon` pairs separated by spaces, the last the
/// same as the first. Returns it with single spaces.
pub fn check_polygon(text: &str) -> Result<String, String> {
    let pairs: Vec<&str> = text.split_whitespace().collect();
    if pairs.iter().any(|p| point(p).is_none()) {
        return Err("Write the polygon as latitude,longitude pairs separated by spaces, like 53.80,-1.55 53.81,-1.54 53.79,-1.53 53.80,-1.55".into());
    }
    if pairs.len() < 4 {
        return Err("A polygon needs at least four points (the last the same as the first)".into());
    }
    if pairs.first().and_then(|p| point(p)) != pairs.last().and_then(|p| point(p)) {
        return Err("A polygon must end at the point it starts from".into());
    }
    Ok(pairs.join(" "))
}

/// Checks a CAP circle: `lat,lon radius`, the radius in kilometres.
pub fn check_circle(text: &str) -> Result<String, String> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let radius = parts.get(1).and_then(|r| r.parse::<f64>().ok());
    match (parts.as_slice(), radius) {
        ([centre, _], Some(r)) if point(centre).is_some() && r > 0.0 && r <= 1000.0 => {
            Ok(parts.join(" "))
        }
        _ => Err("Write the circle as the centre's latitude,longitude, a space, then the radius in kilometres, like 53.80,-1.55 2.5".into()),
    }
}

/// Reads geocode lines, `name=value` each (like `GSS=E06000047`).
pub fn parse_geocodes(text: &str) -> Result<Vec<(String, String)>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| match l.split_once('=') {
            Some((n, v)) if !n.trim().is_empty() && !v.trim().is_empty() => {
                Ok((n.trim().to_string(), v.trim().to_string()))
            }
            _ => Err(format!(
                "Geocodes line {}: write the code's name, an equals sign, then its value, like GSS=E06000047",
                i + 1
            )),
        })
        .collect()
}

/// Geocodes as lines of `name=value`, for a form.
pub fn geocodes_text(codes: &[(String, String)]) -> String {
    codes
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads an RFC 3339 time with its offset, like `2026-12-01T18:00:00+00:00`.
pub fn parse_time(text: &str) -> Result<i64, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.timestamp())
        .map_err(|_| format!("{text:?} is not a time like 2026-12-01T18:00:00+00:00"))
}

/// Reads a UK date from day, month and year boxes and a 24-hour time like `18:00` (all
/// empty: no time). Times are UK local time (GMT or BST).
pub fn time_from_parts(
    day: &str,
    month: &str,
    year: &str,
    time: &str,
) -> Result<Option<i64>, String> {
    if [day, month, year, time].iter().all(|t| t.trim().is_empty()) {
        return Ok(None);
    }
    let date = crate::exercises::date_from_parts(day, month, year)?;
    let clock = NaiveTime::parse_from_str(time.trim(), "%H:%M").map_err(|_| {
        "Enter the time as hours and minutes on the 24-hour clock, like 18:00".to_string()
    })?;
    let local = NaiveDate::and_time(&date, clock);
    London
        .from_local_datetime(&local)
        .earliest()
        .map(|t| Some(t.timestamp()))
        .ok_or_else(|| {
            "That time does not exist in the UK (the clocks go forward then)".to_string()
        })
}

/// A time as UK local day, month, year and `HH:MM`, for a form.
pub fn time_parts(at: Option<i64>) -> (String, String, String, String) {
    match at.and_then(|t| London.timestamp_opt(t, 0).single()) {
        Some(t) => (
            t.format("%-d").to_string(),
            t.format("%-m").to_string(),
            t.format("%Y").to_string(),
            t.format("%H:%M").to_string(),
        ),
        None => Default::default(),
    }
}

/// A time for people: `Tuesday 1 December 2026 at 18:00 GMT`.
pub fn time_label(at: i64) -> String {
    London
        .timestamp_opt(at, 0)
        .single()
        .map_or_else(String::new, |t| {
            t.format("%A %-d %B %Y at %H:%M %Z").to_string()
        })
}

/// Checks a warning. `welsh_required` makes the Welsh text compulsory (when issuing for an
/// organisation that publishes in Welsh); otherwise it may be left for later, but not half
/// written. Every problem is returned, each naming its field.
pub fn check_warning(
    d: &WarningDraft,
    model: &Model,
    welsh_required: bool,
) -> Result<WarningDetails, Vec<FieldError>> {
    let mut errors = check_all(&[
        ("event", "The event", &d.event, SHORT, false),
        ("headline", "The headline", &d.headline, SHORT, false),
        ("description", "The description", &d.description, LONG, true),
        ("instruction", "The instruction", &d.instruction, LONG, true),
        (
            "cy-headline",
            "The Welsh headline",
            &d.cy_headline,
            SHORT,
            false,
        ),
        (
            "cy-description",
            "The Welsh description",
            &d.cy_description,
            LONG,
            true,
        ),
        (
            "cy-instruction",
            "The Welsh instruction",
            &d.cy_instruction,
            LONG,
            true,
        ),
        ("area", "The area", &d.area, LONG, true),
        ("polygon", "The polygon", &d.polygon, LONG, true),
        ("circle", "The circle", &d.circle, SHORT, false),
        ("geocodes", "The geocodes", &d.geocodes, LONG, true),
        ("web", "The web address", &d.web, SHORT, false),
        ("contact", "The contact", &d.contact, SHORT, false),
        ("note", "The reason", &d.note, LONG, true),
        ("incident", "The incident", &d.incident, SHORT, false),
    ]);
    let mut need = |field: &str, value: &str, message: &str| {
        if value.trim().is_empty() && !errors.iter().any(|e| e.field == field) {
            errors.push(FieldError::new(field, message));
        }
    };
    need(
        "event",
        &d.event,
        "Enter the event, like Flood or Power cut",
    );
    need("headline", &d.headline, "Enter a headline");
    need("description", &d.description, "Describe what is happening");
    need("instruction", &d.instruction, "Say what people should do");
    need("area", &d.area, "Describe the area the warning is for");
    let welsh = [&d.cy_headline, &d.cy_description, &d.cy_instruction];
    let any_welsh = welsh.iter().any(|t| !t.trim().is_empty());
    if welsh_required || any_welsh {
        need("cy-headline", &d.cy_headline, "Enter the Welsh headline");
        need(
            "cy-description",
            &d.cy_description,
            "Enter the Welsh description",
        );
        need(
            "cy-instruction",
            &d.cy_instruction,
            "Enter the Welsh instruction",
        );
    }
    errors.extend(one_of("category", "category", &d.category, &CATEGORIES));
    errors.extend(one_of("urgency", "urgency", &d.urgency, &URGENCIES));
    errors.extend(one_of("severity", "severity", &d.severity, &SEVERITIES));
    errors.extend(one_of("certainty", "certainty", &d.certainty, &CERTAINTIES));
    for (field, label, text) in [
        ("headline", "headline", &d.headline),
        ("description", "description", &d.description),
        ("instruction", "instruction", &d.instruction),
        ("cy-headline", "Welsh headline", &d.cy_headline),
        ("cy-description", "Welsh description", &d.cy_description),
        ("cy-instruction", "Welsh instruction", &d.cy_instruction),
        ("area", "area", &d.area),
    ] {
        if let Some(p) = placeholders(text).first() {
            errors.push(FieldError::new(
                field,
                format!("Replace {{{p}}} in the {label} with the real words"),
            ));
        }
    }
    let polygon = optional(&d.polygon).map(|p| check_polygon(&p));
    let circle = optional(&d.circle).map(|c| check_circle(&c));
    if let Some(Err(e)) = &polygon {
        errors.push(FieldError::new("polygon", e.clone()));
    }
    if let Some(Err(e)) = &circle {
        errors.push(FieldError::new("circle", e.clone()));
    }
    let geocodes = parse_geocodes(&d.geocodes).unwrap_or_else(|e| {
        errors.push(FieldError::new("geocodes", e));
        Vec::new()
    });
    let web = optional(&d.web);
    if let Some(w) = &web
        && (!(w.starts_with("https://") || w.starts_with("http://"))
            || w.contains(char::is_whitespace))
    {
        errors.push(FieldError::new(
            "web",
            "Enter the web address in full, starting https://",
        ));
    }
    let mut time = |field: &str, t: &Result<Option<i64>, String>| match t {
        Ok(v) => *v,
        Err(e) => {
            errors.push(FieldError::new(field, e.clone()));
            None
        }
    };
    let effective = time("effective", &d.effective);
    let onset = time("onset-day", &d.onset);
    let expires = time("expires-day", &d.expires);
    if let Some(x) = expires
        && (onset.is_some_and(|o| x <= o) || effective.is_some_and(|e| x <= e))
    {
        errors.push(FieldError::new(
            "expires-day",
            "The warning must expire after it starts",
        ));
    }
    let mut services = Vec::new();
    for id in d
        .services
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        if model.services.iter().any(|s| s.meta.id.as_str() == id) {
            if !services.iter().any(|s| s == id) {
                services.push(id.to_string());
            }
        } else {
            errors.push(FieldError::new(
                "services",
                format!("There is no service {id:?} in the model"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut infos = vec![WarningInfo {
        language: "en-GB".into(),
        headline: d.headline.trim().into(),
        description: normalise(d.description.trim()),
        instruction: normalise(d.instruction.trim()),
    }];
    if any_welsh {
        infos.push(WarningInfo {
            language: "cy".into(),
            headline: d.cy_headline.trim().into(),
            description: normalise(d.cy_description.trim()),
            instruction: normalise(d.cy_instruction.trim()),
        });
    }
    Ok(WarningDetails {
        event: d.event.trim().into(),
        category: d.category.clone(),
        urgency: d.urgency.clone(),
        severity: d.severity.clone(),
        certainty: d.certainty.clone(),
        web,
        contact: optional(&d.contact),
        note: optional(&d.note).map(|n| normalise(&n)),
        effective_at: effective,
        onset_at: onset,
        expires_at: expires,
        infos,
        areas: vec![WarningArea {
            description: normalise(d.area.trim()),
            polygon: polygon.and_then(Result::ok),
            circle: circle.and_then(Result::ok),
            geocodes,
        }],
        incident: optional(&d.incident),
        services,
    })
}

/// The content of the cancellation of a warning saying `earlier`: the same text and area,
/// with the reason (required) as its note.
pub fn cancellation(
    earlier: &WarningDetails,
    reason: &str,
) -> Result<WarningDetails, Vec<FieldError>> {
    let mut errors = check_all(&[("note", "The reason", reason, LONG, true)]);
    if reason.trim().is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "note",
            "Say why the warning is cancelled, like: The river level has fallen",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(WarningDetails {
        note: Some(normalise(reason.trim())),
        ..earlier.clone()
    })
}

/// Line breaks as `\n` only (forms send `\r\n`; XML keeps only `\n`).
fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// A stored warning as a draft again (to change it, or to start an update from it).
pub fn draft_of(w: &WarningDetails) -> WarningDraft {
    let en = w.infos.iter().find(|i| i.language == "en-GB");
    let cy = w.infos.iter().find(|i| i.language == "cy");
    let text = |i: Option<&WarningInfo>, f: fn(&WarningInfo) -> &String| {
        i.map(f).cloned().unwrap_or_default()
    };
    let area = w.areas.first();
    WarningDraft {
        event: w.event.clone(),
        category: w.category.clone(),
        urgency: w.urgency.clone(),
        severity: w.severity.clone(),
        certainty: w.certainty.clone(),
        headline: text(en, |i| &i.headline),
        description: text(en, |i| &i.description),
        instruction: text(en, |i| &i.instruction),
        cy_headline: text(cy, |i| &i.headline),
        cy_description: text(cy, |i| &i.description),
        cy_instruction: text(cy, |i| &i.instruction),
        area: area.map(|a| a.description.clone()).unwrap_or_default(),
        polygon: area.and_then(|a| a.polygon.clone()).unwrap_or_default(),
        circle: area.and_then(|a| a.circle.clone()).unwrap_or_default(),
        geocodes: area.map(|a| geocodes_text(&a.geocodes)).unwrap_or_default(),
        web: w.web.clone().unwrap_or_default(),
        contact: w.contact.clone().unwrap_or_default(),
        note: w.note.clone().unwrap_or_default(),
        effective: Ok(w.effective_at),
        onset: Ok(w.onset_at),
        expires: Ok(w.expires_at),
        incident: w.incident.clone().unwrap_or_default(),
        services: w.services.clone(),
    }
}

// ----- templates -----

/// A warning template: CAP values and text with `{placeholders}` for what changes each time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// Its key, like `flood`.
    pub key: String,
    /// Its name, like `Flood warning`.
    pub name: String,
    /// The CAP event.
    pub event: String,
    /// CAP category.
    pub category: String,
    /// CAP urgency.
    pub urgency: String,
    /// CAP severity.
    pub severity: String,
    /// CAP certainty.
    pub certainty: String,
    /// Headline with placeholders.
    pub headline: String,
    /// Description with placeholders.
    pub description: String,
    /// Instruction with placeholders.
    pub instruction: String,
}

impl Template {
    /// Every placeholder in its text, in order of first use.
    pub fn placeholders(&self) -> Vec<String> {
        let mut all = Vec::new();
        for text in [&self.headline, &self.description, &self.instruction] {
            for p in placeholders(text) {
                if !all.contains(&p) {
                    all.push(p);
                }
            }
        }
        all
    }
}

#[allow(clippy::too_many_arguments)]
fn template(
    key: &str,
    name: &str,
    event: &str,
    [category, urgency, severity, certainty]: [&str; 4],
    headline: &str,
    description: &str,
    instruction: &str,
) -> Template {
    Template {
        key: key.into(),
        name: name.into(),
        event: event.into(),
        category: category.into(),
        urgency: urgency.into(),
        severity: severity.into(),
        certainty: certainty.into(),
        headline: headline.into(),
        description: description.into(),
        instruction: instruction.into(),
    }
}

/// The templates every organisation starts with, one per common scenario.
pub fn builtin_templates() -> Vec<Template> {
    vec![
        template(
            "flood",
            "Flood warning",
            "Flood",
            ["Met", "Expected", "Severe", "Likely"],
            "Flood warning for {area}",
            "Flooding is expected in {area} from {time}. Water may be deep and fast. Roads may close.",
            "Move your family, pets and valuables upstairs now. Turn off gas, water and power if it is safe. Do not walk or drive through flood water. Call 999 if you are in danger.",
        ),
        template(
            "heat",
            "Extreme heat",
            "Extreme heat",
            ["Met", "Expected", "Moderate", "Likely"],
            "Very hot weather in {area} from {time}",
            "It will be very hot in {area} from {time}. Heat can make people very ill. Older people, babies and people who are ill are most at risk.",
            "Stay out of the sun from 11am to 3pm. Drink plenty of water. Keep rooms cool by closing curtains. Check on people who live alone. Call 111 if you feel unwell.",
        ),
        template(
            "power",
            "Power cut",
            "Power cut",
            ["Infra", "Immediate", "Moderate", "Observed"],
            "Power cut in {area}",
            "There is no power in {area} since {time}. We expect it to be back by {restore}.",
            "If you rely on power for medical equipment, call {phone} now. Use torches, not candles. Keep fridge and freezer doors shut. Check on neighbours who may need help.",
        ),
        template(
            "water",
            "Drinking water",
            "Water supply",
            ["Infra", "Immediate", "Severe", "Observed"],
            "Do not drink tap water in {area}",
            "Tap water in {area} is not safe to drink since {time}. Bottled water is at {station}.",
            "Do not drink tap water, even if you boil it. Use bottled water for drinking, cooking and brushing teeth. You can still use tap water to flush the toilet.",
        ),
        template(
            "cold",
            "Cold weather",
            "Cold weather",
            ["Met", "Expected", "Moderate", "Likely"],
            "Very cold weather in {area} from {time}",
            "Very cold weather, snow and ice are expected in {area} from {time}.",
            "Heat your home to at least 18 degrees. Wear warm layers. Take care on icy paths. Check on older neighbours. Call 111 if you need health advice.",
        ),
        template(
            "evacuation",
            "Evacuation",
            "Evacuation",
            ["Safety", "Immediate", "Extreme", "Observed"],
            "Leave your home now: {area}",
            "Everyone in {area} must leave now. The danger is {hazard}.",
            "Leave now. Take your medicines, phone and charger. Go to the rest centre at {centre}. Do not go back until we say it is safe. Call 999 if you cannot leave.",
        ),
    ]
}

/// Checks a template an organisation changes: its name and text within limits and present,
/// and CAP values it may use. Placeholders are allowed, of course.
pub fn check_template(t: &Template) -> Vec<FieldError> {
    let mut errors = check_all(&[
        ("name", "The name", &t.name, SHORT, false),
        ("event", "The event", &t.event, SHORT, false),
        ("headline", "The headline", &t.headline, SHORT, false),
        ("description", "The description", &t.description, LONG, true),
        ("instruction", "The instruction", &t.instruction, LONG, true),
    ]);
    for (field, value, message) in [
        ("name", &t.name, "Enter the template's name"),
        (
            "event",
            &t.event,
            "Enter the event, like Flood or Power cut",
        ),
        ("headline", &t.headline, "Enter a headline"),
        ("description", &t.description, "Describe what is happening"),
        ("instruction", &t.instruction, "Say what people should do"),
    ] {
        if value.trim().is_empty() && !errors.iter().any(|e| e.field == field) {
            errors.push(FieldError::new(field, message));
        }
    }
    errors.extend(one_of("category", "category", &t.category, &CATEGORIES));
    errors.extend(one_of("urgency", "urgency", &t.urgency, &URGENCIES));
    errors.extend(one_of("severity", "severity", &t.severity, &SEVERITIES));
    errors.extend(one_of("certainty", "certainty", &t.certainty, &CERTAINTIES));
    errors
}

/// The organisation's templates: the built-in ones, each replaced by the organisation's own
/// version where it has saved one (`stored` as (key, JSON)).
pub fn templates(stored: &[(String, String)]) -> Vec<Template> {
    builtin_templates()
        .into_iter()
        .map(|t| {
            stored
                .iter()
                .find(|(k, _)| *k == t.key)
                .and_then(|(_, body)| serde_json::from_str::<Template>(body).ok())
                .map_or_else(
                    || t.clone(),
                    |own| Template {
                        key: t.key.clone(),
                        ..own
                    },
                )
        })
        .collect()
}

// ----- plain language -----

/// Words and phrases the public may not understand, with plainer ones (after GOV.UK's words
/// to avoid and emergency services' plain-language guidance).
pub const JARGON: [(&str, &str); 30] = [
    ("mitigate", "reduce"),
    ("in the vicinity of", "near"),
    ("in the vicinity", "nearby"),
    ("precautionary", "to be safe"),
    ("utilise", "use"),
    ("utilize", "use"),
    ("commence", "start"),
    ("prior to", "before"),
    ("in the event of", "if"),
    ("facilitate", "help"),
    ("disseminate", "share"),
    ("ascertain", "find out"),
    ("endeavour", "try"),
    ("inclement", "bad"),
    ("potable", "safe to drink"),
    ("adverse", "bad"),
    ("in order to", "to"),
    ("approximately", "about"),
    ("sufficient", "enough"),
    ("terminate", "end"),
    ("subsequently", "later"),
    ("whilst", "while"),
    ("inundation", "flooding"),
    ("fluvial", "river"),
    ("pluvial", "rain"),
    ("multi-agency", "name the organisations"),
    ("stakeholders", "people"),
    ("going forward", "from now on"),
    ("residents are advised to", "you should"),
    ("deploy", "send"),
];

/// Sentences longer than this many words are hard to take in (GOV.UK: 25).
pub const LONG_SENTENCE: usize = 25;
/// Reading ages above this get advice (GOV.UK writes for a reading age of 9; warnings must
/// be understood by nearly everyone, at once).
pub const READING_AGE: f64 = 11.0;

/// What the plain-language check found in a warning's text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlainLanguage {
    /// Words counted.
    pub words: usize,
    /// Sentences counted.
    pub sentences: usize,
    /// Flesch-Kincaid grade level.
    pub grade: f64,
    /// Reading age in years (grade + 5), rounded to one decimal.
    pub reading_age: f64,
    /// The first words of each sentence over [`LONG_SENTENCE`] words, with its length.
    pub long_sentences: Vec<(String, usize)>,
    /// Jargon found, with a plainer word for each.
    pub jargon: Vec<(String, String)>,
    /// The advice, in sentences; empty when the text reads plainly.
    pub advice: Vec<String>,
}

/// Syllables in an English word, by counting groups of vowels (a well-known estimate: good
/// enough for a reading age, not for a dictionary).
fn syllables(word: &str) -> usize {
    let w: Vec<char> = word
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    if w.is_empty() {
        return 0;
    }
    let vowel = |c: char| "aeiouy".contains(c);
    let mut count = 0;
    let mut previous = false;
    for &c in &w {
        let v = vowel(c);
        if v && !previous {
            count += 1;
        }
        previous = v;
    }
    // A silent final e (make, time), but not -le after a consonant (table, little).
    if let [.., before, last, 'e'] = w.as_slice() {
        let consonant_le = *last == 'l' && !vowel(*before);
        if !vowel(*last) && !consonant_le {
            count -= 1;
        }
    }
    count.max(1)
}

/// The sentences of `text`: split after `.`, `!`, `?` and at line breaks.
fn sentences(text: &str) -> Vec<Vec<&str>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut current = Vec::new();
        for word in line.split_whitespace() {
            current.push(word);
            if word.ends_with(['.', '!', '?']) {
                out.push(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            out.push(current);
        }
    }
    out
}

/// Checks the English text of a warning (headline, description, instruction) for reading
/// age, long sentences and jargon.
pub fn plain_language(texts: &[&str]) -> PlainLanguage {
    let mut all = Vec::new();
    for t in texts {
        all.extend(sentences(t));
    }
    let words: usize = all.iter().map(Vec::len).sum();
    let syllable_count: usize = all.iter().flatten().map(|w| syllables(w)).sum();
    let sentence_count = all.len();
    let grade = if words == 0 {
        0.0
    } else {
        0.39 * (words as f64 / sentence_count as f64)
            + 11.8 * (syllable_count as f64 / words as f64)
            - 15.59
    };
    let grade = (grade * 10.0).round() / 10.0;
    let reading_age = ((grade + 5.0).max(5.0) * 10.0).round() / 10.0;
    let long_sentences: Vec<(String, usize)> = all
        .iter()
        .filter(|s| s.len() > LONG_SENTENCE)
        .map(|s| {
            (
                s.iter().take(6).copied().collect::<Vec<_>>().join(" "),
                s.len(),
            )
        })
        .collect();
    let lower = texts.join(" ").to_lowercase();
    let mut jargon: Vec<(String, String)> = Vec::new();
    for (word, plain) in JARGON {
        let found = lower.match_indices(word).any(|(i, _)| {
            let before = lower.get(..i).and_then(|s| s.chars().next_back());
            let after = lower.get(i + word.len()..).and_then(|s| s.chars().next());
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        });
        // "in the vicinity" is inside "in the vicinity of": report the longer phrase once.
        if found && !jargon.iter().any(|(j, _)| j.contains(word)) {
            jargon.push((word.to_string(), plain.to_string()));
        }
    }
    let mut advice = Vec::new();
    if reading_age > READING_AGE {
        advice.push(format!(
            "The reading age is {reading_age:.0}: aim for {READING_AGE:.0} or under with shorter words and sentences, so that everyone understands it at once."
        ));
    }
    for (start, n) in &long_sentences {
        advice.push(format!(
            "The sentence starting \u{201c}{start}\u{201d} has {n} words: split it into sentences of {LONG_SENTENCE} words or fewer."
        ));
    }
    for (word, plain) in &jargon {
        advice.push(format!(
            "Say \u{201c}{plain}\u{201d} rather than \u{201c}{word}\u{201d}."
        ));
    }
    PlainLanguage {
        words,
        sentences: sentence_count,
        grade,
        reading_age,
        long_sentences,
        jargon,
        advice,
    }
}

// ----- SMS and social media -----

/// GSM 03.38's basic character set: one septet each.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// GSM 03.38's extension table: two septets each.
const GSM_EXTENDED: &str = "^{}\\[~]|€\u{c}";

/// A text message and what it costs to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sms {
    /// The text.
    pub text: String,
    /// `GSM-7` (160 characters a message) or `UCS-2` (70: any character outside the GSM
    /// alphabet, such as Welsh ŵ and ŷ or curly quotes, makes the whole message UCS-2).
    pub encoding: &'static str,
    /// Its length in that encoding's units (GSM extension characters count twice).
    pub length: usize,
    /// How many messages it is sent as (long messages are split: 153 or 67 a part).
    pub messages: usize,
}

/// Measures `text` as a text message.
pub fn measure_sms(text: &str) -> Sms {
    let gsm = text
        .chars()
        .map(|c| {
            if GSM_BASIC.contains(c) {
                Some(1)
            } else if GSM_EXTENDED.contains(c) {
                Some(2)
            } else {
                None
            }
        })
        .sum::<Option<usize>>();
    let (encoding, length, single, part) = match gsm {
        Some(n) => ("GSM-7", n, 160, 153),
        None => ("UCS-2", text.encode_utf16().count(), 70, 67),
    };
    let messages = if length <= single {
        1
    } else {
        length.div_ceil(part)
    };
    Sms {
        text: text.to_string(),
        encoding,
        length,
        messages,
    }
}

/// `first`, then as much of `rest` as fits in `limit` with `link`, cut at a word with `...`
/// when it does not all fit; `measure` gives a text's size.
fn fit(
    first: &str,
    rest: &str,
    link: &str,
    limit: usize,
    measure: impl Fn(&str) -> usize,
) -> String {
    let join = |middle: &str| {
        [first, middle, link]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let whole = join(rest);
    if measure(&whole) <= limit {
        return whole;
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    for n in (0..words.len()).rev() {
        let cut = if n == 0 {
            String::new()
        } else {
            format!(
                "{}...",
                words[..n].join(" ").trim_end_matches(['.', ',', ';', ':'])
            )
        };
        let text = join(&cut);
        if measure(&text) <= limit {
            return text;
        }
    }
    join("")
}

fn sentence_end(text: &str) -> String {
    let t = text.trim();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// A text message from a warning: the headline, the instruction (shortened to fit one
/// message where it can) and the link to the public page.
pub fn sms(headline: &str, instruction: &str, link: &str) -> Sms {
    // One message, in GSM-7 where the shortened text allows it.
    let text = fit(&sentence_end(headline), instruction.trim(), link, 1, |t| {
        measure_sms(t).messages
    });
    measure_sms(&text)
}

/// A social media post from a warning: at most 280 characters, with the link.
pub fn social(headline: &str, instruction: &str, link: &str) -> String {
    let first = sentence_end(headline);
    fit(&first, instruction.trim(), link, 280, |t| t.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_and_filled() {
        let t = "Flooding in {area} from {time}. Stay out of {area}. Not {a b} or {}.";
        assert_eq!(placeholders(t), vec!["area", "time"]);
        let filled = fill_placeholders(
            t,
            &[
                ("area".into(), "Riverside".into()),
                ("time".into(), " ".into()),
            ],
        );
        assert_eq!(
            filled,
            "Flooding in Riverside from {time}. Stay out of Riverside. Not {a b} or {}."
        );
    }

    #[test]
    fn areas_are_checked_as_cap_writes_them() {
        assert_eq!(
            check_polygon("53.8,-1.5  53.9,-1.5 53.9,-1.4 53.8,-1.5"),
            Ok("53.8,-1.5 53.9,-1.5 53.9,-1.4 53.8,-1.5".into())
        );
        assert!(check_polygon("53.8,-1.5 53.9,-1.5 53.9,-1.4").is_err());
        assert!(check_polygon("53.8,-1.5 53.9,-1.5 53.9,-1.4 53.7,-1.5").is_err());
        assert!(check_polygon("95,-1.5 53.9,-1.5 53.9,-1.4 95,-1.5").is_err());
        assert_eq!(check_circle("53.8,-1.5 2.5"), Ok("53.8,-1.5 2.5".into()));
        assert!(check_circle("53.8,-1.5").is_err());
        assert!(check_circle("53.8,-1.5 -2").is_err());
        assert_eq!(
            parse_geocodes("GSS=E06000047\n\n"),
            Ok(vec![("GSS".into(), "E06000047".into())])
        );
        assert!(parse_geocodes("GSS").is_err());
    }

    #[test]
    fn times_are_uk_local_and_rfc_3339() {
        // 1 July is BST (UTC+1), 1 December GMT.
        let summer = time_from_parts("1", "7", "2026", "18:00").unwrap().unwrap();
        assert_eq!(summer, parse_time("2026-07-01T17:00:00Z").unwrap());
        let winter = time_from_parts("1", "12", "2026", "18:00")
            .unwrap()
            .unwrap();
        assert_eq!(winter, parse_time("2026-12-01T18:00:00+00:00").unwrap());
        assert_eq!(time_parts(Some(summer)).3, "18:00");
        assert_eq!(time_from_parts("", "", "", ""), Ok(None));
        assert!(time_from_parts("1", "12", "2026", "6pm").is_err());
        assert!(parse_time("tomorrow").is_err());
    }

    #[test]
    fn plain_language_figures() {
        // 3 sentences, 16 words, 18 syllables: 0.39 * 16 / 3 + 11.8 * 18 / 16 - 15.59 = -0.2.
        let p = plain_language(&[
            "Go upstairs now.",
            "Do not walk in flood water. Call 999 if you are in danger",
        ]);
        assert_eq!(
            (p.sentences, p.words, p.grade, p.reading_age),
            (3, 16, -0.2, 5.0)
        );
        assert!(p.reading_age <= READING_AGE && p.advice.is_empty(), "{p:?}");
        let hard = plain_language(&[
            "Residents are advised to utilise alternative accommodation in the vicinity of the precautionary evacuation zone, in order to mitigate the consequences of the anticipated fluvial inundation affecting properties adjacent to the watercourse, prior to the commencement of remediation operations by multi-agency partners.",
        ]);
        assert_eq!(hard.sentences, 1);
        assert_eq!(hard.long_sentences.len(), 1);
        assert!(hard.reading_age > 20.0, "{hard:?}");
        let words: Vec<&str> = hard.jargon.iter().map(|(w, _)| w.as_str()).collect();
        for w in [
            "mitigate",
            "in the vicinity of",
            "precautionary",
            "utilise",
            "prior to",
            "fluvial",
            "inundation",
        ] {
            assert!(words.contains(&w), "{w} in {words:?}");
        }
        assert!(
            !words.contains(&"in the vicinity"),
            "the longer phrase only"
        );
        assert!(hard.advice.iter().any(|a| a.contains("reading age")));
        // Words inside other words are not jargon ("adversely" is, "deployment" is not "deploy").
        assert!(
            plain_language(&["Redeployment of staff."])
                .jargon
                .is_empty()
        );
        assert_eq!(syllables("table"), 2);
        assert_eq!(syllables("time"), 1);
        assert_eq!(syllables("water"), 2);
    }

    #[test]
    fn sms_counts_gsm_and_ucs2_and_fits_one_message() {
        assert_eq!(measure_sms("Hello [world]").length, 15);
        assert_eq!(measure_sms("Hello").encoding, "GSM-7");
        let welsh = measure_sms("Rhybudd llifogydd: ewch i fyny'r grisiau. Dŵr");
        assert_eq!(welsh.encoding, "UCS-2");
        assert_eq!(measure_sms(&"a".repeat(161)).messages, 2);
        assert_eq!(measure_sms(&"a".repeat(306)).messages, 2);
        assert_eq!(measure_sms(&"a".repeat(307)).messages, 3);
        assert_eq!(measure_sms(&"ŵ".repeat(71)).messages, 2);
        let link = "https://example.org/cap/north/alerts/12";
        let s = sms(
            "Flood warning for Riverside",
            "Move your family, pets and valuables upstairs now. Turn off gas, water and power if it is safe. Do not walk or drive through flood water.",
            link,
        );
        assert_eq!(s.messages, 1, "{s:?}");
        assert!(
            s.length <= 160 && s.text.ends_with(link) && s.text.contains("..."),
            "{s:?}"
        );
        assert!(
            s.text
                .starts_with("Flood warning for Riverside. Move your family")
        );
        let short = sms("Power cut", "Use torches.", link);
        assert_eq!(short.text, format!("Power cut. Use torches. {link}"));
        let post = social("Flood warning", &"word ".repeat(100), link);
        assert!(post.chars().count() <= 280 && post.ends_with(link));
    }

    #[test]
    fn templates_have_placeholders_and_an_organisation_may_replace_one() {
        let all = builtin_templates();
        let keys: Vec<&str> = all.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(
            keys,
            ["flood", "heat", "power", "water", "cold", "evacuation"]
        );
        assert_eq!(all[0].placeholders(), ["area", "time"]);
        for t in &all {
            for text in [&t.headline, &t.description, &t.instruction] {
                let p = plain_language(&[text]);
                assert!(p.advice.is_empty(), "{}: {:?}", t.key, p.advice);
            }
        }
        let mut own = all[0].clone();
        own.headline = "Our flood warning for {area}".into();
        let merged = templates(&[("flood".into(), serde_json::to_string(&own).unwrap())]);
        assert_eq!(merged[0].headline, "Our flood warning for {area}");
        assert_eq!(merged.len(), 6);
    }
}
