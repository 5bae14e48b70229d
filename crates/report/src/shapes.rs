//! The JSON shapes of the analyses that both the command line (`--json`) and the API
//! answer with, defined once so the two cannot drift apart. With the `openapi` feature they
//! also describe themselves for the API's OpenAPI document.

use bulwark_engine::Compiled;
use bulwark_engine::impact::Impact;
use bulwark_engine::spof::ServiceSpof;
use serde::Serialize;

/// A service's single points of failure.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceSpofEntry {
    /// Service id.
    pub id: String,
    /// Asset ids, sorted.
    pub single_points_of_failure: Vec<String>,
    /// Those of them whose failure alone would breach the service's MTPD: they take at least
    /// the MTPD to restore (their `recovery: {rto}`, else their mean repair time), or the model does not
    /// say how long. Sorted; empty for a service without an MTPD.
    pub breaching_mtpd: Vec<String>,
    /// True when the service is below its minimum with nothing failed (staff shortage);
    /// left out when false, as the command line's fixed shape has it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub lost_without_failure: bool,
}

/// Single points of failure of every service (`bulwark spof --json`, `GET .../spof`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpofReport {
    /// Every service, in model order.
    pub services: Vec<ServiceSpofEntry>,
}

impl SpofReport {
    /// The report of `spof`, computed on `c`.
    pub fn new(c: &Compiled, spof: &[ServiceSpof]) -> SpofReport {
        let breach = c.breach_spof(spof);
        SpofReport {
            services: c
                .services
                .iter()
                .zip(spof)
                .zip(breach)
                .map(|((s, r), breach)| ServiceSpofEntry {
                    id: s.id.clone(),
                    single_points_of_failure: r.asset_ids(c),
                    breaching_mtpd: c.asset_ids(&breach),
                    lost_without_failure: *r == ServiceSpof::LostWithoutFailure,
                })
                .collect(),
        }
    }
}

/// A service reduced but not lost.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Degraded {
    /// Service id.
    pub id: String,
    /// Capacity left, 0 to 1.
    pub capacity: f64,
}

/// Why a service is lost.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Explanation {
    /// Service id.
    pub id: String,
    /// Capacity left, 0 to 1.
    pub capacity: f64,
    /// The chain of needs, in words.
    pub because: String,
    /// The chain of needs, as ids.
    pub path: Vec<String>,
}

/// What failing some items loses (`bulwark impact --json`, `POST .../impact`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactReport {
    /// Services below their MBCO.
    pub lost: Vec<String>,
    /// Services reduced but not lost.
    pub degraded: Vec<Degraded>,
    /// Why each is lost.
    pub explanations: Vec<Explanation>,
}

impl ImpactReport {
    /// The report of `impact`, computed on `c`.
    pub fn new(c: &Compiled, impact: &Impact) -> ImpactReport {
        let id = |i: u32| c.services[i as usize].id.clone();
        ImpactReport {
            lost: impact.lost.iter().map(|l| id(l.service)).collect(),
            degraded: impact
                .degraded
                .iter()
                .map(|d| Degraded {
                    id: id(d.service),
                    capacity: d.capacity,
                })
                .collect(),
            explanations: impact
                .lost
                .iter()
                .map(|l| Explanation {
                    id: id(l.service),
                    capacity: l.capacity,
                    because: l.because.to_string(),
                    path: l.because.path.iter().map(|s| s.id.clone()).collect(),
                })
                .collect(),
        }
    }
}
