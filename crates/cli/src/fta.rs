//! `mef`, `risk` and `mef-export`: exact fault tree analysis of Open-PSA files and of
//! Bulwark models' services.

use crate::check::{load_valid, write_out};
use crate::output::{self, HEAD};
use anstream::println;
use anyhow::{Context, bail};
use bulwark_engine::risk::{RiskInputs, asset_probabilities, service_fault_tree};
use bulwark_engine::{Compiled, ItemRef};
use bulwark_fta::{Analysis, Options, parse_mef_with_top, to_mef};
use bulwark_model::Criticality;
use clap::Subcommand;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Fault tree commands.
#[derive(Subcommand)]
pub enum FtaCommand {
    /// Analyse an Open-PSA MEF fault tree: exact probability, minimal cut sets, importance.
    Mef {
        /// The MEF XML file.
        file: PathBuf,
        /// The top gate, when the file has several candidates.
        #[arg(long)]
        top: Option<String>,
        /// Largest cut set order counted (SCRAM's -l).
        #[arg(long, default_value_t = 20)]
        order_limit: u32,
        /// Leave out cut sets less probable than this.
        #[arg(long, default_value_t = 0.0)]
        cutoff: f64,
        /// Compute the probability only, not the cut sets.
        #[arg(long)]
        no_cut_sets: bool,
        /// Also compute importance measures for every basic event.
        #[arg(long)]
        importance: bool,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Chance of losing each service in a year (`p_loss`) and of a loss longer than its MTPD
    /// (`p_breach`), its likeliest failure combinations, and the assets that matter most
    /// across critical services.
    Risk {
        /// The model's root file.
        model: PathBuf,
        /// Only this service.
        #[arg(long)]
        service: Option<String>,
        /// Largest failure combination listed.
        #[arg(long, default_value_t = 4)]
        max_order: u32,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a service's loss as an Open-PSA MEF fault tree, for other tools to check.
    MefExport {
        /// The model's root file.
        model: PathBuf,
        /// The service.
        #[arg(long)]
        service: String,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// Runs a fault tree command.
pub fn run(command: FtaCommand) -> anyhow::Result<ExitCode> {
    match command {
        FtaCommand::Mef {
            file,
            top,
            order_limit,
            cutoff,
            no_cut_sets,
            importance,
            json,
        } => {
            let opts = Options {
                order_limit,
                cutoff,
                cut_sets: !no_cut_sets,
                importance,
                ..Options::default()
            };
            mef(&file, top.as_deref(), &opts, json)
        }
        FtaCommand::Risk {
            model,
            service,
            max_order,
            json,
        } => risk(&model, service.as_deref(), max_order, json),
        FtaCommand::MefExport {
            model,
            service,
            output,
        } => {
            let loaded = match load_valid(&model) {
                Ok(l) => l,
                Err(code) => return Ok(code),
            };
            let c = Compiled::new(&loaded.model)?;
            let Some(ItemRef::Service(i)) = c.lookup(&service) else {
                bail!("`{service}` is not a service of the model")
            };
            let tree = service_fault_tree(&c, &asset_probabilities(&c, &loaded.model), i)?;
            write_out(&to_mef(&tree), output.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn mef(file: &Path, top: Option<&str>, opts: &Options, as_json: bool) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let tree = match parse_mef_with_top(&text, top) {
        Ok(t) => t,
        Err(e) => {
            output::error(&format!("{}: {e}", file.display()));
            return Ok(ExitCode::FAILURE);
        }
    };
    let analysis = Analysis::new(&tree, opts)?;
    let report = analysis.report();
    if as_json {
        output::json(&serde_json::to_value(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{HEAD}{}{HEAD:#}: top event {}",
        file.display(),
        report.top_event
    );
    println!("  exact probability (BDD): {:.6e}", report.probability);
    if let (Some(n), Some(by_order)) = (report.cut_sets, &report.by_order) {
        let orders: Vec<String> = by_order
            .iter()
            .map(|(o, c)| format!("{c} of order {o}"))
            .collect();
        println!(
            "  minimal cut sets up to order {}: {n} ({})",
            report.order_limit,
            orders.join(", ")
        );
    }
    if let Some(r) = report.rare_event_approximation {
        println!("  rare-event approximation (sum of cut sets): {r:.6e}");
    }
    if let Some(m) = report.min_cut_upper_bound {
        println!("  min-cut upper bound (approximation): {m:.6e}");
    }
    if let Some(imp) = &report.importance {
        let mut imp = imp.clone();
        imp.sort_by(|a, b| b.dif.total_cmp(&a.dif));
        let mut table = output::table(&[
            "Basic event",
            "p",
            "Birnbaum",
            "Criticality",
            "Fussell-Vesely",
            "RAW",
            "RRW",
        ]);
        for i in imp.iter().take(20) {
            table.add_row(vec![
                i.event.clone(),
                format!("{:.3e}", i.probability),
                format!("{:.3e}", i.mif),
                format!("{:.3e}", i.cif),
                format!("{:.3e}", i.dif),
                format!("{:.3}", i.raw),
                format!("{:.3}", i.rrw),
            ]);
        }
        println!("\nMost important basic events (by Fussell-Vesely):\n{table}");
    }
    Ok(ExitCode::SUCCESS)
}

fn risk(
    path: &Path,
    only: Option<&str>,
    max_order: u32,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let loaded = match load_valid(path) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let c = Compiled::new(&loaded.model)?;
    let inputs = RiskInputs::new(&c, &loaded.model);
    let indices: Vec<u32> = match only {
        Some(id) => match c.lookup(id) {
            Some(ItemRef::Service(i)) => vec![i],
            _ => bail!("`{id}` is not a service of the model"),
        },
        None => (0..c.services.len() as u32).collect(),
    };
    let mut services = Vec::new();
    // Asset index -> (population-weighted Fussell-Vesely over critical services, largest RAW).
    let mut ranking = vec![(0.0f64, 1.0f64); c.assets.len()];
    for i in indices {
        let s = &c.services[i as usize];
        let r = inputs.service(&c, i, max_order)?;
        if s.criticality == Some(Criticality::Critical) {
            let weight = s.population.unwrap_or(1).max(1) as f64;
            for imp in &r.importance {
                if let Some(ItemRef::Asset(a)) = c.lookup(&imp.event) {
                    let rank = &mut ranking[a as usize];
                    rank.0 += weight * imp.dif;
                    rank.1 = rank.1.max(imp.raw);
                }
            }
        }
        services.push(r);
    }
    let mut ranked: Vec<(usize, (f64, f64))> = ranking
        .into_iter()
        .enumerate()
        .filter(|(_, r)| r.0 > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.1.0.total_cmp(&a.1.0));
    let without_data = inputs.failures.iter().filter(|f| f.is_none()).count();
    if as_json {
        output::json(&json!({
            "services": services.iter().map(|r| json!({
                "id": c.services[r.service as usize].id,
                "p_loss": r.p_loss,
                "p_breach": r.p_breach,
                "estimates": r.estimates(),
                "annual_probability_of_loss": r.p_loss,
                "unavailability": r.unavailability,
                "cut_sets": r.cut_sets,
                "likeliest_cut_sets": r.likeliest.iter().map(|(p, ids)| json!({"assets": ids, "probability": p})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "asset_importance": ranked.iter().take(25).map(|(a, (score, raw))| json!({
                "id": c.assets[*a].id, "weighted_fussell_vesely": score, "max_risk_achievement_worth": raw,
            })).collect::<Vec<_>>(),
            "assets_without_failure_data": without_data,
        }));
        return Ok(ExitCode::SUCCESS);
    }
    let mut by_p: Vec<&bulwark_engine::risk::ServiceRisk> = services.iter().collect();
    by_p.sort_by(|a, b| b.p_loss.total_cmp(&a.p_loss));
    output::heading("Chance of losing each service in a year, and of a loss longer than its MTPD");
    println!(
        "From asset failure data; figures marked ≈ are estimates (combinations of failures that must overlap in time), the rest exact."
    );
    let mut table = output::table(&[
        "Service",
        "Criticality",
        "P(loss)",
        "P(breach)",
        "Likeliest way to lose it",
    ]);
    let figure = |p: f64, exact: bool| format!("{}{:.2}%", if exact { "" } else { "≈" }, p * 100.0);
    for r in by_p.iter().take(if only.is_some() { 1 } else { 25 }) {
        let s = &c.services[r.service as usize];
        let way = r
            .likeliest
            .first()
            .map_or("none within the order limit".to_string(), |(q, ids)| {
                format!("{} ({:.2}% a year)", ids.join(" + "), q * 100.0)
            });
        table.add_row(vec![
            format!("{} ({})", s.name, s.id),
            s.criticality.map_or("unrated", |c| c.as_str()).to_string(),
            figure(r.p_loss, r.p_loss_exact),
            figure(r.p_breach, r.p_breach_exact),
            way,
        ]);
    }
    println!("{table}");
    if !ranked.is_empty() {
        output::heading(
            "Where resilience money goes furthest: assets behind the risk to critical services",
        );
        println!(
            "Ranked by Fussell-Vesely importance (the share of the time each service is down that involves the asset), summed over critical services weighted by the people who rely on them."
        );
        let mut table = output::table(&[
            "Asset",
            "Weighted importance",
            "Largest risk achievement worth",
        ]);
        for (a, (score, raw)) in ranked.iter().take(15) {
            let asset = &c.assets[*a];
            table.add_row(vec![
                format!("{} ({})", asset.name, asset.id),
                format!("{score:.1}"),
                format!("{raw:.1}×"),
            ]);
        }
        println!("{table}");
    }
    if without_data > 0 {
        println!(
            "{without_data} asset(s) have no failure data and are treated as never failing; add `failure` to them for a fuller picture."
        );
    }
    Ok(ExitCode::SUCCESS)
}
