//! Public warnings, what the pages and the API share: approving with two people, what a
//! warning's page shows (plain-language advice, SMS and social media text, its history), and
//! where its public copies live. The rules for the text are in
//! [`bulwark_rules::warnings`]; CAP XML and the Atom feed in [`crate::cap`].

use crate::cap::Public;
use crate::error::WebError;
use crate::state::AppState;
use axum::http::HeaderMap;
use bulwark_rules::warnings::{self as rules, PlainLanguage, Sms};
use bulwark_store::{Actor, AuditEntry, Organisation, Warning, WarningSettings, WarningStatus};
use serde::Serialize;

/// The site's address as the caller reached it, for links in feeds, alerts and messages:
/// `https` behind TLS (`--secure-cookies`), the `Host` header's name (when it is a plain
/// host name), else `localhost`.
pub fn base_url(headers: &HeaderMap, state: &AppState) -> String {
    let scheme = if state.secure_cookies() {
        "https"
    } else {
        "http"
    };
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("{scheme}://{host}")
}

/// The CAP sender of an organisation's warnings: its setting, or `bulwark:` and its id.
pub fn sender(settings: &WarningSettings, org: &Organisation) -> String {
    if settings.sender.trim().is_empty() {
        format!("bulwark:{}", org.slug)
    } else {
        settings.sender.trim().to_string()
    }
}

/// Checks a CAP sender: no spaces, commas, `<` or `&` (CAP 1.2, 3.2.1).
pub fn check_sender(text: &str) -> Result<(), String> {
    if text.len() > 200 || text.contains(|c: char| c.is_whitespace() || ",<&".contains(c)) {
        Err("The sender must have no spaces, commas, < or &, like warnings@northmoor.gov.uk".into())
    } else {
        Ok(())
    }
}

/// Issues draft `number` of `org`, approved by `approver` (account `approver_id`): refused
/// (403) to its author and to the last person who changed it, so two people have always
/// seen it; refused (422) without the Welsh text when the organisation publishes in Welsh.
/// `revision` is the draft the approver read, when they say (the pages always do).
pub async fn approve(
    state: &AppState,
    org: &Organisation,
    number: i64,
    revision: Option<i64>,
    approver_id: i64,
    approver: &Actor,
) -> Result<(), WebError> {
    let store = state.store();
    let w = store
        .warning(org.id, number)
        .await?
        .ok_or(WebError::NotFound)?;
    if w.status != WarningStatus::Draft {
        return Err(WebError::Conflict(
            "this warning has already been issued".into(),
        ));
    }
    if w.author_id == Some(approver_id) || w.edited_by_id == Some(approver_id) {
        return Err(WebError::Forbidden);
    }
    let settings = store.warning_settings(org.id).await?;
    if settings.publish_welsh && !w.details.infos.iter().any(|i| i.language == "cy") {
        return Err(WebError::Invalid(vec![
            "this organisation publishes warnings in Welsh too: add the Welsh headline, description and instruction before it is approved".into(),
        ]));
    }
    let sender = sender(&settings, org);
    store
        .approve_warning(
            org.id,
            number,
            revision.unwrap_or(w.revision),
            &sender,
            approver,
        )
        .await?;
    Ok(())
}

/// One language version of a warning with its plain-language check and messages.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// `en-GB` or `cy`.
    pub language: String,
    /// The plain-language check (English only: the checks are for English text).
    pub plain_language: Option<PlainLanguage>,
    /// A text message.
    pub sms: Sms,
    /// A social media post.
    pub social: String,
}

/// What a warning's page and API answer add to the stored warning.
#[derive(Debug, Clone, Serialize)]
pub struct Derived {
    /// Each language version's check and messages.
    pub versions: Vec<Version>,
    /// The public page (issued warnings).
    pub page_url: Option<String>,
    /// The CAP XML (issued warnings).
    pub cap_url: Option<String>,
    /// The history of its alert: drafted, changed, approved, superseded, cancelled.
    pub history: Vec<HistoryEntry>,
}

/// One step in a warning's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// The message's number.
    pub warning: String,
    /// What was done.
    pub action: String,
    /// Who.
    pub actor: String,
    /// When (seconds since 1970).
    pub at: i64,
    /// When, for people.
    pub when: String,
}

impl From<AuditEntry> for HistoryEntry {
    fn from(e: AuditEntry) -> HistoryEntry {
        HistoryEntry {
            warning: e.entity_id,
            action: e.action,
            actor: e.actor,
            when: rules::time_label(e.at),
            at: e.at,
        }
    }
}

/// The checks, messages, addresses and history of `w`.
pub async fn derived(
    state: &AppState,
    org: &Organisation,
    w: &Warning,
    base: &str,
) -> Result<Derived, WebError> {
    let public = Public {
        base,
        slug: &org.slug,
        name: &org.name,
    };
    let link = public.page(w.number);
    let versions = w
        .details
        .infos
        .iter()
        .map(|i| Version {
            language: i.language.clone(),
            plain_language: (i.language == "en-GB")
                .then(|| rules::plain_language(&[&i.headline, &i.description, &i.instruction])),
            sms: rules::sms(&i.headline, &i.instruction, &link),
            social: rules::social(&i.headline, &i.instruction, &link),
        })
        .collect();
    let issued = w.status != WarningStatus::Draft;
    let history = state
        .store()
        .warning_history(org.id, w.thread)
        .await?
        .into_iter()
        .map(HistoryEntry::from)
        .collect();
    Ok(Derived {
        versions,
        page_url: issued.then(|| public.page(w.number)),
        cap_url: issued.then(|| public.xml(w.number)),
        history,
    })
}
