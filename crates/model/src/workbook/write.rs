//! Writes a model as a workbook that reads back to the same model, with headings, notes
//! saying what to write, and drop-down lists where the format has a closed set of words.

use super::layout::{
    Column, DURATIONS, EVENT, EVENT_ITEM, EVENT_KINDS, IMPACT_PREFIX, Kind, MODEL_SHEET,
    README_SHEET, Rows, SCALE, SHEETS, Sheet,
};
use crate::export::to_value;
use crate::lines::needs_text;
use crate::node::{Syntax, parse};
use crate::read::List;
use crate::types::Model;
use crate::values::Duration;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatBorder, Note, Workbook,
    Worksheet, XlsxError,
};
use serde_json::{Map, Value};
use std::fmt;

/// Why a workbook could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError(pub String);

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WriteError {}

impl From<XlsxError> for WriteError {
    fn from(e: XlsxError) -> Self {
        WriteError(format!("cannot write the workbook: {e}"))
    }
}

/// What to write besides the model.
pub(crate) struct Options<'a> {
    /// The lines of the `Read me` sheet.
    pub readme: &'a [&'a str],
    /// Impact-over-time columns to have even when no service uses them.
    pub impacts: &'a [&'a str],
    /// Rows below the items that get the drop-down lists, for new items.
    pub spare_rows: u32,
    /// The sheets to write (all when `None`).
    pub sheets: Option<&'a [&'a str]>,
}

/// The `Read me` sheet of an exported model.
pub(crate) const EXPORT_README: &[&str] = &[
    "A Bulwark model as a workbook",
    "",
    "Each sheet holds one kind of item: organisations, staff skills, services, assets, risks and scenarios. Workarounds and scenario events have sheets of their own: each row names the service or scenario it belongs to.",
    "Row 1 of each sheet holds the headings; hover over a heading for what to write. Add, change or delete rows as you like, and leave out columns you do not need.",
    "Durations are a number and a unit: 30m, 4h, 2d, 1w (or 1d12h). Percentages are like 60%. Dates are YYYY-MM-DD.",
    "Needs are written one a line (Alt+Enter in a cell): an id means all of these are needed; `any of: a, b` means one of them is enough; `2 of: a, b, c` means two of them.",
    "Check the workbook with `bulwark check FILE.xlsx`, or import it on the Import page of the web app. Every problem is reported with its sheet, row and column.",
    "Sheets and columns of your own are kept out of the model: give them names starting with `x-`. A column headed `x-...` on an item's sheet is kept with each item.",
];

/// The `Read me` sheet of the business impact analysis template.
pub(crate) const BIA_README: &[&str] = &[
    "Business impact analysis",
    "",
    "Please fill in one row of the Services sheet for each service you manage. Hover over a heading for what to write; the drop-down lists show the usual answers.",
    "ID: a short name in lower case with hyphens, like `home-care`. Criticality: how soon its loss harms people.",
    "MTPD: the longest the service can be disrupted before the harm is intolerable. RTO: how soon it must be back (no longer than the MTPD). MBCO: the least capacity that is still acceptable, like 60%.",
    "Impact after...: how bad the impact of losing the service is after that long, from 1 (minimal) to 5 (catastrophic).",
    "Needs: the systems, sites, suppliers and other services it depends on, one a line, by their ID in the Assets sheet or the Services sheet. Write `any of: a, b` when one of several is enough.",
    "Staff: the staff it needs at full capacity, as `skill: number of full-time staff`, with the skills listed in the Skills sheet.",
    "Workarounds: ways to keep going at a reduced level when the usual way is lost, one row each.",
    "Return the workbook to your emergency planner, who imports it into Bulwark. Bulwark lists any problem by sheet, row and column.",
];

/// Writes `model` as a workbook.
pub(crate) fn write_with(model: &Model, options: &Options<'_>) -> Result<Vec<u8>, WriteError> {
    let value = to_value(model);
    let mut book = Workbook::new();
    let styles = Styles::new();
    readme(book.add_worksheet(), options.readme, &styles)?;
    for spec in SHEETS {
        if options
            .sheets
            .is_some_and(|only| !only.contains(&spec.name))
        {
            continue;
        }
        let rows = rows_of(spec, &value)?;
        sheet(book.add_worksheet(), spec, &rows, options, &styles)?;
    }
    let top: Vec<(&String, &Value)> = value
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("x-"))
        .collect();
    let ws = book.add_worksheet();
    ws.set_name(MODEL_SHEET)?;
    ws.write_string_with_format(0, 0, "Key", &styles.heading)?;
    ws.write_string_with_format(0, 1, "Value", &styles.heading)?;
    ws.write_string(1, 0, "bulwark")?;
    ws.write_number(1, 1, 1)?;
    ws.insert_note(
        1,
        0,
        &Note::new("The format version. Keys of your own, starting with `x-`, go below.")
            .add_author_prefix(false),
    )?;
    for (i, (k, v)) in top.into_iter().enumerate() {
        let row = 2 + u32::try_from(i).unwrap_or(u32::MAX - 2);
        ws.write_string(row, 0, k.as_str())?;
        ws.write_string(row, 1, extension_text(v))?;
    }
    ws.set_column_width(0, 20)?;
    ws.set_column_width(1, 40)?;
    Ok(book.save_to_buffer()?)
}

struct Styles {
    heading: Format,
    wrap: Format,
    title: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            heading: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(0xF3F2F1))
                .set_border_bottom(FormatBorder::Medium),
            wrap: Format::new().set_text_wrap(),
            title: Format::new().set_bold().set_font_size(16),
        }
    }
}

fn readme(ws: &mut Worksheet, lines: &[&str], styles: &Styles) -> Result<(), WriteError> {
    ws.set_name(README_SHEET)?;
    ws.set_column_width(0, 110)?;
    for (i, line) in lines.iter().enumerate() {
        let row = u32::try_from(i).unwrap_or(u32::MAX);
        if i == 0 {
            ws.write_string_with_format(row, 0, *line, &styles.title)?;
        } else {
            ws.write_string_with_format(row, 0, *line, &styles.wrap)?;
        }
    }
    Ok(())
}

/// A row of a sheet: the item (or child) as the model format writes it, and for a child
/// the id of its item.
type Row<'v> = (Option<&'v str>, &'v Map<String, Value>);

fn rows_of<'v>(spec: &Sheet, value: &'v Value) -> Result<Vec<Row<'v>>, WriteError> {
    let list = |l: List| -> Vec<&'v Map<String, Value>> {
        value
            .get(l.key())
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .collect()
    };
    let rows: Vec<Row<'v>> = match spec.rows {
        Rows::Items(l) => list(l).into_iter().map(|m| (None, m)).collect(),
        Rows::Children { parent, key, .. } => list(parent)
            .into_iter()
            .flat_map(|p| {
                let id = p.get("id").and_then(Value::as_str);
                p.get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_object)
                    .map(move |c| (id, c))
            })
            .collect(),
    };
    for (_, row) in &rows {
        covered(spec, row)?;
    }
    Ok(rows)
}

/// Makes sure every field of `row` has a column, so nothing is left out silently.
fn covered(spec: &Sheet, row: &Map<String, Value>) -> Result<(), WriteError> {
    for (k, v) in row {
        let children = match spec.rows {
            Rows::Items(l) => super::layout::SHEETS.iter().any(|s| {
                matches!(s.rows, Rows::Children { parent, key, .. } if parent == l && key == k.as_str())
            }),
            Rows::Children { .. } => false,
        };
        let special = k.starts_with("x-")
            || children
            || (spec.rows == Rows::Items(List::Services) && k == "impacts")
            || (spec.name == "Events" && EVENT_KINDS.contains(&k.as_str()));
        if special {
            continue;
        }
        let columns: Vec<&Column> = spec
            .columns
            .iter()
            .filter(|c| c.path.first() == Some(&k.as_str()))
            .collect();
        let fits = match columns.as_slice() {
            [] => false,
            [c] if c.path.len() == 1 => true,
            group => v.as_object().is_some_and(|inner| {
                inner
                    .keys()
                    .all(|ik| group.iter().any(|c| c.path.get(1) == Some(&ik.as_str())))
            }),
        };
        if !fits {
            return Err(WriteError(format!(
                "cannot write `{k}` in sheet {}: the workbook has no column for it",
                spec.name
            )));
        }
    }
    Ok(())
}

/// A column as written: a fixed one, an impact after a duration, or an `x-` key.
enum Out<'a> {
    Fixed(&'a Column),
    Impact(String),
    Extension(String),
}

fn sheet(
    ws: &mut Worksheet,
    spec: &Sheet,
    rows: &[Row<'_>],
    options: &Options<'_>,
    styles: &Styles,
) -> Result<(), WriteError> {
    ws.set_name(spec.name)?;
    let mut columns: Vec<Out<'_>> = spec.columns.iter().map(Out::Fixed).collect();
    if spec.rows == Rows::Items(List::Services) {
        let mut after: Vec<Duration> = options
            .impacts
            .iter()
            .filter_map(|t| t.parse().ok())
            .collect();
        for (_, row) in rows {
            if let Some(grid) = row.get("impacts").and_then(Value::as_object) {
                after.extend(grid.keys().filter_map(|t| t.parse::<Duration>().ok()));
            }
        }
        after.sort();
        after.dedup();
        columns.extend(after.into_iter().map(|t| Out::Impact(t.to_string())));
    }
    // Keys of one's own in an order every row keeps where it can: a new key goes after the
    // key before it in its row, so rows read from one sheet (one order) read back the same.
    let mut own: Vec<String> = Vec::new();
    for (_, row) in rows {
        let mut after: Option<usize> = None;
        for k in row.keys().filter(|k| k.starts_with("x-")) {
            let at = match own.iter().position(|o| o == k) {
                Some(at) => at,
                None => {
                    let at = after.map_or(own.len(), |a| a + 1);
                    own.insert(at, k.clone());
                    at
                }
            };
            after = Some(at);
        }
    }
    columns.extend(own.into_iter().map(Out::Extension));
    let last = u32::try_from(rows.len())
        .unwrap_or(u32::MAX)
        .saturating_add(options.spare_rows)
        .clamp(1, 1_048_575);
    for (c, out) in columns.iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| WriteError("too many columns".into()))?;
        let (label, help, width) = match out {
            Out::Fixed(col) => (col.label.to_string(), col.help.to_string(), width(col)),
            Out::Impact(t) => (
                format!("{IMPACT_PREFIX}{t}"),
                format!(
                    "How bad losing the service is after {t}: 1 (minimal) to 5 (catastrophic)."
                ),
                12.0,
            ),
            Out::Extension(k) => (
                k.clone(),
                "A value of your own, kept with the item.".into(),
                16.0,
            ),
        };
        ws.write_string_with_format(0, c, &label, &styles.heading)?;
        if !help.is_empty() {
            ws.insert_note(
                0,
                c,
                &Note::new(help).add_author_prefix(false).set_width(300),
            )?;
        }
        ws.set_column_width(c, width)?;
        let choices: Option<(&[&str], bool)> = match out {
            Out::Fixed(col) if !col.choices.is_empty() => Some((col.choices, true)),
            Out::Fixed(col) if col.kind == Kind::Duration => Some((DURATIONS, false)),
            Out::Impact(_) => Some((SCALE, true)),
            _ => None,
        };
        if let Some((choices, strict)) = choices {
            let mut rule = DataValidation::new()
                .allow_list_strings(choices)?
                .set_input_title(label.chars().take(32).collect::<String>())?;
            if !strict {
                rule = rule.set_error_style(DataValidationErrorStyle::Information);
            }
            ws.add_data_validation(1, c, last, c, &rule)?;
        }
        for (r, (parent, row)) in rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| WriteError("too many rows".into()))?;
            match out {
                Out::Fixed(col) if col.path.is_empty() => {
                    let text = match col.label {
                        EVENT => EVENT_KINDS
                            .iter()
                            .find(|k| row.contains_key(**k))
                            .map(|k| k.to_string()),
                        EVENT_ITEM => EVENT_KINDS
                            .iter()
                            .find_map(|k| row.get(*k))
                            .map(scalar_text),
                        _ => parent.map(str::to_string),
                    };
                    if let Some(text) = text {
                        ws.write_string(r, c, text)?;
                    }
                }
                Out::Fixed(col) => {
                    let mut at: Option<&Value> = None;
                    let mut map = Some(*row);
                    for k in col.path {
                        at = map.and_then(|m| m.get(*k));
                        map = at.and_then(Value::as_object);
                    }
                    if let Some(v) = at {
                        cell(ws, r, c, col.kind, v, styles)?;
                    }
                }
                Out::Impact(t) => {
                    let v = row
                        .get("impacts")
                        .and_then(Value::as_object)
                        .and_then(|g| g.get(t));
                    if let Some(v) = v {
                        cell(ws, r, c, Kind::Value, v, styles)?;
                    }
                }
                Out::Extension(k) => {
                    if let Some(v) = row.get(k) {
                        ws.write_string(r, c, extension_text(v))?;
                    }
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn width(col: &Column) -> f64 {
    match col.kind {
        Kind::Needs | Kind::Staff | Kind::Profile => 30.0,
        _ if col.path == ["description"] => 40.0,
        _ if col.path == ["name"] => 30.0,
        _ => (col.label.len() as f64 + 4.0).max(12.0),
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Writes one field's value in its cell.
fn cell(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    kind: Kind,
    v: &Value,
    styles: &Styles,
) -> Result<(), WriteError> {
    let items = || v.as_array().into_iter().flatten();
    let text = match kind {
        Kind::Texts => items().map(scalar_text).collect::<Vec<_>>().join("\n"),
        Kind::Ids => items().map(scalar_text).collect::<Vec<_>>().join(", "),
        Kind::Needs => needs_text(v),
        Kind::Staff => items()
            .map(|s| {
                let part = |k: &str| s.get(k).map(scalar_text).unwrap_or_default();
                format!("{}: {}", part("skill"), part("fte"))
            })
            .collect::<Vec<_>>()
            .join(", "),
        Kind::Profile => items()
            .map(|p| {
                let part = |i: usize| p.get(i).map(scalar_text).unwrap_or_default();
                format!("{}: {}", part(0), part(1))
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => {
            match v {
                Value::Number(n) => match n.as_f64() {
                    // Whole numbers beyond 2^53 do not fit a spreadsheet's numbers exactly.
                    Some(f) if n.is_f64() || f.abs() <= 9_007_199_254_740_992.0 => {
                        ws.write_number(r, c, f)?;
                    }
                    _ => {
                        ws.write_string(r, c, n.to_string())?;
                    }
                },
                Value::Bool(b) => {
                    ws.write_boolean(r, c, *b)?;
                }
                other => {
                    ws.write_string(r, c, scalar_text(other))?;
                }
            }
            return Ok(());
        }
    };
    ws.write_string_with_format(r, c, text, &styles.wrap)?;
    Ok(())
}

/// A value of one's own as the text of its cell: plain text when it reads back as that
/// text, else JSON (which is YAML too).
fn extension_text(v: &Value) -> String {
    if let Value::String(s) = v {
        let mut d = crate::diag::Diagnostics::default();
        if parse(s, Syntax::Yaml, 0, &mut d).is_some_and(|n| n.to_json() == *v) {
            return s.clone();
        }
    }
    serde_json::to_string(v).unwrap_or_default()
}
