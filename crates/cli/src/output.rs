//! Printing for people: colour only on a terminal, tables, and problem lists.

use anstream::{eprintln, println};
use anstyle::{AnsiColor, Style};
use bulwark_model::{Loaded, Severity};

/// Red bold, for losses and errors.
pub const BAD: Style = AnsiColor::Red.on_default().bold();
/// Yellow, for warnings and degradation.
pub const WARN: Style = AnsiColor::Yellow.on_default();
/// Green, for all-clear.
pub const GOOD: Style = AnsiColor::Green.on_default();
/// Bold, for headings.
pub const HEAD: Style = Style::new().bold();

/// Prints an error message for the user.
pub fn error(message: &str) {
    eprintln!("{BAD}error{BAD:#}: {message}");
}

/// Prints a heading.
pub fn heading(text: &str) {
    println!("\n{HEAD}{text}{HEAD:#}");
}

/// Prints every problem of a loaded model to standard error, errors in red.
pub fn problems(loaded: &Loaded) {
    for (d, line) in loaded.diagnostics.iter().zip(loaded.problems()) {
        let style = if d.severity == Severity::Error {
            BAD
        } else {
            WARN
        };
        eprintln!("{style}{line}{style:#}");
    }
}

/// A table with plain borders, sized to the terminal when there is one.
pub fn table(header: &[&str]) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    t.set_header(header.iter().copied());
    t
}

/// A capacity as a whole percentage.
pub fn percent(capacity: f64) -> String {
    format!("{:.0}%", capacity * 100.0)
}

/// Prints a JSON document on standard output.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        // Only a map with non-string keys fails, and no shape here has one.
        Err(e) => eprintln!("cannot write the JSON answer: {e}"),
    }
}
