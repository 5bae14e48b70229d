//! `check`, `export` and `generate`: reading and writing model files.

use crate::output;
use anstream::eprintln;
use anyhow::Context;
use bulwark_model::export::{self, Format};
use bulwark_model::{Loaded, Severity, load};
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;

/// Loads a model; when it has errors, prints them and gives the exit code to return.
pub fn load_valid(path: &Path) -> Result<Loaded, ExitCode> {
    let loaded = load(path);
    if loaded.is_valid() {
        Ok(loaded)
    } else {
        output::problems(&loaded);
        let errors = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        eprintln!(
            "{} has {errors} problem(s) to fix first; `bulwark check` lists them",
            path.display()
        );
        Err(ExitCode::FAILURE)
    }
}

/// `bulwark check`.
pub fn check(path: &Path, as_json: bool) -> anyhow::Result<ExitCode> {
    let loaded = load(path);
    let valid = loaded.is_valid();
    if as_json {
        let problems: Vec<_> = loaded
            .diagnostics
            .iter()
            .map(|d| {
                let mut problem = json!({
                    "file": loaded.sources.path(d.pos.file).display().to_string(),
                    "line": d.pos.line,
                    "column": d.pos.column,
                    "message": d.message,
                    "severity": if d.severity == Severity::Error { "error" } else { "warning" },
                });
                // In a workbook, `line` is the row and `column` the column's number; the
                // sheet and the column's heading say the same in words.
                if let Some(sheet) = loaded.sources.sheet(d.pos.file) {
                    problem["sheet"] = json!(sheet.name);
                    problem["heading"] = json!(
                        sheet
                            .headings
                            .get((d.pos.column as usize).wrapping_sub(1))
                            .cloned()
                            .unwrap_or_default()
                    );
                }
                problem
            })
            .collect();
        output::json(&json!({ "valid": valid, "problems": problems }));
    } else {
        output::problems(&loaded);
        let errors = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let warnings = loaded.diagnostics.len() - errors;
        let m = &loaded.model;
        if valid {
            let style = output::GOOD;
            eprintln!(
                "{style}{} is valid{style:#}: {} services, {} assets, {} skills, {} risks, {} scenarios in {} file(s){}",
                path.display(),
                m.services.len(),
                m.assets.len(),
                m.skills.len(),
                m.risks.len(),
                m.scenarios.len(),
                // A workbook's sheets are sources of their own, all of one file.
                loaded
                    .sources
                    .files()
                    .iter()
                    .collect::<std::collections::BTreeSet<_>>()
                    .len(),
                if warnings > 0 {
                    format!("; {warnings} warning(s)")
                } else {
                    String::new()
                }
            );
        } else {
            eprintln!(
                "{}: {errors} error(s), {warnings} warning(s)",
                path.display()
            );
        }
    }
    Ok(if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `bulwark export`.
pub fn export(path: &Path, format: Format, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let loaded = match load_valid(path) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    write_out(&export::write(&loaded.model, format), out)?;
    Ok(ExitCode::SUCCESS)
}

/// `bulwark export --format xlsx`: the model as a workbook a planner can edit.
pub fn export_workbook(path: &Path, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let Some(out) = out else {
        anyhow::bail!("a workbook is written to a file: add `-o FILE.xlsx`");
    };
    let loaded = match load_valid(path) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    write_bytes(&bulwark_model::workbook::write(&loaded.model)?, out)?;
    Ok(ExitCode::SUCCESS)
}

/// `bulwark template bia`: the business impact analysis workbook to fill in.
pub fn template_bia(out: &Path) -> anyhow::Result<ExitCode> {
    write_bytes(&bulwark_model::workbook::template_bia()?, out)?;
    Ok(ExitCode::SUCCESS)
}

/// `bulwark generate`.
pub fn generate(services: usize, seed: u64, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let model =
        bulwark_model::generate::generate(bulwark_model::generate::Shape { services, seed });
    let mut text = format!(
        "# A synthetic model generated by `bulwark generate --services {services} --seed {seed}`.\n# Fictional: for benchmarks and tests.\n"
    );
    text.push_str(&export::write(&model, Format::Yaml));
    write_out(&text, out)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes `text` to `out`, or to standard output. A file is written whole or not at all.
pub fn write_out(text: &str, out: Option<&Path>) -> anyhow::Result<()> {
    match out {
        None => print!("{text}"),
        Some(path) => write_bytes(text.as_bytes(), path)?,
    }
    Ok(())
}

/// Writes `bytes` to the file `path`, whole or not at all.
pub fn write_bytes(bytes: &[u8], path: &Path) -> anyhow::Result<()> {
    let tmp = path.with_extension("bulwark-tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
