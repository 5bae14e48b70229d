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
    /// For each file, the sheet of a workbook it stands for, if it does.
    sheets: Vec<Option<Sheet>>,
}

/// A sheet of a workbook, registered in [`Sources`] like a file: a position in it is a row
/// (its `line`) and a column (its `column`, from 1 for column A).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The sheet's name, as on its tab.
    pub name: String,
    /// The headings of its columns, from column A; empty where there is none.
    pub headings: Vec<String>,
}

impl Sources {
    /// Registers a file and returns its index.
    pub fn add(&mut self, path: PathBuf) -> u32 {
        self.files.push(path);
        self.sheets.push(None);
        u32::try_from(self.files.len() - 1).expect("fewer than 4 billion files")
    }

    /// Registers a sheet of the workbook at `path` and returns its index.
    pub fn add_sheet(&mut self, path: PathBuf, sheet: Sheet) -> u32 {
        let index = self.add(path);
        self.sheets[index as usize] = Some(sheet);
        index
    }

    /// The sheet file `index` stands for, when it is a sheet of a workbook.
    pub fn sheet(&self, index: u32) -> Option<&Sheet> {
        self.sheets.get(index as usize).and_then(Option::as_ref)
    }

    /// Where `pos` is, in words people read: `FILE:LINE:COLUMN` in a text file, and
    /// `FILE, sheet NAME, row ROW, column HEADING` in a workbook.
    pub fn place(&self, pos: Pos) -> String {
        let path = self.path(pos.file).display();
        match self.sheet(pos.file) {
            None => format!("{path}:{}:{}", pos.line, pos.column),
            Some(sheet) => {
                let heading = sheet
                    .headings
                    .get((pos.column as usize).wrapping_sub(1))
                    .filter(|h| !h.trim().is_empty())
                    .cloned()
                    .unwrap_or_else(|| crate::workbook::column_letters(pos.column));
                format!(
                    "{path}, sheet {}, row {}, column {heading}",
                    sheet.name, pos.line
                )
            }
        }
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
    /// Candidates compared for "did you mean" hints so far, against [`MAX_HINT_WORK`].
    hint_work: usize,
}

/// Most candidates compared for "did you mean" hints while loading one model. Past it,
/// messages come without hints, so that a model with thousands of mistakes among thousands
/// of items stays quick to check: a model of 20,000 items gets hints on about 25 unknown ids.
pub const MAX_HINT_WORK: usize = 500_000;

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

    /// Appends a "did you mean" hint to `message` like [`with_hint`], until
    /// [`MAX_HINT_WORK`] candidates have been compared; then returns `message` as it is.
    pub fn hint<'a>(
        &mut self,
        message: String,
        wrong: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> String {
        if self.hint_work >= MAX_HINT_WORK {
            return message;
        }
        let work = &mut self.hint_work;
        with_hint(
            message,
            wrong,
            candidates.into_iter().inspect(|_| *work += 1),
        )
    }

    /// An empty collection that shares this one's budget for hints: problems found on the
    /// side (while parsing, kept only if the parse succeeds), to [`Diagnostics::join`] later.
    pub fn aside(&self) -> Diagnostics {
        Diagnostics {
            items: Vec::new(),
            hint_work: self.hint_work,
        }
    }

    /// Adds the problems of `other`, made by [`Diagnostics::aside`], and takes on its budget.
    pub fn join(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
        self.hint_work = other.hint_work;
    }

    /// Adds the problems of `other`, found apart (without hints).
    pub fn append(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Records a problem found earlier.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
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
        write!(f, "{}: {kind}{}", self.sources.place(d.pos), d.message)
    }
}

/// Suggests the closest of `candidates` to `wrong`, for "did you mean" hints: the most
/// similar by Jaro-Winkler among those similar enough (0.85) or a few edits away, and of
/// equally similar ones the first in alphabetical order, so that the hint does not depend on
/// the order the candidates come in (ids come from a hash map).
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    const SIMILAR: f64 = 0.85;
    let max_edits = (wrong.len() / 3).max(2);
    let wrong_chars = wrong.chars().count();
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(wrong, c);
        // Only a better score can win, so the slower edit distance is rarely needed; it is
        // at least the difference in length.
        if best.is_some_and(|(b, s)| score < s || (score == s && c >= b)) {
            continue;
        }
        if score >= SIMILAR
            || (wrong_chars.abs_diff(c.chars().count()) <= max_edits
                && strsim::damerau_levenshtein(wrong, c) <= max_edits)
        {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The suggestion as first written: every candidate compared in full.
    fn closest_in_full<'a>(wrong: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let mut best: Option<(&str, f64)> = None;
        for &c in candidates {
            let score = strsim::jaro_winkler(wrong, c);
            let near = strsim::damerau_levenshtein(wrong, c) <= (wrong.len() / 3).max(2);
            if (score >= 0.85 || near)
                && best.is_none_or(|(b, s)| score > s || (score == s && c < b))
            {
                best = Some((c, score));
            }
        }
        best.map(|(c, _)| c)
    }

    #[test]
    fn suggestions_find_near_misses() {
        let keys = ["services", "assets", "skills", "include"];
        assert_eq!(closest("service", keys), Some("services"));
        assert_eq!(closest("asets", keys), Some("assets"));
        assert_eq!(closest("zzz", keys), None);
        assert_eq!(closest("", ["", "a"]), Some(""));
        // Equally close: the same answer whatever the order.
        assert_eq!(closest("crm", ["mrf", "erp"]), Some("erp"));
        assert_eq!(closest("crm", ["erp", "mrf"]), Some("erp"));
    }

    proptest! {
        /// The shortcuts only skip candidates that could not have been chosen.
        #[test]
        fn shortcuts_never_change_the_suggestion(
            wrong in "[a-e\\-é]{0,8}",
            candidates in proptest::collection::vec("[a-e\\-é]{0,8}", 0..12),
        ) {
            let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
            prop_assert_eq!(
                closest(&wrong, candidates.iter().copied()),
                closest_in_full(&wrong, &candidates)
            );
        }
    }
}
