//! `estate` and `suppliers`: the IT estate register and the supply chain, with each system's
//! and supplier's blast radius.

use crate::check::load_valid;
use crate::output::{self, BAD, GOOD, WARN};
use anstream::{eprintln, println};
use anyhow::Context;
use bulwark_engine::Compiled;
use bulwark_model::catalogue::Catalogue;
use bulwark_report::estate::{EstateReport, SuppliersReport};
use chrono::NaiveDate;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The subcommands of this module, flattened into `bulwark`'s own.
#[derive(Subcommand)]
pub enum EstateCommand {
    /// List every IT system with its vendor support (expired, ending within 12 months,
    /// supported) and its blast radius: the services its failure alone loses.
    Estate {
        /// The model's root file.
        model: PathBuf,
        /// The day to judge support on, as YYYY-MM-DD (default: today).
        #[arg(long, value_parser = day)]
        today: Option<NaiveDate>,
        /// Also rehearse a ransomware attack on each system (out for its recovery time, or 21
        /// days) with the simulation, and name the services that would breach their MTPD.
        #[arg(long)]
        ransomware: bool,
        /// Check each system's product against this approved technology catalogue (YAML or
        /// JSON; see docs/model-format.md).
        #[arg(long)]
        catalogue: Option<PathBuf>,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Rank suppliers by the critical services they alone can take down, with contract ends,
    /// fourth parties and concentration of reliance.
    Suppliers {
        /// The model's root file.
        model: PathBuf,
        /// The day to judge contract ends on, as YYYY-MM-DD (default: today).
        #[arg(long, value_parser = day)]
        today: Option<NaiveDate>,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date; write it as YYYY-MM-DD, like 2027-03-31"))
}

/// Runs one of the subcommands.
pub fn run(command: EstateCommand) -> anyhow::Result<ExitCode> {
    match command {
        EstateCommand::Estate {
            model,
            today,
            ransomware,
            catalogue,
            json,
        } => estate(&model, today, ransomware, catalogue.as_deref(), json),
        EstateCommand::Suppliers { model, today, json } => suppliers(&model, today, json),
    }
}

fn today_or_now(today: Option<NaiveDate>) -> NaiveDate {
    today.unwrap_or_else(|| chrono::Utc::now().date_naive())
}

/// A valid model, compiled, with how the services rely on each asset.
type Analysed = (
    bulwark_model::Model,
    Compiled,
    Vec<bulwark_engine::estate::Reliance>,
);

/// Loads and compiles a valid model and works out how services rely on each asset; the exit
/// code to return instead when the model has problems (they are printed).
fn load(path: &Path) -> anyhow::Result<Result<Analysed, ExitCode>> {
    let loaded = match load_valid(path) {
        Ok(loaded) => loaded,
        Err(code) => return Ok(Err(code)),
    };
    let c = Compiled::new(&loaded.model).context("the model could not be compiled")?;
    let reliance = c.reliance(&c.spof());
    Ok(Ok((loaded.model, c, reliance)))
}

/// `bulwark estate`.
fn estate(
    path: &Path,
    today: Option<NaiveDate>,
    ransomware: bool,
    catalogue: Option<&Path>,
    as_json: bool,
) -> anyhow::Result<ExitCode> {
    let (model, c, reliance) = match load(path)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let day = today_or_now(today);
    let mut report = EstateReport::new(&model, &c, &reliance, day);
    if ransomware {
        report.rehearse_ransomware(&model, &c);
    }
    if let Some(file) = catalogue {
        match read_catalogue(file, &model)? {
            Ok(catalogue) => report.check_catalogue(&model, &catalogue, day),
            Err(code) => return Ok(code),
        }
    }
    if as_json {
        output::json(&report);
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows: Vec<_> = report.systems.iter().collect();
    rows.sort_by(|a, b| {
        urgency(a.support)
            .cmp(&urgency(b.support))
            .then(b.critical_services_lost.cmp(&a.critical_services_lost))
            .then(b.services_lost.len().cmp(&a.services_lost.len()))
            .then_with(|| a.id.cmp(&b.id))
    });
    output::heading(&format!(
        "IT estate on {}: {} system(s)",
        report.today,
        rows.len()
    ));
    let mut header = vec![
        "System",
        "Support ends",
        "Support",
        "Services lost alone",
        "of which critical",
    ];
    if ransomware {
        header.push("Ransomware breaches (critical)");
    }
    header.extend(["Lifecycle", "Hosting"]);
    let mut table = output::table(&header);
    for s in &rows {
        let mut row = vec![
            format!("{} ({})", s.name, s.id),
            s.end_of_support
                .clone()
                .unwrap_or_else(|| "not recorded".into()),
            s.support.replace('-', " "),
            s.services_lost.len().to_string(),
            s.critical_services_lost.to_string(),
        ];
        if ransomware {
            row.push(s.ransomware.as_ref().map_or(String::new(), |r| {
                format!(
                    "{} ({}) if out {}",
                    r.breached.len(),
                    r.critical_breached,
                    r.outage
                )
            }));
        }
        row.push(s.lifecycle.unwrap_or("").to_string());
        row.push(s.hosting.unwrap_or("").to_string());
        table.add_row(row);
    }
    println!("{table}");
    let expired = rows.iter().filter(|s| s.support == "expired").count();
    let soon = rows
        .iter()
        .filter(|s| s.support == "within-12-months")
        .count();
    if expired + soon == 0 {
        println!("{GOOD}No system is out of support or due out within 12 months.{GOOD:#}");
    } else {
        println!(
            "{BAD}{expired} out of support{BAD:#}, {WARN}{soon} due out within 12 months{WARN:#}."
        );
    }
    if !report.catalogue_reviews_due.is_empty() {
        println!(
            "{WARN}Catalogue entries due for review:{WARN:#} {}",
            report.catalogue_reviews_due.join(", ")
        );
    }
    print_concerns(rows.iter().map(|s| (&s.name, &s.id, &s.concerns)));
    Ok(ExitCode::SUCCESS)
}

/// Reads an approved technology catalogue whose exceptions must name IT systems of `model`;
/// prints every problem as FILE:LINE:COLUMN: message and gives the exit code otherwise.
fn read_catalogue(
    file: &Path,
    model: &bulwark_model::Model,
) -> anyhow::Result<Result<Catalogue, ExitCode>> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("could not read the catalogue {}", file.display()))?;
    let (catalogue, sources, mut d) =
        bulwark_model::catalogue::read(&file.display().to_string(), &text);
    catalogue.check_exceptions(model, &mut d);
    if d.is_empty() {
        return Ok(Ok(catalogue));
    }
    for p in d.sorted() {
        eprintln!(
            "{BAD}{}:{}:{}: {}{BAD:#}",
            sources.path(p.pos.file).display(),
            p.pos.line,
            p.pos.column,
            p.message
        );
    }
    Ok(Err(ExitCode::FAILURE))
}

fn urgency(word: &str) -> u8 {
    match word {
        "expired" | "ended" => 0,
        "within-12-months" => 1,
        "unknown" => 2,
        _ => 3,
    }
}

fn print_concerns<'a>(items: impl Iterator<Item = (&'a String, &'a String, &'a Vec<String>)>) {
    let mut any = false;
    for (name, id, concerns) in items {
        if concerns.is_empty() {
            continue;
        }
        if !any {
            output::heading("To look at");
            any = true;
        }
        println!("  {WARN}!{WARN:#} {name} ({id}): {}", concerns.join("; "));
    }
}

/// `bulwark suppliers`.
fn suppliers(path: &Path, today: Option<NaiveDate>, as_json: bool) -> anyhow::Result<ExitCode> {
    let (model, c, reliance) = match load(path)? {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let report = SuppliersReport::new(&model, &c, &reliance, today_or_now(today));
    if as_json {
        output::json(&report);
        return Ok(ExitCode::SUCCESS);
    }
    output::heading(&format!(
        "Suppliers ranked by the critical services they alone can take down ({} supplier(s), {} service(s))",
        report.suppliers.len(),
        report.services
    ));
    let mut table = output::table(&[
        "Supplier",
        "Contract ends",
        "Services lost alone",
        "of which critical",
        "Services needing it",
        "Fourth parties",
        "Exit plan",
        "Substitutability",
    ]);
    for s in &report.suppliers {
        table.add_row(vec![
            format!("{} ({})", s.name, s.id),
            match (&s.contract_end, s.contract) {
                (Some(d), "current") => d.clone(),
                (Some(d), word) => format!("{d} ({})", word.replace('-', " ")),
                (None, _) => "not recorded".into(),
            },
            s.services_lost.len().to_string(),
            s.critical_services_lost.to_string(),
            s.services_needing.to_string(),
            s.fourth_parties.join(", "),
            s.exit_plan.unwrap_or("").to_string(),
            s.substitutability.unwrap_or("").to_string(),
        ]);
    }
    println!("{table}");
    let concentrated: Vec<_> = report
        .suppliers
        .iter()
        .filter(|s| s.concentration)
        .collect();
    if !concentrated.is_empty() {
        output::heading("Concentration: one supplier behind many services");
        for s in concentrated {
            println!(
                "  {BAD}✗{BAD:#} {} ({}) is needed by {} of {} services ({} critical)",
                s.name, s.id, s.services_needing, report.services, s.critical_services_needing
            );
        }
    }
    print_concerns(
        report
            .suppliers
            .iter()
            .map(|s| (&s.name, &s.id, &s.concerns)),
    );
    Ok(ExitCode::SUCCESS)
}
