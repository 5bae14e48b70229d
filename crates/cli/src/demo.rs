//! `bulwark demo`: a tour of the built-in demo council, embedded in the binary.

use crate::analyse::print_spof_summary;
use crate::output::{self, HEAD};
use anstream::println;
use anyhow::Context;
use bulwark_engine::Compiled;
use bulwark_model::load::{InMemory, load_with};
use include_dir::{Dir, include_dir};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

static DEMO: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../examples/demo-council");

/// The demo model's root file, as it is named inside the binary.
pub const ROOT: &str = "demo-council/council.yaml";

/// The embedded demo files, by the path they load under.
pub fn demo_files() -> InMemory {
    let mut files = InMemory::default();
    for file in all_files(&DEMO) {
        if let Some(text) = file.contents_utf8() {
            files.0.insert(
                Path::new("demo-council").join(file.path()),
                text.to_string(),
            );
        }
    }
    files
}

fn all_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        out.extend(all_files(sub));
    }
    out
}

/// `bulwark demo`.
pub fn demo(write: Option<&Path>) -> anyhow::Result<ExitCode> {
    let files = demo_files();
    if let Some(dir) = write {
        for (path, text) in &files.0 {
            let target: PathBuf = dir.join(path.strip_prefix("demo-council").unwrap_or(path));
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            std::fs::write(&target, text)
                .with_context(|| format!("cannot write {}", target.display()))?;
        }
        println!("Wrote the demo council's model to {}. Try:", dir.display());
        println!("  bulwark check {}", dir.join("council.yaml").display());
        return Ok(ExitCode::SUCCESS);
    }
    let loaded = load_with(&files, Path::new(ROOT));
    if !loaded.is_valid() {
        output::problems(&loaded);
        anyhow::bail!("the built-in demo model has errors; this is a bug in Bulwark");
    }
    let m = &loaded.model;
    let c = Compiled::new(m)?;
    let org = m
        .organisations
        .first()
        .map_or("the demo council", |o| o.meta.name.as_str());
    println!("{HEAD}Bulwark demo: {org}{HEAD:#} (a fictional council)");
    println!(
        "{} services, {} assets, {} staff skills, {} risks and {} scenarios, read from {} files.",
        m.services.len(),
        m.assets.len(),
        m.skills.len(),
        m.risks.len(),
        m.scenarios.len(),
        loaded.sources.files().len()
    );
    let warnings = loaded.diagnostics.len();
    if warnings > 0 {
        println!(
            "`bulwark check` has {warnings} warning(s) for planners, such as recovery times longer than the RTO that relies on them."
        );
    }
    print_spof_summary(&c, &c.spof(), 15);
    output::heading("Try next");
    println!(
        "  bulwark demo --write my-council            # the model's YAML files, to read and edit"
    );
    println!(
        "  bulwark check my-council/council.yaml      # every problem, with file, line and column"
    );
    println!(
        "  bulwark spof my-council/council.yaml       # single points of failure of every service"
    );
    println!(
        "  bulwark impact my-council/council.yaml --fail ID[,ID...]   # what a failure takes down, and why"
    );
    println!("  bulwark cutsets my-council/council.yaml --service ID --max-order 3");
    println!("  bulwark graph my-council/council.yaml --service ID --format svg -o service.svg");
    println!(
        "  bulwark estate my-council/council.yaml     # IT systems out of support, and what each alone takes down"
    );
    println!(
        "  bulwark suppliers my-council/council.yaml  # suppliers ranked, fourth parties, concentration"
    );
    Ok(ExitCode::SUCCESS)
}
