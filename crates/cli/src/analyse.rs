//! `impact`, `spof`, `cutsets` and `graph`: the engine's analyses for people and for tools.

use crate::check::{load_valid, write_out};
use crate::output::{self, BAD, HEAD, WARN};
use anstream::println;
use anyhow::{Context, bail};
use bulwark_engine::spof::ServiceSpof;
use bulwark_engine::{Compiled, ItemRef};
use bulwark_model::diag::with_hint;
use bulwark_report::shapes::{ImpactReport, SpofReport};
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;

/// Loads and compiles a valid model, or returns the exit code after printing its problems.
macro_rules! compiled {
    ($path:expr) => {
        match load_valid($path) {
            Ok(loaded) => {
                Compiled::new(&loaded.model).context("the model could not be compiled")?
            }
            Err(code) => return Ok(code),
        }
    };
}

fn lookup(c: &Compiled, id: &str) -> anyhow::Result<ItemRef> {
    c.lookup(id).ok_or_else(|| {
        anyhow::anyhow!(with_hint(
            format!("no asset, service or skill has the id `{id}`"),
            id,
            c.ids()
        ))
    })
}

fn service_index(c: &Compiled, id: &str) -> anyhow::Result<u32> {
    match lookup(c, id)? {
        ItemRef::Service(i) => Ok(i),
        _ => bail!("`{id}` is not a service"),
    }
}

/// `bulwark impact`.
pub fn impact(path: &Path, fail: &[String], as_json: bool) -> anyhow::Result<ExitCode> {
    let c = compiled!(path);
    let failed = fail
        .iter()
        .map(|id| lookup(&c, id.trim()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let result = c.impact(&failed);
    if as_json {
        output::json(&ImpactReport::new(&c, &result));
        return Ok(ExitCode::SUCCESS);
    }
    println!("{HEAD}If {} fail(s):{HEAD:#}", fail.join(", "));
    if result.lost.is_empty() {
        println!("  no service falls below its minimum (MBCO).");
    } else {
        output::heading(&format!(
            "Lost ({} service(s) below their minimum)",
            result.lost.len()
        ));
        let mut lost = result.lost.clone();
        lost.sort_by_key(|l| (c.services[l.service as usize].criticality, l.service));
        for l in &lost {
            let s = &c.services[l.service as usize];
            let crit = s.criticality.map_or("unrated", |c| c.as_str());
            println!(
                "  {BAD}✗{BAD:#} {} ({}, {crit}): capacity {} against a minimum of {}",
                s.name,
                s.id,
                output::percent(l.capacity),
                output::percent(s.mbco)
            );
            println!("      because {}", l.because);
        }
    }
    if !result.degraded.is_empty() {
        output::heading(&format!(
            "Degraded but above minimum ({})",
            result.degraded.len()
        ));
        for d in &result.degraded {
            let s = &c.services[d.service as usize];
            println!(
                "  {WARN}~{WARN:#} {} ({}): capacity {}",
                s.name,
                s.id,
                output::percent(d.capacity)
            );
        }
    }
    let fine = c.services.len() - result.lost.len() - result.degraded.len();
    println!("\n{fine} other service(s) unaffected.");
    Ok(ExitCode::SUCCESS)
}

/// `bulwark spof`.
pub fn spof(path: &Path, as_json: bool) -> anyhow::Result<ExitCode> {
    let c = compiled!(path);
    let result = c.spof();
    if as_json {
        output::json(&SpofReport::new(&c, &result));
        return Ok(ExitCode::SUCCESS);
    }
    print_spof_summary(&c, &result, usize::MAX);
    Ok(ExitCode::SUCCESS)
}

/// Prints services with single points of failure (most critical first, at most `limit`) and
/// the assets that are single points of failure for the most services.
pub fn print_spof_summary(c: &Compiled, result: &[ServiceSpof], limit: usize) {
    let mut rows: Vec<(usize, &ServiceSpof)> = result
        .iter()
        .enumerate()
        .filter(|(_, r)| **r != ServiceSpof::Assets(vec![]))
        .collect();
    let breach = c.breach_spof(result);
    // Those that would breach their MTPD first, then by criticality.
    rows.sort_by_key(|(i, _)| (breach[*i].is_empty(), c.services[*i].criticality, *i));
    let clear = result.len() - rows.len();
    let mut table = output::table(&[
        "Service",
        "Criticality",
        "Single points of failure",
        "Of which would breach the MTPD",
    ]);
    for (i, r) in rows.iter().take(limit) {
        let s = &c.services[*i];
        let points = match r {
            ServiceSpof::LostWithoutFailure => "lost already: too few staff".to_string(),
            ServiceSpof::Assets(_) => r.asset_ids(c).join(", "),
        };
        let breaching = match (&breach[*i][..], s.mtpd) {
            (_, None) => "no MTPD set".to_string(),
            ([], Some(_)) => "none".to_string(),
            (b, Some(_)) => c.asset_ids(b).join(", "),
        };
        table.add_row(vec![
            format!("{} ({})", s.name, s.id),
            s.criticality.map_or("unrated", |c| c.as_str()).to_string(),
            points,
            breaching,
        ]);
    }
    let breaching = rows.iter().filter(|(i, _)| !breach[*i].is_empty()).count();
    output::heading(&format!(
        "{} of {} services {} a single point of failure; for {breaching} of them it would breach the MTPD",
        rows.len(),
        result.len(),
        if rows.len() == 1 { "has" } else { "have" },
    ));
    println!("{table}");
    if rows.len() > limit {
        println!(
            "… and {} more (`bulwark spof MODEL` lists them all)",
            rows.len() - limit
        );
    }
    let mut counts = vec![(0usize, 0usize); c.assets.len()];
    for (i, r) in result.iter().enumerate() {
        if let ServiceSpof::Assets(a) = r {
            let critical = matches!(
                c.services[i].criticality,
                Some(bulwark_model::Criticality::Critical)
            );
            for a in a {
                counts[*a as usize].0 += 1;
                counts[*a as usize].1 += usize::from(critical);
            }
        }
    }
    let mut top: Vec<(usize, (usize, usize))> = counts
        .into_iter()
        .enumerate()
        .filter(|(_, (n, _))| *n > 0)
        .collect();
    top.sort_by(|a, b| {
        b.1.1
            .cmp(&a.1.1)
            .then(b.1.0.cmp(&a.1.0))
            .then(a.0.cmp(&b.0))
    });
    if !top.is_empty() {
        output::heading("Assets whose failure alone loses the most services");
        let mut table = output::table(&["Asset", "Services lost", "of which critical"]);
        for (a, (n, crit)) in top.iter().take(10) {
            let asset = &c.assets[*a];
            table.add_row(vec![
                format!("{} ({})", asset.name, asset.id),
                n.to_string(),
                crit.to_string(),
            ]);
        }
        println!("{table}");
    }
    if clear > 0 {
        println!("{clear} service(s) have no single point of failure.");
    }
}

/// `bulwark cutsets`.
pub fn cutsets(
    path: &Path,
    service: &str,
    max_order: usize,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let c = compiled!(path);
    let index = service_index(&c, service)?;
    let mut sets: Vec<Vec<String>> = c
        .cut_sets(index, max_order)
        .iter()
        .map(|s| c.asset_ids(s))
        .collect();
    sets.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    if as_json {
        output::json(&json!({ "service": service, "cut_sets": sets }));
        return Ok(ExitCode::SUCCESS);
    }
    let s = &c.services[index as usize];
    output::heading(&format!(
        "Ways to lose {} ({}), up to {max_order} failures at once",
        s.name, s.id
    ));
    if sets.is_empty() {
        println!(
            "  none: no set of {max_order} or fewer asset failures takes it below its minimum."
        );
    }
    for order in 1..=max_order.max(1) {
        let of_order: Vec<&Vec<String>> = sets.iter().filter(|s| s.len() == order).collect();
        if of_order.is_empty() {
            continue;
        }
        let label = if order == 1 {
            "single points of failure".to_string()
        } else {
            format!("{order} failures together")
        };
        println!("\n  {} {label}:", of_order.len());
        for set in of_order {
            println!("    {}", set.join(" + "));
        }
    }
    if sets.first().is_some_and(|s| s.is_empty()) {
        println!("  it is lost with nothing failed: too few staff for its minimum.");
    }
    Ok(ExitCode::SUCCESS)
}

/// `bulwark graph`.
pub fn graph(
    path: &Path,
    service: Option<&str>,
    as_svg: bool,
    out: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let c = compiled!(path);
    let index = service.map(|s| service_index(&c, s)).transpose()?;
    let text = if as_svg {
        bulwark_report::svg(&c, index)
            .map_err(|e| anyhow::anyhow!("could not lay out the graph: {e}"))?
    } else {
        bulwark_report::dot(&c, index)
    };
    write_out(&text, out)?;
    Ok(ExitCode::SUCCESS)
}
