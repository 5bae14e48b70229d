//! Loads a model from its root file, following `include`s, and checks it.

use crate::diag::{Diagnostic, Diagnostics, Located, Pos, Sources};
use crate::node::{self, Node, Syntax};
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
        check_regular_file(&std::fs::metadata(path)?)?;
        let file = std::fs::File::open(path)?;
        // Checked again on the file opened, in case the path changed in between.
        check_regular_file(&file.metadata()?)?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large());
        }
        String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
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

/// Loads the model whose root file is `path` from disk.
pub fn load(path: &Path) -> Loaded {
    load_with(&FileSystem, path)
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
                let reason = match e.kind() {
                    io::ErrorKind::NotFound => "no such file".to_string(),
                    io::ErrorKind::InvalidData => "it is not UTF-8 text".to_string(),
                    _ => e.to_string(),
                };
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
        // Items are read as soon as each is parsed, so the tree of a large file is never
        // held whole; their problems count only if the whole file parses.
        let mut items = Model::default();
        let mut item_diags = self.diags.aside();
        let mut read = |key: &str, node: Node| {
            if let Some(item) =
                List::from_key(key).and_then(|list| read_item(list, &node, &mut item_diags))
            {
                item.add_to(&mut items);
            }
        };
        let root = node::parse_with(&text, syntax, file, &mut self.diags, Some(&mut read));
        let Some(root) = root else {
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
        match (&part.version, from) {
            (None, None) => self.diags.error(
                root.pos,
                "the model does not say its format version: add `bulwark: 1` at the top",
            ),
            (Some((v, pos)), _) if v != "1" => self.diags.error(
                *pos,
                format!("format version `{v}` is not supported: this Bulwark reads `bulwark: 1`"),
            ),
            _ => {}
        }
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
