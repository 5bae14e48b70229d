//! `bulwark`: check, analyse and export resilience models from the command line.

mod analyse;
mod check;
mod demo;
mod demo_incident;
mod estate;
mod fta;
mod log;
mod output;
mod people;
mod server;
mod sign_on;
mod simulate;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Bulwark: map what your services depend on, find single points of failure, and see what
/// a failure would take down.
#[derive(Parser)]
#[command(name = "bulwark", version, about, propagate_version = true)]
struct Cli {
    /// Print tables as wide as their content, instead of fitting the terminal (or 100
    /// columns when the output goes to a file or another program).
    #[arg(long, global = true)]
    wide: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a model and report every problem as FILE:LINE:COLUMN: message (in a workbook:
    /// FILE, sheet NAME, row ROW, column HEADING: message).
    Check {
        /// The model's root file (YAML or JSON), or a workbook (.xlsx).
        model: PathBuf,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a model back out as one YAML or JSON document, or as a workbook a planner can
    /// edit (a sheet per kind of item).
    Export {
        /// The model's root file, or a workbook.
        model: PathBuf,
        /// Output syntax (a workbook needs `-o FILE.xlsx`).
        #[arg(long, value_enum, default_value_t = ExportFormat::Yaml)]
        format: ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Write a blank workbook to fill in and import, like a business impact analysis.
    Template {
        /// Which template: `bia`, a business impact analysis for service managers.
        #[arg(value_enum)]
        kind: TemplateKind,
        /// The workbook to write (.xlsx).
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Show which services are lost or degraded when some items fail, and why.
    Impact {
        /// The model's root file.
        model: PathBuf,
        /// Ids of the assets, services or skills that fail, separated by commas.
        #[arg(long, value_delimiter = ',', required = true)]
        fail: Vec<String>,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List, for every service, the assets whose failure alone loses it.
    Spof {
        /// The model's root file.
        model: PathBuf,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List every minimal set of assets whose joint failure loses a service.
    Cutsets {
        /// The model's root file.
        model: PathBuf,
        /// The service's id.
        #[arg(long)]
        service: String,
        /// Largest set to list.
        #[arg(long, default_value_t = 3)]
        max_order: usize,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Draw the dependency graph as Graphviz DOT or SVG.
    Graph {
        /// The model's root file.
        model: PathBuf,
        /// Draw only what this service depends on.
        #[arg(long)]
        service: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Start the web app on the built-in demo council, in a fresh database.
    Demo {
        /// Write the demo model's files into this folder instead, to edit and check yourself.
        #[arg(long)]
        write: Option<PathBuf>,
        /// Print a tour of the demo's weak points in the terminal instead of starting the app.
        #[arg(long)]
        tour: bool,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Write a synthetic model of any size, for benchmarks and tests.
    Generate {
        /// Number of services.
        #[arg(long)]
        services: usize,
        /// Random seed: the same seed gives the same model.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    #[command(flatten)]
    Sim(simulate::SimCommand),
    #[command(flatten)]
    Server(server::ServerCommand),
    #[command(flatten)]
    Fta(fta::FtaCommand),
    #[command(flatten)]
    Estate(estate::EstateCommand),
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Yaml,
    Json,
    Xlsx,
}

#[derive(Clone, Copy, ValueEnum)]
enum TemplateKind {
    /// A business impact analysis: services, their workarounds, and the assets and skills
    /// they need.
    Bia,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    Dot,
    Svg,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    output::set_wide(cli.wide);
    let result = match cli.command {
        Command::Check { model, json } => check::check(&model, json),
        Command::Export {
            model,
            format,
            output,
        } => {
            let format = match format {
                ExportFormat::Yaml => bulwark_model::export::Format::Yaml,
                ExportFormat::Json => bulwark_model::export::Format::Json,
                ExportFormat::Xlsx => {
                    return finish(check::export_workbook(&model, output.as_deref()));
                }
            };
            check::export(&model, format, output.as_deref())
        }
        Command::Template {
            kind: TemplateKind::Bia,
            output,
        } => check::template_bia(&output),
        Command::Impact { model, fail, json } => analyse::impact(&model, &fail, json),
        Command::Spof { model, json } => analyse::spof(&model, json),
        Command::Cutsets {
            model,
            service,
            max_order,
            json,
        } => analyse::cutsets(&model, &service, max_order, json),
        Command::Graph {
            model,
            service,
            format,
            output,
        } => analyse::graph(
            &model,
            service.as_deref(),
            matches!(format, GraphFormat::Svg),
            output.as_deref(),
        ),
        Command::Demo {
            write: None,
            tour: false,
            listen,
        } => server::demo(&listen),
        Command::Demo { write, .. } => demo::demo(write.as_deref()),
        Command::Generate {
            services,
            seed,
            output,
        } => check::generate(services, seed, output.as_deref()),
        Command::Sim(command) => simulate::run(command),
        Command::Server(command) => server::run(command),
        Command::Fta(command) => fta::run(command),
        Command::Estate(command) => estate::run(command),
    };
    finish(result)
}

/// The exit status of a command, printing its error if it failed.
fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) => {
            output::error(&format!("{e:#}"));
            ExitCode::FAILURE
        }
    }
}
