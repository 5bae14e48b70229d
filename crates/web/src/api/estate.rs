//! The IT estate register and the supply chain in the API: the same reports as
//! `bulwark estate` and `bulwark suppliers`.

use super::handlers::{ApiResult, ErrorBody, compiled};
use crate::access::{ApiMember, Viewer};
use crate::error::{ApiError, WebError};
use crate::models::org_model;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use bulwark_report::estate::{EstateReport, SuppliersReport};
use chrono::NaiveDate;
use serde::Deserialize;

/// The day to judge support and contracts on.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct Today {
    /// `YYYY-MM-DD`; today when left out.
    pub today: Option<String>,
}

impl Today {
    fn day(&self) -> Result<NaiveDate, ApiError> {
        match self.today.as_deref().map(str::trim) {
            None | Some("") => Ok(chrono::Utc::now().date_naive()),
            Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
                ApiError(WebError::BadRequest(format!(
                    "`today`: `{t}` is not a date; write it as YYYY-MM-DD, like 2027-03-31"
                )))
            }),
        }
    }
}

/// Every IT system with its vendor support on `today` and its blast radius.
#[utoipa::path(get, path = "/api/orgs/{org}/estate", params(("org" = String, Path), Today), responses((status = 200, body = EstateReport), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn estate(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
    Query(q): Query<Today>,
) -> ApiResult<EstateReport> {
    let day = q.day()?;
    let m = org_model(&state, &a.org).await?;
    let c = compiled(&m)?;
    Ok(Json(EstateReport::new(
        &m.loaded.model,
        c,
        m.asset_reliance(),
        day,
    )))
}

/// Every supplier, ranked by the critical services it alone can take down, with contract
/// ends on `today`, fourth parties and concentration.
#[utoipa::path(get, path = "/api/orgs/{org}/suppliers", params(("org" = String, Path), Today), responses((status = 200, body = SuppliersReport), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn suppliers(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
    Query(q): Query<Today>,
) -> ApiResult<SuppliersReport> {
    let day = q.day()?;
    let m = org_model(&state, &a.org).await?;
    let c = compiled(&m)?;
    Ok(Json(SuppliersReport::new(
        &m.loaded.model,
        c,
        m.asset_reliance(),
        day,
    )))
}
