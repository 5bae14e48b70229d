//! Printing for people: colour only on a terminal, tables, and problem lists.

use anstream::{eprintln, println};
use anstyle::{AnsiColor, Style};
use bulwark_model::{Loaded, Severity};
use std::sync::atomic::{AtomicBool, Ordering};

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
///
/// Tables fit the terminal, or when the output is not a terminal (piped to a file or
/// another program) the width in `COLUMNS`, else 100 columns; long cells wrap. After
/// [`set_wide`], they are as wide as their content.
pub fn table(header: &[&str]) -> comfy_table::Table {
    use comfy_table::ContentArrangement;
    use std::io::IsTerminal;
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    if WIDE.load(Ordering::Relaxed) {
        t.set_content_arrangement(ContentArrangement::Disabled);
    } else {
        t.set_content_arrangement(ContentArrangement::Dynamic);
        if !std::io::stdout().is_terminal() {
            let columns = std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse::<u16>().ok())
                .filter(|c| *c >= 40)
                .unwrap_or(PIPED_WIDTH);
            t.set_width(columns);
        }
    }
    t.set_header(header.iter().copied());
    t
}

/// The width of tables written to a file or a pipe, unless `COLUMNS` says otherwise.
pub const PIPED_WIDTH: u16 = 100;

static WIDE: AtomicBool = AtomicBool::new(false);

/// Makes every table as wide as its content (the `--wide` option).
pub fn set_wide(wide: bool) {
    WIDE.store(wide, Ordering::Relaxed);
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
