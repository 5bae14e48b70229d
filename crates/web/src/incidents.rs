//! What the incident pages and the incident API share: finding an incident the caller's
//! organisation takes part in, the rule that only the lead organisation changes it, its
//! status board computed on the lead organisation's model, and the export bundle of its
//! decision log.

use crate::access::OrgAccess;
use crate::board::{Board, board};
use crate::error::WebError;
use crate::models::org_model;
use crate::state::AppState;
use bulwark_store::{Actor, DecisionEntry, Incident, Standing, Verification, rfc3339};
use std::io::Write;

/// The incident's pages: (key, label, path below the incident).
pub const TABS: [(&str, &str, &str); 7] = [
    ("overview", "Overview", ""),
    ("board", "Status board", "/board"),
    ("log", "Decision log", "/log"),
    ("sitreps", "Situation reports", "/sitreps"),
    ("methane", "M/ETHANE", "/methane"),
    ("briefing", "IIMARCH briefing", "/briefing"),
    ("debrief", "Debrief", "/debrief"),
];

/// Incident `id` (as written in the address) if the caller's organisation leads it or was
/// invited to it; 404 otherwise, whether or not it exists.
pub async fn find(
    state: &AppState,
    a: &OrgAccess,
    id: &str,
) -> Result<(Incident, Standing), WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    state
        .store()
        .incident_for(a.org.id, id)
        .await?
        .ok_or(WebError::NotFound)
}

/// Incident `id` if the caller's organisation leads it: 404 when it cannot see it, 403 when
/// it is a partner (only the lead changes the incident, its board, log, actions and rhythm).
pub async fn find_led(state: &AppState, a: &OrgAccess, id: &str) -> Result<Incident, WebError> {
    let (incident, standing) = find(state, a, id).await?;
    lead_only(standing)?;
    Ok(incident)
}

/// Refuses partners (403): only the lead organisation changes the incident itself, its
/// board, log, actions and battle rhythm.
fn lead_only(standing: Standing) -> Result<(), WebError> {
    match standing {
        Standing::Lead => Ok(()),
        Standing::Partner => Err(WebError::Forbidden),
    }
}

/// The lead organisation's current model: the one an incident's board, replay and scenario
/// are read from, for partners as for the lead.
pub async fn lead_model(
    state: &AppState,
    incident: &Incident,
) -> Result<std::sync::Arc<crate::models::OrgModel>, WebError> {
    let lead = state
        .store()
        .org_by_slug(&incident.lead.slug)
        .await?
        .ok_or(WebError::NotFound)?;
    org_model(state, &lead).await
}

/// The incident's status board now, on the lead organisation's current model; `None` when
/// that model has problems to fix first.
pub async fn status_board(
    state: &AppState,
    incident: &Incident,
    now: i64,
) -> Result<Option<Board>, WebError> {
    let m = lead_model(state, incident).await?;
    let marks = state.store().marks(incident.id).await?;
    let computed = crate::jobs::run(state, move || {
        m.compiled
            .as_ref()
            .map(|c| board(&m.loaded.model, c, &marks, now))
    })
    .await?;
    Ok(computed)
}

/// The ids of the lead organisation's model items a board mark may name (assets and
/// services), with their names, sorted by name.
pub async fn markable_items(
    state: &AppState,
    incident: &Incident,
) -> Result<Vec<(String, String)>, WebError> {
    let m = lead_model(state, incident).await?;
    let model = &m.loaded.model;
    let mut items: Vec<(String, String)> = model
        .assets
        .iter()
        .map(|a| (a.meta.id.to_string(), a.meta.name.clone()))
        .chain(
            model
                .services
                .iter()
                .map(|s| (s.meta.id.to_string(), s.meta.name.clone())),
        )
        .collect();
    items.sort_by_key(|a| a.1.to_lowercase());
    Ok(items)
}

/// How anyone can check an exported log without Bulwark.
const BUNDLE_README: &str = include_str!("../templates/decision_log_readme.txt");

/// The decision log of `incident` as a zip bundle for an inquiry: every entry's canonical
/// text as its own file (`entries/000001.json`, exactly the bytes that were hashed), the
/// hashes in `sha256sum` format (`SHA256SUMS`), all entries as one JSON document, a readable
/// HTML log, a manifest with the head hash, and a README saying how to check it all with
/// standard tools.
pub fn export_bundle(
    incident: &Incident,
    entries: &[DecisionEntry],
    verification: &Verification,
    log_html: &str,
    exported_by: &Actor,
    now: i64,
) -> Result<Vec<u8>, WebError> {
    let failed =
        |e: zip::result::ZipError| WebError::Internal(format!("cannot write the bundle: {e}"));
    let io = |e: std::io::Error| WebError::Internal(format!("cannot write the bundle: {e}"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut sums = String::new();
    for e in entries {
        let name = format!("entries/{:06}.json", e.seq);
        zip.start_file(name.as_str(), options).map_err(failed)?;
        zip.write_all(e.canonical.as_bytes()).map_err(io)?;
        sums.push_str(&format!("{}  {name}\n", e.hash));
    }
    zip.start_file("SHA256SUMS", options).map_err(failed)?;
    zip.write_all(sums.as_bytes()).map_err(io)?;
    let manifest = serde_json::json!({
        "bulwark_decision_log": 1,
        "incident": incident.id,
        "title": incident.details.title,
        "lead_organisation": incident.lead.slug,
        "entries": entries.len(),
        "head_hash": verification.head_hash,
        "intact_when_exported": verification.intact,
        "first_broken": verification.first_broken,
        "exported_at": rfc3339(now),
        "exported_by": exported_by.label,
        "hash": "SHA-256 of each entries/NNNNNN.json file, as listed in SHA256SUMS",
    });
    zip.start_file("manifest.json", options).map_err(failed)?;
    zip.write_all(
        serde_json::to_string_pretty(&manifest)
            .unwrap_or_default()
            .as_bytes(),
    )
    .map_err(io)?;
    let all = serde_json::json!({ "entries": entries });
    zip.start_file("entries.json", options).map_err(failed)?;
    zip.write_all(
        serde_json::to_string_pretty(&all)
            .unwrap_or_default()
            .as_bytes(),
    )
    .map_err(io)?;
    zip.start_file("log.html", options).map_err(failed)?;
    zip.write_all(log_html.as_bytes()).map_err(io)?;
    zip.start_file("README.txt", options).map_err(failed)?;
    zip.write_all(BUNDLE_README.as_bytes()).map_err(io)?;
    let cursor = zip.finish().map_err(failed)?;
    Ok(cursor.into_inner())
}
