//! Problems found while reading or checking a model, each tied to a place in a file.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where something was written: a file of the model (by index into [`Sources`]), a line and a
/// column, both counted from 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pos {
    /// Index of the file in the model's [`Sources`].
    pub file: u32,
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

/// The files a model was read from, so positions can be printed as paths.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<PathBuf>,
}

impl Sources {
    /// Registers a file and returns its index.
    pub fn add(&mut self, path: PathBuf) -> u32 {
        self.files.push(path);
        u32::try_from(self.files.len() - 1).expect("fewer than 4 billion files")
    }

    /// The path of file `index`.
    pub fn path(&self, index: u32) -> &Path {
        &self.files[index as usize]
    }

    /// Every file, in the order they were read.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }
}

/// How serious a problem is: errors make a model invalid, warnings are advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The model cannot be used until this is fixed.
    Error,
    /// The model works, but a planner should look at this.
    Warning,
}

/// One problem, at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the problem is.
    pub pos: Pos,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in plain words.
    pub message: String,
}

/// Problems collected while reading and checking a model: every one is kept, so a user
/// sees them all in one run.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records an error at `pos`.
    pub fn error(&mut self, pos: Pos, message: impl Into<String>) {
        self.items.push(Diagnostic {
            pos,
            severity: Severity::Error,
            message: message.into(),
        });
    }

    /// Records a warning at `pos`.
    pub fn warning(&mut self, pos: Pos, message: impl Into<String>) {
        self.items.push(Diagnostic {
            pos,
            severity: Severity::Warning,
            message: message.into(),
        });
    }

    /// True when at least one error (not only warnings) was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Every problem, sorted by file, line and column.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items
            .sort_by(|a, b| a.pos.cmp(&b.pos).then(a.severity.cmp(&b.severity)));
        self.items.dedup();
        self.items
    }

    /// How many problems were recorded.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// A diagnostic joined with its file name, printable as `FILE:LINE:COLUMN: message`.
pub struct Located<'a> {
    /// The problem.
    pub diagnostic: &'a Diagnostic,
    /// The file table it refers to.
    pub sources: &'a Sources,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        let kind = match d.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        write!(
            f,
            "{}:{}:{}: {kind}{}",
            self.sources.path(d.pos.file).display(),
            d.pos.line,
            d.pos.column,
            d.message
        )
    }
}

/// Suggests the closest of `candidates` to `wrong`, for "did you mean" hints.
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(wrong, c);
        let near = strsim::damerau_levenshtein(wrong, c) <= (wrong.len() / 3).max(2);
        if (score >= 0.85 || near) && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// Appends "; did you mean `x`?" to `message` when a close candidate exists.
pub fn with_hint<'a>(
    mut message: String,
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    if let Some(c) = closest(wrong, candidates) {
        message.push_str(&format!("; did you mean `{c}`?"));
    }
    message
}
