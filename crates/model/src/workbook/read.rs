//! Reads a workbook into the tree a model file gives, each value at its cell, so that the
//! model's own reader checks it with the same rules and words as YAML.

use super::layout::{
    EVENT, EVENT_ITEM, EVENT_KINDS, IMPACT_PREFIX, Kind, MODEL_SHEET, README_SHEET, Rows, SHEETS,
    Sheet, normal,
};
use crate::diag::{self, Diagnostics, Pos, Sources};
use crate::lines::parse_needs;
use crate::node::{self, Node, NodeKind, Syntax};
use crate::read::List;
use calamine::{DataRef, Reader, Xlsx};
use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};
use std::path::Path;

/// The most cells a workbook may hold, all sheets together.
pub const MAX_CELLS: usize = 2_000_000;
/// The most bytes a workbook may unpack to (its parts are compressed), against "zip bombs".
pub const MAX_UNPACKED_BYTES: u64 = 256 << 20;

/// A cell's value, as read.
#[derive(Debug, Clone)]
enum Value {
    Text(String),
    Number(f64),
    Int(i64),
    Bool(bool),
    /// A spreadsheet date or time: year, month, day, and whether it has a time of day.
    Date(u16, u8, u8, bool),
    /// A spreadsheet error such as `#REF!`.
    Error(String),
}

impl Value {
    /// The value as text, as the model format would have it written.
    fn text(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::Number(v) => v.to_string(),
            Value::Int(v) => v.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Date(y, m, d, _) => format!("{y:04}-{m:02}-{d:02}"),
            Value::Error(e) => e.clone(),
        }
    }
}

/// One sheet's cells by row and column (both from 0), and its file index in the sources.
struct Grid {
    file: u32,
    name: String,
    rows: BTreeMap<u32, BTreeMap<u32, Value>>,
}

impl Grid {
    fn pos(&self, row: u32, column: u32) -> Pos {
        Pos {
            file: self.file,
            line: row.saturating_add(1),
            column: column.saturating_add(1),
        }
    }
}

/// Reads the workbook `bytes`, named `path`, into a model file's tree. Every problem is
/// recorded in `d`; `None` when the workbook cannot be read at all.
pub(crate) fn read(
    path: &Path,
    bytes: &[u8],
    sources: &mut Sources,
    d: &mut Diagnostics,
) -> Option<Node> {
    let whole = |sources: &mut Sources, d: &mut Diagnostics, why: String| {
        let file = sources.add(path.to_path_buf());
        let pos = Pos {
            file,
            line: 1,
            column: 1,
        };
        d.error(pos, format!("cannot read the workbook: {why}"));
    };
    if let Err(why) = check_unpacked(bytes) {
        whole(sources, d, why);
        return None;
    }
    let mut book = match Xlsx::new(Cursor::new(bytes)) {
        Ok(b) => b,
        Err(e) => {
            whole(
                sources,
                d,
                format!("it is not an Excel workbook (.xlsx) ({e})"),
            );
            return None;
        }
    };
    let mut cells = 0usize;
    let mut grids: HashMap<&'static str, Grid> = HashMap::new();
    let mut model_grid = None;
    let known: Vec<&str> = SHEETS
        .iter()
        .map(|s| s.name)
        .chain([MODEL_SHEET, README_SHEET])
        .collect();
    for name in book.sheet_names() {
        let wanted = normal(&name);
        let spec = SHEETS.iter().find(|s| normal(s.name) == wanted);
        let is_model = wanted == normal(MODEL_SHEET);
        if spec.is_none() && !is_model {
            if wanted != normal(README_SHEET) && !wanted.starts_with("x-") {
                let file = sources.add_sheet(path.to_path_buf(), sheet(&name, Vec::new()));
                let msg = format!("Bulwark does not read a sheet called `{name}`");
                let msg = d.hint(msg, &name, known.iter().copied());
                d.error(
                    Pos {
                        file,
                        line: 1,
                        column: 1,
                    },
                    format!("{msg} (sheets of your own must have names starting with `x-`)"),
                );
            }
            continue;
        }
        let (rows, failure) = read_cells(&mut book, &name, &mut cells);
        let headings = rows
            .get(&0)
            .map(|h| {
                let width = h.keys().next_back().map_or(0, |c| *c as usize + 1);
                let mut out = vec![String::new(); width.min(16_384)];
                for (c, v) in h {
                    if let Some(slot) = out.get_mut(*c as usize) {
                        *slot = v.text().trim().to_string();
                    }
                }
                out
            })
            .unwrap_or_default();
        let file = sources.add_sheet(path.to_path_buf(), sheet(&name, headings));
        let grid = Grid { file, name, rows };
        if let Some(why) = failure {
            d.error(grid.pos(0, 0), why);
        }
        match spec {
            Some(s) => {
                grids.insert(s.name, grid);
            }
            None => model_grid = Some(grid),
        }
    }
    // Where the workbook as a whole is: its first sheet read, else any sheet, else the file.
    let first = grids
        .values()
        .map(|g| g.file)
        .chain(model_grid.as_ref().map(|g| g.file))
        .min();
    let book = match (first, sources.files().len()) {
        (Some(file), _) => file,
        (None, 0) => sources.add(path.to_path_buf()),
        (None, n) => u32::try_from(n - 1).unwrap_or(0),
    };
    let at_book = Pos {
        file: book,
        line: 1,
        column: 1,
    };
    let mut root = Vec::new();
    let version = model_grid
        .as_ref()
        .map(|g| model_sheet(g, &mut root, d))
        .unwrap_or(false);
    if !version {
        // The layout is version 1's: a workbook without a `Model` sheet says so by its shape.
        root.insert(0, (key("bulwark", at_book), plain("1", at_book)));
    }
    let mut items: BTreeMap<usize, Vec<ItemRow>> = BTreeMap::new();
    for (i, spec) in SHEETS.iter().enumerate() {
        let Some(grid) = grids.get(spec.name) else {
            continue;
        };
        let rows = sheet_rows(spec, grid, d);
        match spec.rows {
            Rows::Items(_) => {
                items.insert(i, rows);
            }
            Rows::Children { parent, by, key } => {
                attach(rows, parent, by, key, &mut items, d);
            }
        }
    }
    for (i, rows) in items {
        let spec = &SHEETS[i];
        let Rows::Items(list) = spec.rows else {
            continue;
        };
        let Some(grid) = grids.get(spec.name) else {
            continue;
        };
        let nodes = rows.into_iter().map(ItemRow::into_node).collect();
        root.push((key(list.key(), grid.pos(0, 0)), seq(nodes, grid.pos(0, 0))));
    }
    Some(Node {
        kind: NodeKind::Map(root),
        pos: at_book,
    })
}

fn sheet(name: &str, headings: Vec<String>) -> diag::Sheet {
    diag::Sheet {
        name: name.to_string(),
        headings,
    }
}

/// Unpacks every part of the workbook into nothing, to refuse one that unpacks to more than
/// [`MAX_UNPACKED_BYTES`] before the spreadsheet reader holds any of it.
fn check_unpacked(bytes: &[u8]) -> Result<(), String> {
    let not_xlsx = |e: zip::result::ZipError| {
        format!(
            "it is not an Excel workbook (.xlsx): a workbook is a zip archive, and this is not one ({e})"
        )
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(not_xlsx)?;
    let mut left = MAX_UNPACKED_BYTES;
    for i in 0..archive.len() {
        let part = archive.by_index(i).map_err(not_xlsx)?;
        let read = std::io::copy(&mut part.take(left + 1), &mut std::io::sink())
            .map_err(|e| format!("a part of it is damaged ({e})"))?;
        if read > left {
            return Err(format!(
                "it unpacks to more than {} MiB, the most a workbook may hold",
                MAX_UNPACKED_BYTES >> 20
            ));
        }
        left -= read;
    }
    Ok(())
}

type Cells = BTreeMap<u32, BTreeMap<u32, Value>>;

/// The sheet's cells that hold something, and why reading stopped early, if it did.
fn read_cells(
    book: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    count: &mut usize,
) -> (Cells, Option<String>) {
    let mut rows = Cells::new();
    let mut reader = match book.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(e) => return (rows, Some(format!("cannot read the sheet: {e}"))),
    };
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => return (rows, None),
            Err(e) => return (rows, Some(format!("cannot read the sheet: {e}"))),
        };
        let value = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                Value::Text(s.clone())
            }
            DataRef::SharedString(s) => Value::Text((*s).to_string()),
            DataRef::Float(v) => Value::Number(*v),
            DataRef::Int(v) => Value::Int(*v),
            DataRef::Bool(b) => Value::Bool(*b),
            DataRef::DateTime(dt) => {
                let (y, m, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
                Value::Date(y, m, d, (h, mi, s, ms) != (0, 0, 0, 0))
            }
            DataRef::Error(e) => Value::Error(e.to_string()),
        };
        if matches!(&value, Value::Text(t) if t.trim().is_empty()) {
            continue;
        }
        *count += 1;
        if *count > MAX_CELLS {
            return (
                rows,
                Some(format!(
                    "the workbook has more than {MAX_CELLS} cells, the most Bulwark reads"
                )),
            );
        }
        let (row, column) = cell.get_position();
        rows.entry(row).or_default().insert(column, value);
    }
}

fn key(text: &str, pos: Pos) -> Node {
    Node {
        kind: NodeKind::Scalar {
            text: text.to_string(),
            plain: false,
        },
        pos,
    }
}

fn plain(text: &str, pos: Pos) -> Node {
    Node {
        kind: NodeKind::Scalar {
            text: text.to_string(),
            plain: true,
        },
        pos,
    }
}

fn seq(items: Vec<Node>, pos: Pos) -> Node {
    Node {
        kind: NodeKind::Seq(items),
        pos,
    }
}

/// The tree of a JSON value, every node at `pos`.
fn from_json(value: &serde_json::Value, pos: Pos) -> Node {
    use serde_json::Value as J;
    let kind = match value {
        J::Null => NodeKind::Scalar {
            text: "null".into(),
            plain: true,
        },
        J::Bool(b) => NodeKind::Scalar {
            text: b.to_string(),
            plain: true,
        },
        J::Number(n) => NodeKind::Scalar {
            text: n.to_string(),
            plain: true,
        },
        J::String(s) => NodeKind::Scalar {
            text: s.clone(),
            plain: false,
        },
        J::Array(items) => NodeKind::Seq(items.iter().map(|v| from_json(v, pos)).collect()),
        J::Object(map) => NodeKind::Map(
            map.iter()
                .map(|(k, v)| (key(k, pos), from_json(v, pos)))
                .collect(),
        ),
    };
    Node { kind, pos }
}

/// The same tree with every node at `pos`.
fn moved(node: Node, pos: Pos) -> Node {
    let kind = match node.kind {
        NodeKind::Seq(items) => NodeKind::Seq(items.into_iter().map(|n| moved(n, pos)).collect()),
        NodeKind::Map(entries) => NodeKind::Map(
            entries
                .into_iter()
                .map(|(k, v)| (moved(k, pos), moved(v, pos)))
                .collect(),
        ),
        scalar => scalar,
    };
    Node { kind, pos }
}

/// A value of one's own (`x-` columns and keys), written as YAML.
fn extension(value: &Value, pos: Pos, d: &mut Diagnostics) -> Option<Node> {
    let text = match value {
        Value::Text(t) => t.clone(),
        other => other.text(),
    };
    let mut scratch = Diagnostics::default();
    match node::parse(&text, Syntax::Yaml, pos.file, &mut scratch) {
        Some(n) => Some(moved(n, pos)),
        None => {
            d.error(
                pos,
                "this value of your own is not valid YAML; write plain text, a number, or a YAML list or mapping like `[a, b]`",
            );
            None
        }
    }
}

/// Reads the `Model` sheet's `Key`/`Value` rows into `root`; true when it gave the version.
fn model_sheet(grid: &Grid, root: &mut Vec<(Node, Node)>, d: &mut Diagnostics) -> bool {
    let mut version = false;
    for (&row, cells) in grid.rows.range(1..) {
        let name = cells.get(&0).map(|v| v.text().trim().to_string());
        let value = cells.get(&1);
        for &c in cells.keys().filter(|&&c| c > 1) {
            d.error(
                grid.pos(row, c),
                "the Model sheet has two columns, Key and Value; this cell is beyond them",
            );
        }
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            d.error(grid.pos(row, 1), "this value has no key in column Key");
            continue;
        };
        let at = grid.pos(row, 0);
        let vpos = grid.pos(row, 1);
        if name == "bulwark" {
            version = true;
            let v = value.map(Value::text).unwrap_or_default();
            root.insert(0, (key(&name, at), plain(v.trim(), vpos)));
        } else if name.starts_with("x-") {
            if let Some(v) = value.and_then(|v| extension(v, vpos, d)) {
                root.push((key(&name, at), v));
            }
        } else {
            d.error(
                at,
                format!("unknown key `{name}` in the Model sheet: it holds `bulwark` (the format version, 1) and keys of your own, whose names start with `x-`"),
            );
        }
    }
    version
}

/// What a heading stands for.
#[derive(Clone)]
enum Heading {
    Column(&'static super::layout::Column),
    /// `Impact after DURATION`, with the duration as written.
    Impact(String),
    /// `x-...`: a value of one's own.
    Extension(String),
}

/// One row of a sheet as a mapping's entries, with where it is.
struct ItemRow {
    /// The id as typed, to attach rows of other sheets to it (for a row of such a sheet,
    /// the id of the item it belongs to).
    id: Option<String>,
    /// Where a row of such a sheet names its item.
    by: Option<Pos>,
    entries: Vec<(Node, Node)>,
    pos: Pos,
}

impl ItemRow {
    fn into_node(self) -> Node {
        Node {
            kind: NodeKind::Map(self.entries),
            pos: self.pos,
        }
    }

    /// Adds `value` at `path` (one key, or a group's key and a key in it).
    fn put(&mut self, path: &[&str], at: Pos, value: Node) {
        match path {
            [k] => self.entries.push((key(k, at), value)),
            [group, k] => {
                let existing = self
                    .entries
                    .iter_mut()
                    .find(|(n, _)| n.key_text() == *group);
                match existing {
                    Some((
                        _,
                        Node {
                            kind: NodeKind::Map(inner),
                            ..
                        },
                    )) => inner.push((key(k, at), value)),
                    _ => self.entries.push((
                        key(group, at),
                        Node {
                            kind: NodeKind::Map(vec![(key(k, at), value)]),
                            pos: at,
                        },
                    )),
                }
            }
            _ => {}
        }
    }
}

/// The headings of row 1 of a sheet, by column.
fn headings(spec: &Sheet, grid: &Grid, d: &mut Diagnostics) -> BTreeMap<u32, Heading> {
    let mut out = BTreeMap::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    let Some(row) = grid.rows.get(&0) else {
        return out;
    };
    for (&c, value) in row {
        let text = value.text().trim().to_string();
        let wanted = normal(&text);
        let heading = if let Some(column) = spec.columns.iter().find(|k| normal(k.label) == wanted)
        {
            Heading::Column(column)
        } else if spec.rows == Rows::Items(List::Services)
            && let Some(rest) = wanted.strip_prefix(&normal(IMPACT_PREFIX))
        {
            Heading::Impact(rest.trim().to_string())
        } else if text.starts_with("x-") {
            Heading::Extension(text.clone())
        } else {
            let msg = format!(
                "Bulwark does not read a column called `{text}` in sheet {}",
                grid.name
            );
            let msg = d.hint(msg, &text, spec.columns.iter().map(|k| k.label));
            d.error(
                grid.pos(0, c),
                format!("{msg} (columns of your own must have headings starting with `x-`)"),
            );
            continue;
        };
        if let Some(first) = seen.insert(wanted, c) {
            d.error(
                grid.pos(0, c),
                format!(
                    "the heading `{text}` is also in column {}; each column may appear once",
                    super::layout::column_letters(first + 1)
                ),
            );
            continue;
        }
        out.insert(c, heading);
    }
    out
}

/// Every row of a sheet below its headings that holds something.
fn sheet_rows(spec: &Sheet, grid: &Grid, d: &mut Diagnostics) -> Vec<ItemRow> {
    let heads = headings(spec, grid, d);
    let id_column = heads
        .iter()
        .find(|(_, h)| matches!(h, Heading::Column(c) if c.path == ["id"]))
        .map(|(c, _)| *c);
    let mut out = Vec::new();
    for (&row, cells) in grid.rows.range(1..) {
        let first = cells.keys().next().copied().unwrap_or(0);
        let mut item = ItemRow {
            id: None,
            by: None,
            entries: Vec::new(),
            pos: grid.pos(row, id_column.unwrap_or(first)),
        };
        let mut impacts: Vec<(Node, Node)> = Vec::new();
        let mut specials: Vec<(&'static str, Pos, Value)> = Vec::new();
        for (&c, value) in cells {
            let at = grid.pos(row, c);
            let Some(heading) = heads.get(&c) else {
                if !grid.rows.get(&0).is_some_and(|h| h.contains_key(&c)) {
                    d.error(
                        at,
                        "this cell has no heading in row 1, so Bulwark cannot tell what it is; add the heading or clear the cell",
                    );
                }
                continue;
            };
            if let Value::Error(e) = value {
                d.error(
                    at,
                    format!("the cell shows the spreadsheet error {e}; type the value instead"),
                );
                continue;
            }
            match heading {
                Heading::Column(column) if column.path.is_empty() => {
                    specials.push((column.label, at, value.clone()));
                }
                Heading::Column(column) => {
                    if column.path == ["id"] {
                        item.id = Some(value.text().trim().to_string());
                    }
                    if let Some(node) = cell_node(column.kind, value, at, d) {
                        item.put(column.path, at, node);
                    }
                }
                Heading::Impact(after) => {
                    if let Some(node) = cell_node(Kind::Value, value, at, d) {
                        let header = grid.pos(0, c);
                        impacts.push((plain(after, header), node));
                    }
                }
                Heading::Extension(name) => {
                    if let Some(node) = extension(value, at, d) {
                        item.entries.push((key(name, at), node));
                    }
                }
            }
        }
        if let Some((first, _)) = impacts.first() {
            let pos = first.pos;
            item.entries.push((
                key("impacts", pos),
                Node {
                    kind: NodeKind::Map(impacts),
                    pos,
                },
            ));
        }
        event(&mut item, &specials, d);
        // The column naming the parent travels as the row's id.
        if let Some((_, at, v)) = specials
            .iter()
            .find(|(label, ..)| *label != EVENT && *label != EVENT_ITEM)
        {
            item.id = Some(v.text().trim().to_string());
            item.by = Some(*at);
        }
        if item.entries.is_empty() && item.id.is_none() && specials.is_empty() {
            continue;
        }
        out.push(item);
    }
    out
}

/// Puts an event's kind and what it happens to first in its row's mapping.
fn event(item: &mut ItemRow, specials: &[(&'static str, Pos, Value)], d: &mut Diagnostics) {
    let find = |label: &str| specials.iter().find(|(l, ..)| *l == label);
    let Some((_, at, kind)) = find(EVENT) else {
        return;
    };
    let word = kind.text().trim().to_lowercase();
    if !EVENT_KINDS.contains(&word.as_str()) {
        let msg = format!(
            "`{}` is not a kind of event: write outage, degrade, absence, demand or resupply",
            kind.text().trim()
        );
        let msg = d.hint(msg, &word, EVENT_KINDS);
        d.error(*at, msg);
        return;
    }
    let target = match find(EVENT_ITEM) {
        Some((_, ipos, v)) => key(v.text().trim(), *ipos),
        None => {
            d.error(
                *at,
                format!(
                    "an `{word}` event needs what it happens to: an id (or `all`) in column Item"
                ),
            );
            return;
        }
    };
    item.entries.insert(0, (key(&word, *at), target));
}

/// Puts the rows of a sheet of children (workarounds, events) into their items' lists.
fn attach(
    rows: Vec<ItemRow>,
    parent: List,
    by: &str,
    list_key: &'static str,
    items: &mut BTreeMap<usize, Vec<ItemRow>>,
    d: &mut Diagnostics,
) {
    let parent_index = SHEETS.iter().position(|s| s.rows == Rows::Items(parent));
    let parent_name = parent_index.map_or("", |i| SHEETS[i].name);
    let what = match list_key {
        "workarounds" => "workaround",
        _ => "event",
    };
    for row in rows {
        let at = row.by.unwrap_or(row.pos);
        let Some(id) = row.id.clone().filter(|i| !i.is_empty()) else {
            d.error(
                at,
                format!(
                    "this {what} does not say which item it belongs to: put its id in column {by}"
                ),
            );
            continue;
        };
        let found = parent_index
            .and_then(|i| items.get_mut(&i))
            .and_then(|list| {
                list.iter_mut()
                    .find(|r| r.id.as_deref() == Some(id.as_str()))
            });
        let Some(owner) = found else {
            d.error(
                at,
                format!(
                    "there is no `{id}` in sheet {parent_name}; each {what} belongs to the item named in its {by} column"
                ),
            );
            continue;
        };
        let node = row.into_node();
        match owner
            .entries
            .iter_mut()
            .find(|(k, _)| k.key_text() == list_key)
        {
            Some((
                _,
                Node {
                    kind: NodeKind::Seq(list),
                    ..
                },
            )) => list.push(node),
            _ => {
                let pos = node.pos;
                owner
                    .entries
                    .push((key(list_key, pos), seq(vec![node], pos)));
            }
        }
    }
}

/// Splits a cell into its parts: by lines, and by commas too when `commas`.
fn parts(text: &str, commas: bool) -> impl Iterator<Item = &str> {
    text.split(move |c| c == '\n' || (commas && c == ','))
        .map(|p| p.trim_end_matches('\r'))
        .filter(|p| !p.trim().is_empty())
}

/// The node a cell of `kind` gives, or `None` (with a problem recorded when it is wrong).
fn cell_node(kind: Kind, value: &Value, at: Pos, d: &mut Diagnostics) -> Option<Node> {
    if let Value::Date(y, m, day, time) = value {
        return match kind {
            Kind::Date if !time => Some(plain(&format!("{y:04}-{m:02}-{day:02}"), at)),
            Kind::MonthDay if !time => Some(plain(&format!("{m:02}-{day:02}"), at)),
            Kind::Text => Some(key(&value.text(), at)),
            _ => {
                d.error(
                    at,
                    "the spreadsheet made this cell a date or time; type the value as text, like `4h` or `60%` (or format the cell as text first)",
                );
                None
            }
        };
    }
    let text = value.text();
    Some(match kind {
        Kind::Text => key(&text, at),
        Kind::Value | Kind::Duration | Kind::Date | Kind::MonthDay => plain(text.trim(), at),
        Kind::Surge => match value {
            Value::Number(v) => plain(&format!("{}%", (v * 100.0 * 1e6).round() / 1e6), at),
            _ => plain(text.trim(), at),
        },
        Kind::Texts => seq(parts(&text, false).map(|p| key(p, at)).collect(), at),
        Kind::Ids => seq(parts(&text, true).map(|p| key(p.trim(), at)).collect(), at),
        Kind::Needs => match parse_needs(&text) {
            Ok(v) => from_json(&v, at),
            Err(e) => {
                d.error(at, e);
                return None;
            }
        },
        Kind::Staff => {
            let mut out = Vec::new();
            for p in parts(&text, true) {
                match p.split_once(':') {
                    Some((skill, fte)) => out.push(Node {
                        kind: NodeKind::Map(vec![
                            (key("skill", at), key(skill.trim(), at)),
                            (key("fte", at), plain(fte.trim(), at)),
                        ]),
                        pos: at,
                    }),
                    None => d.error(
                        at,
                        format!(
                            "`{}` should be `skill: FTE`, like `care-worker: 12`",
                            p.trim()
                        ),
                    ),
                }
            }
            seq(out, at)
        }
        Kind::Profile => {
            let mut out = Vec::new();
            for p in parts(&text, true) {
                match p.split_once(':') {
                    Some((t, share)) => {
                        out.push(seq(vec![plain(t.trim(), at), plain(share.trim(), at)], at))
                    }
                    None => d.error(
                        at,
                        format!(
                            "`{}` should be a time and the share of staff absent, like `14d: 15%`",
                            p.trim()
                        ),
                    ),
                }
            }
            seq(out, at)
        }
    })
}
