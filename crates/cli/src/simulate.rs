//! `simulate`, `montecarlo` and `scenario`: scenarios over time, risk over many years, and
//! scenario templates.

use crate::check::{load_valid, write_out};
use crate::output::{self, BAD, GOOD, HEAD, WARN};
use anstream::{eprintln, println};
use anyhow::{Context, bail};
use bulwark_engine::Compiled;
use bulwark_engine::montecarlo::{McOptions, monte_carlo};
use bulwark_engine::simulate::{DEFAULT_REPLAN, Options, Record, Simulation, Summary, simulate};
use bulwark_engine::templates::{TEMPLATES, apply};
use bulwark_model::export::{self, Format};
use bulwark_model::{Duration, Model};
use clap::{Subcommand, ValueEnum};
use serde_json::{Value, json};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The subcommands of this module, flattened into `bulwark`'s own.
#[derive(Subcommand)]
pub enum SimCommand {
    /// Run a scenario over time: when services are lost, restored and breach their MTPD, and
    /// how far their backlogs grow.
    Simulate {
        /// The model's root file.
        model: PathBuf,
        /// The scenario's id.
        #[arg(long)]
        scenario: String,
        /// Time step while staff absence is changing (crossings are found to the minute).
        #[arg(long, default_value = "1h", value_parser = duration)]
        step: Duration,
        /// Also run with staff redeployed to hold the most critical services, and compare.
        #[arg(long)]
        redeploy: bool,
        /// With --redeploy: re-plan at every event and at least this often.
        #[arg(long, default_value = "1d", value_parser = duration)]
        replan: Duration,
        /// Write SVG charts into this folder: a timeline of losses, and capacity and backlog
        /// of every service lost or with a backlog.
        #[arg(long)]
        chart: Option<PathBuf>,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Estimate, over many simulated years of asset failures, each service's chance of
    /// breaching its MTPD in a year and the service-days it loses.
    Montecarlo {
        /// The model's root file.
        model: PathBuf,
        /// Number of trial-years.
        #[arg(long, default_value_t = 10_000)]
        trials: u64,
        /// Random seed: the same seed and trials give the same answer on any machine.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Scenario templates based on the National Risk Register.
    Scenario {
        #[command(subcommand)]
        action: ScenarioAction,
    },
}

/// `bulwark scenario ...`.
#[derive(Subcommand)]
pub enum ScenarioAction {
    /// List the templates and their parameters.
    Templates {
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Make a scenario for your model from a template, as a file to include in the model.
    Apply {
        /// The template's id.
        template: String,
        /// The model to apply it to (ids are checked against it).
        #[arg(long)]
        model: PathBuf,
        /// Parameters, as name=value (repeat, or separate with spaces).
        #[arg(long = "param", value_parser = param, num_args = 1..)]
        params: Vec<(String, String)>,
        /// Output syntax.
        #[arg(long, value_enum, default_value_t = Syntax::Yaml)]
        format: Syntax,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// Output syntax of a scenario file.
#[derive(Clone, Copy, ValueEnum)]
pub enum Syntax {
    /// YAML.
    Yaml,
    /// JSON.
    Json,
}

fn duration(text: &str) -> Result<Duration, String> {
    text.parse()
}

fn param(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("`{text}` is not name=value")),
    }
}

/// Runs a subcommand of this module.
pub fn run(command: SimCommand) -> anyhow::Result<ExitCode> {
    match command {
        SimCommand::Simulate {
            model,
            scenario,
            step,
            redeploy,
            replan,
            chart,
            json,
        } => {
            let replan = redeploy.then(|| {
                if replan.minutes() == 0 {
                    DEFAULT_REPLAN
                } else {
                    replan
                }
            });
            run_simulate(&model, &scenario, step, replan, chart.as_deref(), json)
        }
        SimCommand::Montecarlo {
            model,
            trials,
            seed,
            json,
        } => run_montecarlo(&model, trials, seed, json),
        SimCommand::Scenario {
            action: ScenarioAction::Templates { json },
        } => templates(json),
        SimCommand::Scenario {
            action:
                ScenarioAction::Apply {
                    template,
                    model,
                    params,
                    format,
                    output,
                },
        } => apply_template(&template, &model, &params, format, output.as_deref()),
    }
}

fn load(path: &Path) -> anyhow::Result<Result<(Model, Compiled), ExitCode>> {
    match load_valid(path) {
        Ok(loaded) => {
            let c = Compiled::new(&loaded.model).context("the model could not be compiled")?;
            Ok(Ok((loaded.model, c)))
        }
        Err(code) => Ok(Err(code)),
    }
}

fn time(d: Option<Duration>) -> Value {
    d.map_or(Value::Null, |d| json!(d.to_string()))
}

fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn services_json(c: &Compiled, sim: &Simulation) -> Vec<Value> {
    sim.services
        .iter()
        .zip(&c.services)
        .enumerate()
        .map(|(i, (o, s))| {
            let mut doc = json!({
                "id": s.id,
                "lost_at": time(o.lost_at),
                "restored_at": time(o.restored_at),
                "breached_at": time(o.breached_at),
                "backlog_peak": round(o.backlog_peak),
                "backlog_cleared_at": time(o.backlog_cleared_at),
                "backlog_peak_at": time(o.backlog_peak_at),
                "backlog_at_horizon": round(o.backlog_at_horizon),
                "days_lost": round(o.days_lost()),
                "min_capacity": round(o.min_capacity),
                "lost_spans": o.lost_spans.iter().map(|(a, b)| json!([a.to_string(), time(*b)])).collect::<Vec<_>>(),
            });
            let workarounds: Vec<Value> = (c.workarounds.iter().zip(&sim.workarounds))
                .filter(|(w, _)| w.service as usize == i)
                .map(|(w, spans)| {
                    json!({
                        "name": w.name,
                        "in_use": spans.iter().map(|(a, b)| json!([a.to_string(), time(*b)])).collect::<Vec<_>>(),
                    })
                })
                .collect();
            if !workarounds.is_empty() {
                doc["workarounds"] = json!(workarounds);
            }
            // Perishable demand has no backlog: what is not done is lost.
            if let Some(unmet) = o.unmet {
                doc["backlog_peak"] = Value::Null;
                doc["backlog_cleared_at"] = Value::Null;
                doc["unmet"] = json!(round(unmet));
            }
            if let Some(overdue) = o.overdue_peak {
                doc["overdue_peak"] = json!(round(overdue));
            }
            if o.suspended {
                doc["suspended"] = json!(true);
            }
            doc
        })
        .collect()
}

/// What a standby names: an item's id, or an expression with the ids in it, like
/// `all of [dc-secondary, san-secondary]`.
fn standby_label(c: &Compiled, part: u32) -> String {
    let kids = c.children(part);
    match c.kind(part) {
        bulwark_engine::NodeKind::All
        | bulwark_engine::NodeKind::Any
        | bulwark_engine::NodeKind::AtLeast(_) => {
            let parts: Vec<String> = kids.iter().map(|&k| standby_label(c, k)).collect();
            format!("{} [{}]", c.node_label(part), parts.join(", "))
        }
        _ => c.node_label(part),
    }
}

fn spans_json(spans: &[(Duration, Option<Duration>)]) -> Vec<Value> {
    (spans.iter())
        .map(|(a, b)| json!([a.to_string(), time(*b)]))
        .collect()
}

/// Standbys brought up and stocks drawn on: `"standbys"` for every standby, `"stocks"` for
/// every stock (with when it ran out).
fn assets_json(c: &Compiled, sim: &Simulation, doc: &mut Value) {
    if !c.standbys.is_empty() {
        let standbys: Vec<Value> = (c.standbys.iter().zip(&sim.standbys))
            .map(|(s, spans)| {
                json!({
                    "standby": standby_label(c, s.part),
                    "switchover": Duration::from_minutes(s.switchover).to_string(),
                    "up": spans_json(spans),
                })
            })
            .collect();
        doc["standbys"] = json!(standbys);
    }
    if !c.stocks.is_empty() {
        let stocks: Vec<Value> = (sim.stocks.iter())
            .map(|o| {
                let a = &c.assets[o.asset as usize];
                json!({
                    "id": a.id,
                    "name": a.name,
                    "ran_out_at": time(o.ran_out_at()),
                    "empty": spans_json(&o.empty),
                    "drawn": spans_json(&o.drawn),
                    "left_at_horizon": o.left_at_horizon.to_string(),
                })
            })
            .collect();
        doc["stocks"] = json!(stocks);
    }
}

fn summary_json(s: &Summary) -> Value {
    json!({"services_lost": s.services_lost, "service_days_lost": round(s.service_days_lost), "breaches": s.breaches})
}

fn run_simulate(
    path: &Path,
    scenario: &str,
    step: Duration,
    replan: Option<Duration>,
    chart: Option<&Path>,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let (model, c) = match load(path)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    if !model
        .scenarios
        .iter()
        .any(|s| s.meta.id.as_str() == scenario)
    {
        let ids = model.scenarios.iter().map(|s| s.meta.id.as_str());
        bail!(bulwark_model::diag::with_hint(
            format!("no scenario has the id `{scenario}`"),
            scenario,
            ids
        ));
    }
    let record = if chart.is_some() {
        Record::All
    } else {
        Record::Nothing
    };
    let options = Options {
        step,
        redeploy: None,
        record: record.clone(),
        ..Options::default()
    };
    let sim = simulate(&model, &c, scenario, &options)?;
    let redeployed = match replan {
        Some(every) => Some(simulate(
            &model,
            &c,
            scenario,
            &Options {
                step,
                redeploy: Some(every),
                record,
                ..Options::default()
            },
        )?),
        None => None,
    };
    if let Some(dir) = chart {
        write_charts(dir, &model, &c, &sim, redeployed.as_ref())?;
    }
    if as_json {
        let mut doc = json!({
            "scenario": sim.scenario,
            "horizon": sim.horizon.to_string(),
            "step": step.to_string(),
            "services": services_json(&c, &sim),
            "summary": summary_json(&sim.summary()),
        });
        assets_json(&c, &sim, &mut doc);
        if let Some(r) = &redeployed {
            let c = &c;
            let moves: Vec<Value> = r
                .plans
                .iter()
                .flat_map(|p| {
                    p.moves.iter().map(move |m| {
                        json!({
                            "at": p.at.to_string(),
                            "skill": c.skills[m.skill as usize].id,
                            "service": c.services[m.service as usize].id,
                            "fte": round(m.fte),
                        })
                    })
                })
                .collect();
            doc["redeployment"] = json!({
                "replan": replan.map(|d| d.to_string()),
                "without": summary_json(&sim.summary()),
                "with": summary_json(&r.summary()),
                "services": services_json(c, r),
                "moves": moves,
            });
            assets_json(c, r, &mut doc["redeployment"]);
        }
        output::json(&doc);
        return Ok(ExitCode::SUCCESS);
    }
    print_simulation(&model, &c, &sim, redeployed.as_ref());
    Ok(ExitCode::SUCCESS)
}

fn dur_text(d: Option<Duration>) -> String {
    d.map_or("-".into(), |d| d.to_string())
}

/// What a simulation says of suspended services, perishable and overdue work, and workarounds.
fn print_additions(model: &Model, c: &Compiled, sim: &Simulation) {
    let suspended: Vec<&str> = (sim.services.iter().zip(&c.services))
        .filter(|(o, _)| o.suspended)
        .map(|(_, s)| s.id.as_str())
        .collect();
    if !suspended.is_empty() {
        println!(
            "\nSuspended for this scenario (stood down, staff free for others): {}",
            suspended.join(", ")
        );
    }
    let unit = |i: usize| {
        (model.services[i].demand.as_ref())
            .and_then(|d| d.unit.as_deref())
            .unwrap_or("units")
            .to_string()
    };
    let unmet: Vec<usize> = (0..sim.services.len())
        .filter(|i| sim.services[*i].unmet.is_some_and(|u| u > 0.5))
        .collect();
    if !unmet.is_empty() {
        output::heading("Perishable demand not met (a visit missed is harm, not a queue)");
        let mut t = output::table(&["service", "not met within the horizon"]);
        for &i in &unmet {
            let u = sim.services[i].unmet.unwrap_or(0.0);
            t.add_row(vec![
                c.services[i].id.clone(),
                format!("{u:.0} {}", unit(i)),
            ]);
        }
        println!("{t}");
    }
    let overdue: Vec<usize> = (0..sim.services.len())
        .filter(|i| sim.services[*i].overdue_peak.is_some_and(|u| u > 0.5))
        .collect();
    if !overdue.is_empty() {
        output::heading("Work waiting longer than its maximum wait");
        let mut t = output::table(&["service", "most overdue at once"]);
        for &i in &overdue {
            let u = sim.services[i].overdue_peak.unwrap_or(0.0);
            t.add_row(vec![
                c.services[i].id.clone(),
                format!("{u:.0} {}", unit(i)),
            ]);
        }
        println!("{t}");
    }
    let periods = |spans: &[(Duration, Option<Duration>)]| {
        (spans.iter())
            .map(|(a, b)| {
                format!(
                    "{a} to {}",
                    b.map_or("the horizon".into(), |b| b.to_string())
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if sim.standbys.iter().any(|s| !s.is_empty()) {
        output::heading("Standbys brought up");
        let mut t = output::table(&["standby", "switchover", "up"]);
        for (s, spans) in c.standbys.iter().zip(&sim.standbys) {
            if !spans.is_empty() {
                t.add_row(vec![
                    standby_label(c, s.part),
                    Duration::from_minutes(s.switchover).to_string(),
                    periods(spans),
                ]);
            }
        }
        println!("{t}");
    }
    if sim.stocks.iter().any(|s| !s.drawn.is_empty()) {
        output::heading("Stocks");
        let mut t = output::table(&["stock", "drawn on", "ran out", "empty", "left at horizon"]);
        for o in sim.stocks.iter().filter(|o| !o.drawn.is_empty()) {
            let ran_out = o.ran_out_at();
            t.add_row(vec![
                c.assets[o.asset as usize].id.clone(),
                periods(&o.drawn),
                ran_out.map_or_else(|| "no".into(), |d| format!("at {d}")),
                if o.empty.is_empty() {
                    "-".into()
                } else {
                    periods(&o.empty)
                },
                o.left_at_horizon.to_string(),
            ]);
        }
        println!("{t}");
    }
    let mut used = (sim.workarounds.iter().enumerate())
        .filter(|(_, s)| !s.is_empty())
        .peekable();
    if used.peek().is_some() {
        output::heading("Workarounds used");
        let mut t = output::table(&["service", "workaround", "in use"]);
        for (w, spans) in used {
            let info = &c.workarounds[w];
            let periods: Vec<String> = spans
                .iter()
                .map(|(a, b)| {
                    format!(
                        "{a} to {}",
                        b.map_or("the horizon".into(), |b| b.to_string())
                    )
                })
                .collect();
            t.add_row(vec![
                c.services[info.service as usize].id.clone(),
                info.name.clone(),
                periods.join(", "),
            ]);
        }
        println!("{t}");
    }
}

fn print_simulation(
    model: &Model,
    c: &Compiled,
    sim: &Simulation,
    redeployed: Option<&Simulation>,
) {
    let name = model
        .scenarios
        .iter()
        .find(|s| s.meta.id.as_str() == sim.scenario)
        .map_or("", |s| s.meta.name.as_str());
    println!(
        "{HEAD}{name}{HEAD:#} ({}), over {}",
        sim.scenario, sim.horizon
    );
    let mut lost: Vec<usize> = (0..sim.services.len())
        .filter(|i| sim.services[*i].lost_at.is_some())
        .collect();
    lost.sort_by_key(|i| (sim.services[*i].lost_at, c.services[*i].criticality, *i));
    if lost.is_empty() {
        println!("  {GOOD}no service falls below its minimum (MBCO).{GOOD:#}");
    } else {
        output::heading(&format!("Services lost ({})", lost.len()));
        let mut t = output::table(&[
            "service",
            "criticality",
            "lost at",
            "restored at",
            "MTPD breached at",
            "days lost",
            "lowest capacity",
        ]);
        for &i in &lost {
            let (o, s) = (&sim.services[i], &c.services[i]);
            t.add_row(vec![
                s.id.clone(),
                s.criticality.map_or("-", |c| c.as_str()).to_string(),
                dur_text(o.lost_at),
                dur_text(o.restored_at),
                dur_text(o.breached_at),
                format!("{:.1}", o.days_lost()),
                output::percent(o.min_capacity),
            ]);
        }
        println!("{t}");
    }
    let mut backlog: Vec<usize> = (0..sim.services.len())
        .filter(|i| sim.services[*i].backlog_peak > 0.5)
        .collect();
    if !backlog.is_empty() {
        backlog.sort_by(|a, b| {
            let rel = |i: usize| {
                sim.services[i].backlog_peak
                    / model.services[i]
                        .demand
                        .as_ref()
                        .map_or(1.0, |d| d.per_day.max(1e-9))
            };
            rel(*b).total_cmp(&rel(*a))
        });
        output::heading(&format!("Backlogs ({} services)", backlog.len()));
        let mut t = output::table(&[
            "service",
            "peak",
            "days of work",
            "peaked at",
            "cleared at",
            "left at horizon",
        ]);
        for &i in &backlog {
            let o = &sim.services[i];
            let demand = model.services[i].demand.as_ref();
            let unit = demand.and_then(|d| d.unit.as_deref()).unwrap_or("units");
            let per_day = demand.map_or(1.0, |d| d.per_day.max(1e-9));
            t.add_row(vec![
                c.services[i].id.clone(),
                format!("{:.0} {unit}", o.backlog_peak),
                format!("{:.1}", o.backlog_peak / per_day),
                dur_text(o.backlog_peak_at),
                o.backlog_cleared_at
                    .map_or_else(|| "not within the horizon".to_string(), |d| d.to_string()),
                format!("{:.0}", o.backlog_at_horizon),
            ]);
        }
        println!("{t}");
    }
    print_additions(model, c, sim);
    let s = sim.summary();
    println!(
        "\n{} service(s) lost, {:.1} service-days lost, {} MTPD breach(es).",
        s.services_lost, s.service_days_lost, s.breaches
    );
    let Some(r) = redeployed else { return };
    output::heading("With staff redeployed (most critical services first)");
    let w = r.summary();
    let mut t = output::table(&["", "without", "with redeployment"]);
    t.add_row(vec![
        "services lost".to_string(),
        s.services_lost.to_string(),
        w.services_lost.to_string(),
    ]);
    t.add_row(vec![
        "service-days lost".to_string(),
        format!("{:.1}", s.service_days_lost),
        format!("{:.1}", w.service_days_lost),
    ]);
    t.add_row(vec![
        "MTPD breaches".to_string(),
        s.breaches.to_string(),
        w.breaches.to_string(),
    ]);
    println!("{t}");
    for i in 0..sim.services.len() {
        let (a, b) = (&sim.services[i], &r.services[i]);
        let id = &c.services[i].id;
        if a.breached_at.is_some() && b.breached_at.is_none() {
            println!(
                "  {GOOD}+{GOOD:#} {id} no longer breaches its MTPD ({:.1} days lost instead of {:.1})",
                b.days_lost(),
                a.days_lost()
            );
        } else if a.lost_at.is_some() && b.lost_at.is_none() {
            println!("  {GOOD}+{GOOD:#} {id} is held above its MBCO throughout");
        } else if a.breached_at.is_none() && b.breached_at.is_some() {
            println!("  {BAD}-{BAD:#} {id} now breaches its MTPD (its staff are needed elsewhere)");
        } else if a.lost_at.is_none() && b.lost_at.is_some() {
            println!(
                "  {WARN}-{WARN:#} {id} is now lost for {:.1} days (its staff are needed elsewhere)",
                b.days_lost()
            );
        }
    }
    let largest = bulwark_report::exercise::largest_moves(r);
    if !largest.is_empty() {
        output::heading("Who moves where (largest move, first made at)");
        let mut t = output::table(&["from skill", "to service", "FTE", "from"]);
        for (k, i, fte, at) in largest.iter().take(25) {
            t.add_row(vec![
                c.skills[*k as usize].id.clone(),
                c.services[*i as usize].id.clone(),
                format!("{fte:.1}"),
                at.to_string(),
            ]);
        }
        println!("{t}");
        if largest.len() > 25 {
            println!("  … and {} more (see --json)", largest.len() - 25);
        }
    }
}

fn write_charts(
    dir: &Path,
    model: &Model,
    c: &Compiled,
    sim: &Simulation,
    redeployed: Option<&Simulation>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = 0;
    let mut put = |name: &str, svg: String| -> anyhow::Result<()> {
        let p = dir.join(name);
        std::fs::write(&p, svg).with_context(|| format!("cannot write {}", p.display()))?;
        written += 1;
        Ok(())
    };
    put(
        "timeline.svg",
        bulwark_report::charts::breach_timeline(c, sim)?,
    )?;
    if let Some(r) = redeployed {
        put(
            "timeline-redeployed.svg",
            bulwark_report::charts::breach_timeline(c, r)?,
        )?;
    }
    for series in &sim.series {
        let i = series.service as usize;
        let o = &sim.services[i];
        if o.lost_at.is_none() && o.backlog_peak <= 0.0 {
            continue;
        }
        let unit = model.services[i]
            .demand
            .as_ref()
            .and_then(|d| d.unit.as_deref());
        put(
            &format!("{}.svg", c.services[i].id),
            bulwark_report::charts::capacity_and_backlog(c, sim, series, unit)?,
        )?;
    }
    eprintln!("wrote {written} chart(s) to {}", dir.display());
    Ok(())
}

fn run_montecarlo(path: &Path, trials: u64, seed: u64, as_json: bool) -> anyhow::Result<ExitCode> {
    let (model, c) = match load(path)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    if trials == 0 {
        bail!("--trials must be at least 1");
    }
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(trials);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} trial-years, {per_sec}, {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    let result = monte_carlo(&model, &c, McOptions { trials, seed }, &|n| bar.inc(n));
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    if as_json {
        let services: Vec<Value> = result
            .services
            .iter()
            .zip(&c.services)
            .map(|(r, s)| {
                json!({
                    "id": s.id,
                    "p_breach": round(r.p_breach),
                    "p_breach_se": round(r.p_breach_se),
                    "p_loss": round(r.p_loss),
                    "p_loss_se": round(r.p_loss_se),
                    "days_lost": round(r.days_lost),
                    "days_lost_se": round(r.days_lost_se),
                    "days_lost_p95": round(r.days_lost_p95),
                    "days_lost_p95_se": round(r.days_lost_p95_se),
                })
            })
            .collect();
        output::json(&json!({"trials": trials, "seed": seed, "services": services}));
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{HEAD}{trials} simulated years{HEAD:#} (seed {seed}) in {secs:.1} s, {:.0} a second",
        trials as f64 / secs.max(1e-9)
    );
    let mut rows: Vec<usize> = (0..c.services.len())
        .filter(|i| result.services[*i].p_loss > 0.0)
        .collect();
    rows.sort_by(|a, b| {
        let (x, y) = (&result.services[*a], &result.services[*b]);
        y.p_breach
            .total_cmp(&x.p_breach)
            .then(y.days_lost.total_cmp(&x.days_lost))
    });
    if rows.is_empty() {
        println!("  no asset failure in the model's failure rates ever loses a service.");
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = output::table(&[
        "service",
        "criticality",
        "P(breach) a year",
        "days lost a year",
        "95th percentile",
    ]);
    for &i in &rows {
        let r = &result.services[i];
        t.add_row(vec![
            c.services[i].id.clone(),
            c.services[i]
                .criticality
                .map_or("-", |c| c.as_str())
                .to_string(),
            format!("{:.2}% ± {:.2}", r.p_breach * 100.0, r.p_breach_se * 100.0),
            format!("{:.2} ± {:.2}", r.days_lost, r.days_lost_se),
            format!("{:.2} ± {:.2}", r.days_lost_p95, r.days_lost_p95_se),
        ]);
    }
    println!("{t}");
    println!(
        "± is one standard error; run more --trials until it is small enough for the decision."
    );
    Ok(ExitCode::SUCCESS)
}

fn templates(as_json: bool) -> anyhow::Result<ExitCode> {
    if as_json {
        let list: Vec<Value> = TEMPLATES
            .iter()
            .map(|t| {
                json!({
                    "id": t.id, "name": t.name, "nrr": t.nrr, "description": t.description,
                    "params": t.params.iter().map(|p| json!({"name": p.name, "help": p.help, "default": p.default})).collect::<Vec<_>>(),
                })
            })
            .collect();
        output::json(&json!({"templates": list}));
        return Ok(ExitCode::SUCCESS);
    }
    for t in TEMPLATES {
        println!(
            "{HEAD}{}{HEAD:#}: {} (National Risk Register: {})",
            t.id, t.name, t.nrr
        );
        println!("  {}", t.description);
        for p in t.params {
            let default = match p.default {
                None => "required".to_string(),
                Some(bulwark_engine::templates::PICK) => {
                    "picked from the model when not given".to_string()
                }
                Some("") => "optional".to_string(),
                Some(d) => format!("default {d}"),
            };
            println!("    {:<18} {} ({default})", p.name, p.help);
        }
        println!();
    }
    println!("Every template also takes `id` and `horizon`. Apply one with");
    println!("  bulwark scenario apply TEMPLATE --model MODEL --param name=value ...");
    Ok(ExitCode::SUCCESS)
}

fn apply_template(
    template: &str,
    path: &Path,
    params: &[(String, String)],
    syntax: Syntax,
    out: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let (model, c) = match load(path)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let scenario = apply(&model, &c, template, params)?;
    if model
        .scenarios
        .iter()
        .any(|s| s.meta.id == scenario.meta.id)
    {
        eprintln!(
            "{WARN}note{WARN:#}: the model already has a scenario `{}`; pass --param id=... for another id",
            scenario.meta.id
        );
    }
    let id = scenario.meta.id.to_string();
    let fragment = Model {
        scenarios: vec![scenario],
        ..Model::default()
    };
    let format = match syntax {
        Syntax::Yaml => Format::Yaml,
        Syntax::Json => Format::Json,
    };
    write_out(&export::write(&fragment, format), out)?;
    eprintln!(
        "add the file to the model's `include` list, then: bulwark simulate {} --scenario {id}",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
