//! Loads a model from its root file, following `include`s, and checks it.

use crate::block;
use crate::diag::{Diagnostic, Diagnostics, Located, Pos, Sources};
use crate::node::{self, Node, Segment, Syntax};
use crate::read::{List, is_model_file, read_file_with, read_item};
use crate::types::Model;
use crate::validate::validate;
use std::collections::{HashMap, HashSet};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// Where model files come from: the file system, or memory in tests and fuzzing.
pub trait SourceReader {
    /// Returns the text of the file at `path`.
    fn read(&self, path: &Path) -> io::Result<String>;
}

/// The largest model file read from disk, in bytes (64 MiB).
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Reads model files from disk: regular files of at most [`MAX_FILE_BYTES`]. Devices, pipes
/// and folders are refused before they are opened, so that reading never blocks or runs on.
pub struct FileSystem;

impl SourceReader for FileSystem {
    fn read(&self, path: &Path) -> io::Result<String> {
        String::from_utf8(read_bytes(path)?)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`] from disk.
fn read_bytes(path: &Path) -> io::Result<Vec<u8>> {
    check_regular_file(&std::fs::metadata(path)?)?;
    let file = std::fs::File::open(path)?;
    // Checked again on the file opened, in case the path changed in between.
    check_regular_file(&file.metadata()?)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

fn check_regular_file(meta: &std::fs::Metadata) -> io::Result<()> {
    let refuse = |why: &str| Err(io::Error::new(io::ErrorKind::InvalidInput, why));
    if meta.is_dir() {
        refuse("it is a folder, not a file")
    } else if !meta.is_file() {
        refuse("it is not a regular file (it is a device, a pipe or a socket)")
    } else if meta.len() > MAX_FILE_BYTES {
        Err(too_large())
    } else {
        Ok(())
    }
}

fn too_large() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "it is larger than {} MiB, the most a model file may be",
            MAX_FILE_BYTES >> 20
        ),
    )
}

/// Model files held in memory, by path.
#[derive(Default)]
pub struct InMemory(pub HashMap<PathBuf, String>);

impl SourceReader for InMemory {
    fn read(&self, path: &Path) -> io::Result<String> {
        self.0
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }
}

/// A model as loaded: the merged model (usable only when valid), its files and its problems.
#[derive(Debug)]
pub struct Loaded {
    /// The model, merged over every included file.
    pub model: Model,
    /// The files read, for printing positions.
    pub sources: Sources,
    /// Every problem found, sorted by place.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// True when no problem is an error.
    pub fn is_valid(&self) -> bool {
        self.diagnostics
            .iter()
            .all(|d| d.severity == crate::diag::Severity::Warning)
    }

    /// The problems as `FILE:LINE:COLUMN: message` lines.
    pub fn problems(&self) -> impl Iterator<Item = Located<'_>> {
        self.diagnostics.iter().map(|d| Located {
            diagnostic: d,
            sources: &self.sources,
        })
    }
}

/// Loads the model whose root file is `path` from disk: a workbook when its name ends in
/// `.xlsx`, else YAML or JSON.
pub fn load(path: &Path) -> Loaded {
    if !crate::workbook::is_workbook(path) {
        return load_with(&FileSystem, path);
    }
    match read_bytes(path) {
        Ok(bytes) => load_workbook(path, &bytes),
        Err(e) => {
            let mut sources = Sources::default();
            let mut diags = Diagnostics::default();
            let file = sources.add(path.to_path_buf());
            diags.error(
                Pos {
                    file,
                    line: 1,
                    column: 1,
                },
                format!("cannot read the model: {}", read_failure(&e)),
            );
            Loaded {
                model: Model::default(),
                sources,
                diagnostics: diags.sorted(),
            }
        }
    }
}

/// Loads a model from a workbook's bytes, as if it were the file `path`.
pub fn load_workbook(path: &Path, bytes: &[u8]) -> Loaded {
    let mut sources = Sources::default();
    let mut diags = Diagnostics::default();
    let mut model = Model::default();
    if let Some(root) = crate::workbook::read(path, bytes, &mut sources, &mut diags) {
        let part = read_file_with(&root, Model::default(), &mut diags);
        check_version(&part.version, true, root.pos, &mut diags);
        model = part.model;
    }
    validate(&model, &sources, &mut diags);
    Loaded {
        model,
        sources,
        diagnostics: diags.sorted(),
    }
}

/// Why a file could not be read, in words.
fn read_failure(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::InvalidData => "it is not UTF-8 text".to_string(),
        _ => e.to_string(),
    }
}

/// Checks a file's format version; only the root file must give one.
fn check_version(version: &Option<(String, Pos)>, root: bool, at: Pos, diags: &mut Diagnostics) {
    match version {
        None if root => diags.error(
            at,
            "the model does not say its format version: add `bulwark: 1` at the top",
        ),
        Some((v, pos)) if v != "1" => diags.error(
            *pos,
            format!("format version `{v}` is not supported: this Bulwark reads `bulwark: 1`"),
        ),
        _ => {}
    }
}

/// Loads a model from a single text, as if it were the file `name` (includes cannot be followed).
pub fn load_str(name: &str, text: &str) -> Loaded {
    let mut files = InMemory::default();
    files.0.insert(PathBuf::from(name), text.to_string());
    load_with(&files, Path::new(name))
}

/// Loads the model whose root file is `path` through `reader`.
pub fn load_with(reader: &dyn SourceReader, path: &Path) -> Loaded {
    let mut loader = Loader {
        reader,
        sources: Sources::default(),
        diags: Diagnostics::default(),
        model: Model::default(),
        chain: Vec::new(),
        done: HashSet::new(),
        extension_keys: HashSet::new(),
    };
    let root = normalise(path);
    loader.file(&root, None);
    validate(&loader.model, &loader.sources, &mut loader.diags);
    Loaded {
        model: loader.model,
        sources: loader.sources,
        diagnostics: loader.diags.sorted(),
    }
}

struct Loader<'r> {
    reader: &'r dyn SourceReader,
    sources: Sources,
    diags: Diagnostics,
    model: Model,
    chain: Vec<PathBuf>,
    done: HashSet<PathBuf>,
    /// The top-level `x-` keys merged so far, to find one set in two files.
    extension_keys: HashSet<String>,
}

impl Loader<'_> {
    /// Reads one file and, depth first, the files it includes. `from` is the include entry.
    fn file(&mut self, path: &Path, from: Option<Pos>) {
        let text = match self.reader.read(path) {
            Ok(t) => t,
            Err(e) => {
                let reason = read_failure(&e);
                match from {
                    Some(pos) => self.diags.error(
                        pos,
                        format!("cannot read included file `{}`: {reason}", path.display()),
                    ),
                    None => {
                        let file = self.sources.add(path.to_path_buf());
                        self.diags.error(
                            Pos {
                                file,
                                line: 1,
                                column: 1,
                            },
                            format!("cannot read the model: {reason}"),
                        );
                    }
                }
                return;
            }
        };
        let file = self.sources.add(path.to_path_buf());
        let syntax = match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Syntax::Json,
            _ => Syntax::Yaml,
        };
        let Some(Parsed {
            root,
            items,
            item_diags,
        }) = parse_file(&text, syntax, file, &mut self.diags, Split::by_size(&text))
        else {
            return;
        };
        // An included file may be anything the model names, even a private one: unless it
        // looks like a model, say so without reading (and so quoting) any of it.
        if let Some(pos) = from
            && !is_model_file(&root)
        {
            self.diags.error(
                pos,
                format!(
                    "`{}` is not a Bulwark model file: a model file is a mapping with keys such as `services` and `assets` (its content is not shown, in case it is private)",
                    path.display()
                ),
            );
            return;
        }
        self.diags.join(item_diags);
        let part = read_file_with(&root, items, &mut self.diags);
        check_version(&part.version, from.is_none(), root.pos, &mut self.diags);
        self.merge(part.model);
        self.chain.push(path.to_path_buf());
        self.done.insert(path.to_path_buf());
        let base = path.parent().unwrap_or(Path::new(""));
        for (include, pos) in part.includes {
            let target = normalise(&base.join(&include));
            if let Some(start) = self.chain.iter().position(|p| *p == target) {
                let cycle: Vec<String> = self.chain[start..]
                    .iter()
                    .chain(std::iter::once(&target))
                    .map(|p| p.display().to_string())
                    .collect();
                self.diags
                    .error(pos, format!("include cycle: {}", cycle.join(" includes ")));
            } else if !self.done.contains(&target) {
                self.file(&target, Some(pos));
            }
        }
        self.chain.pop();
    }

    fn merge(&mut self, part: Model) {
        let m = &mut self.model;
        m.organisations.extend(part.organisations);
        m.services.extend(part.services);
        m.assets.extend(part.assets);
        m.skills.extend(part.skills);
        m.risks.extend(part.risks);
        m.scenarios.extend(part.scenarios);
        for (key, value) in part.extensions {
            if !self.extension_keys.insert(key.clone()) {
                let pos = Pos {
                    file: self.sources.files().len() as u32 - 1,
                    line: 1,
                    column: 1,
                };
                self.diags.error(
                    pos,
                    format!("the top-level key `{key}` is set in more than one file"),
                );
            } else {
                m.extensions.push((key, value));
            }
        }
    }
}

/// How a file is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
    /// In one pass of the general YAML parser.
    No,
    /// Its top-level lists' items apart from the rest, through [`block::parse_items`].
    Items,
    /// The same, with the items in two halves on two threads.
    TwoThreads,
}

impl Split {
    /// Files from this size have their items read apart (when they are block YAML)...
    const ITEMS_FROM: usize = 64 << 10;
    /// ...and from this size on two threads.
    const THREADS_FROM: usize = 4 << 20;

    fn by_size(text: &str) -> Split {
        match text.len() {
            n if n >= Self::THREADS_FROM => Split::TwoThreads,
            n if n >= Self::ITEMS_FROM => Split::Items,
            _ => Split::No,
        }
    }
}

/// One file parsed: its tree without its lists' items, the items read as each was parsed
/// (so the tree of a large file is never held whole), and their problems, which count only
/// because the whole file parsed.
struct Parsed {
    root: Node,
    items: Model,
    item_diags: Diagnostics,
}

fn reader<'a>(items: &'a mut Model, d: &'a mut Diagnostics) -> impl FnMut(&str, Node) + 'a {
    move |key: &str, node: Node| {
        if let Some(item) = List::from_key(key).and_then(|list| read_item(list, &node, d)) {
            item.add_to(items);
        }
    }
}

/// Parses one file: when `split` says so and the file is plain block YAML, its top-level
/// lists' items apart from the rest (in two halves on two threads for [`Split::TwoThreads`]),
/// else in one pass. Every way gives the same tree, items and problems; a file that is not
/// plain (anchors, tags, errors) is always parsed in one pass, which says exactly what is
/// wrong.
fn parse_file(
    text: &str,
    syntax: Syntax,
    file: u32,
    diags: &mut Diagnostics,
    split: Split,
) -> Option<Parsed> {
    if split != Split::No
        && syntax == Syntax::Yaml
        && let Some(parsed) = parse_split(text, file, diags, split == Split::TwoThreads)
    {
        return Some(parsed);
    }
    let mut items = Model::default();
    let mut item_diags = diags.aside();
    let root = node::parse_with(
        text,
        syntax,
        file,
        diags,
        Some(&mut reader(&mut items, &mut item_diags)),
    )?;
    Some(Parsed {
        root,
        items,
        item_diags,
    })
}

fn parse_split(text: &str, file: u32, diags: &Diagnostics, threads: bool) -> Option<Parsed> {
    let (skeleton, halves) = split(text)?;
    let mut items = Model::default();
    let mut item_diags = diags.aside();
    let mut scratch = Diagnostics::default();
    let (root, (mut nodes, mut bytes)) = node::parse_sized(
        &skeleton,
        Syntax::Yaml,
        file,
        &mut scratch,
        Some(&mut reader(&mut items, &mut item_diags)),
    )?;
    let work = |segments: &[Segment<'_>]| {
        let mut items = Model::default();
        let mut d = diags.aside();
        let mut size = (0, 0);
        for segment in segments {
            let (n, b) = block::parse_items(segment, file, &mut reader(&mut items, &mut d))?;
            size = (size.0 + n, size.1 + b);
        }
        Some((items, d, size))
    };
    let (first, second) = if threads {
        std::thread::scope(|scope| {
            let second = scope.spawn(|| work(&halves[1]));
            let first = work(&halves[0]);
            match second.join() {
                Ok(second) => (first, second),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    } else {
        (work(&halves[0]), work(&halves[1]))
    };
    let mut merged = Model::default();
    for (part, d, (n, b)) in [first?, second?] {
        (nodes, bytes) = (nodes + n, bytes + b);
        extend(&mut merged, part);
        item_diags.append(d);
    }
    if !node::within_limits(nodes, bytes) {
        return None;
    }
    extend(&mut merged, items);
    Some(Parsed {
        root,
        items: merged,
        item_diags,
    })
}

fn extend(into: &mut Model, from: Model) {
    into.organisations.extend(from.organisations);
    into.skills.extend(from.skills);
    into.services.extend(from.services);
    into.assets.extend(from.assets);
    into.risks.extend(from.risks);
    into.scenarios.extend(from.scenarios);
}

/// A top-level list of a file: where its items start, and where it ends.
struct Region {
    key: &'static str,
    /// Byte offset and line of each item's first line.
    items: Vec<(usize, u32)>,
    end: usize,
}

/// Splits plain block YAML into the file without its top-level lists' items (blank lines in
/// their place, so every other line keeps its number) and the items in two halves of about
/// the same size. `None` when the file does not look plain enough to split safely; a split
/// that is wrong anyway fails to parse, and the file is then parsed in one pass.
fn split(text: &str) -> Option<(String, [Vec<Segment<'_>>; 2])> {
    if text.contains('\r') || text.starts_with('\u{feff}') {
        return None;
    }
    let mut regions: Vec<Region> = Vec::new();
    let mut open: Option<(Region, Option<usize>)> = None;
    let (mut offset, mut line) = (0usize, 0u32);
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        line += 1;
        let l = raw.trim_end_matches('\n');
        if l.starts_with("---") || l.starts_with("...") || l.starts_with('%') {
            return None;
        }
        let trimmed = l.trim_start_matches(' ');
        if trimmed.starts_with('\t') {
            return None;
        }
        let blank = trimmed.is_empty() || trimmed.starts_with('#');
        let spaces = l.len() - trimmed.len();
        if !blank && spaces == 0 && !trimmed.starts_with('-') {
            // A top-level key: it ends the list before, and may start one.
            if let Some((mut region, _)) = open.take() {
                region.end = start;
                regions.push(region);
            }
            open = list_key(l).map(|key| {
                let region = Region {
                    key,
                    items: Vec::new(),
                    end: 0,
                };
                (region, None)
            });
            continue;
        }
        let Some((region, indent)) = &mut open else {
            continue;
        };
        if blank {
            continue;
        }
        let item = trimmed
            .strip_prefix('-')
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '));
        let at = match *indent {
            None if item => *indent.insert(spaces),
            None => return None,
            Some(at) if spaces < at => return None,
            Some(at) => at,
        };
        if item && spaces == at {
            region.items.push((start, line));
        }
    }
    if let Some((mut region, _)) = open.take() {
        region.end = text.len();
        regions.push(region);
    }
    regions.retain(|r| !r.items.is_empty());
    if regions.is_empty() {
        return None;
    }
    // The skeleton: the items' lines blanked.
    let mut skeleton = String::with_capacity(text.len() / 8);
    let mut from = 0;
    for r in &regions {
        let first = r.items[0].0;
        skeleton.push_str(text.get(from..first)?);
        let lines = text.get(first..r.end)?.matches('\n').count();
        skeleton.extend(std::iter::repeat_n('\n', lines));
        from = r.end;
    }
    skeleton.push_str(text.get(from..)?);
    // The halves: cut at the item where half the items' bytes are behind.
    let total: usize = regions.iter().map(|r| r.end - r.items[0].0).sum();
    let mut seen = 0;
    let mut halves: [Vec<Segment<'_>>; 2] = [Vec::new(), Vec::new()];
    for r in &regions {
        let mut cut = None;
        for (i, (at, _)) in r.items.iter().enumerate() {
            if cut.is_none() && i > 0 && seen + (at - r.items[0].0) >= total / 2 {
                cut = Some(i);
            }
        }
        let size = r.end - r.items[0].0;
        let segment = |from: usize, to: usize| -> Option<Segment<'_>> {
            Some(Segment {
                key: r.key,
                text: text.get(r.items[from].0..to)?,
                first_line: r.items[from].1,
            })
        };
        let half = usize::from(seen >= total / 2);
        match cut {
            Some(i) if seen < total / 2 => {
                halves[0].push(segment(0, r.items[i].0)?);
                halves[1].push(segment(i, r.end)?);
            }
            _ => halves[half].push(segment(0, r.end)?),
        }
        seen += size;
    }
    Some((skeleton, halves))
}

/// The list named by a line `key:` (with nothing after it but a comment).
fn list_key(line: &str) -> Option<&'static str> {
    let (key, rest) = line.split_once(':')?;
    let rest = rest.trim_start_matches(' ');
    (rest.is_empty() || rest.starts_with('#')).then_some(())?;
    List::from_key(key).map(List::key)
}

/// Resolves `.` and `..` without touching the file system, so one file has one name. A `..`
/// that climbs above a relative path is kept (`../b/../../x` is `../../x`); above the root
/// it stays at the root.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                Some(Component::ParentDir | Component::CurDir) | None => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{Format, write};
    use crate::generate::{Shape, generate};
    use proptest::prelude::*;

    /// What reading a file gives, printed: every item with its positions, the includes and
    /// version, and every problem. (The trees differ: a split file's lists are left empty
    /// rather than emptied.)
    fn parsed(text: &str, split: Split) -> String {
        let mut d = Diagnostics::default();
        if let Some(p) = parse_file(text, Syntax::Yaml, 0, &mut d, split) {
            d.join(p.item_diags);
            let part = read_file_with(&p.root, p.items, &mut d);
            return format!("{part:?}\n{:?}", d.sorted());
        }
        format!("{:?}", d.sorted())
    }

    /// Asserts that every way of parsing `text` gives what one pass gives.
    fn same_every_way(text: &str) {
        let one_pass = parsed(text, Split::No);
        assert_eq!(parsed(text, Split::Items), one_pass, "{text}");
        assert_eq!(parsed(text, Split::TwoThreads), one_pass, "{text}");
    }

    fn generated(services: usize) -> String {
        write(&generate(Shape { services, seed: 3 }), Format::Yaml)
    }

    #[test]
    fn a_file_split_or_parsed_on_two_threads_gives_what_one_pass_gives() {
        let text = generated(300);
        let none = Diagnostics::default();
        assert!(
            parse_split(&text, 0, &none, true).is_some(),
            "plain block YAML is split"
        );
        same_every_way(&text);
        // Indented lists with comments, a flow list and `x-` keys between them.
        let text = "bulwark: 1\n# c\nservices:\n  # first\n  - id: a\n    name: A\n    needs: [b]\n\n  - id: b2\n    name: B\n    description: |\n      two\n      lines\n  - {id: c, name: C}\nx-k: 1\nassets: [{id: b, name: B, kind: site}]\nskills:\n- id: s\n  name: S\n  headcount: 2\n";
        assert!(parse_split(text, 0, &none, false).is_some());
        same_every_way(text);
        // Not plain: anchors, a document marker, tabs, syntax errors all go in one pass.
        for text in [
            "bulwark: 1\nservices:\n- &s {id: a, name: A}\n- *s\n",
            "---\nbulwark: 1\nservices:\n- {id: a, name: A}\n",
            "bulwark: 1\nservices:\n- {id: a, name: A\n- {id: b, name: B}\n",
            "bulwark: 1\nservices:\n  - {id: a, name: A}\n - {id: b, name: B}\n",
            "bulwark: 1\nservices:\n- id: a\n  name: \"A\n- b\"\n",
        ] {
            same_every_way(text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever is cut or inserted, the two ways give the same.
        #[test]
        fn two_threads_agree_with_one_pass_on_mutated_files(
            cut in 0usize..6000,
            insert in "[\\[\\]{}:,\\- a-z0-9%\n&*!|>\"#']{0,8}",
        ) {
            let text = generated(40);
            // Generated models are ASCII, so any byte is a place to cut.
            let (before, after) = text.split_at(cut % text.len());
            let mutated = format!("{before}{insert}{after}");
            let one_pass = parsed(&mutated, Split::No);
            prop_assert_eq!(parsed(&mutated, Split::Items), one_pass.clone());
            prop_assert_eq!(parsed(&mutated, Split::TwoThreads), one_pass);
        }
    }

    #[test]
    fn paths_are_normalised_without_losing_leading_parents() {
        for (path, normal) in [
            ("a/./b/../c.yaml", "a/c.yaml"),
            ("../b/../../x.yaml", "../../x.yaml"),
            ("../../x.yaml", "../../x.yaml"),
            ("a/../../x.yaml", "../x.yaml"),
            ("/../x.yaml", "/x.yaml"),
            ("/m/parts/../x.yaml", "/m/x.yaml"),
        ] {
            assert_eq!(normalise(Path::new(path)), Path::new(normal), "{path}");
        }
    }
}
