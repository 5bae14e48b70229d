//! A YAML (or JSON) document as a tree of nodes that remember where they were written.
//!
//! Built from `saphyr-parser` events so that every value, not only syntax errors, carries a
//! position. JSON files are read by the same parser (JSON is YAML's flow syntax) after
//! `serde_json` has checked they are strict JSON.

use crate::diag::{Diagnostics, Pos};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

/// Deepest nesting accepted; deeper documents are refused rather than risking the stack.
pub const MAX_DEPTH: usize = 128;
/// Most nodes a document may expand to (aliases included), against "billion laughs" files.
pub const MAX_NODES: usize = 5_000_000;
/// Most bytes of text a document may expand to (aliases included), so that a small file of
/// nested aliases of long strings cannot grow into gigabytes.
pub const MAX_EXPANDED_BYTES: usize = 64 << 20;

/// One value of the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the value is.
    pub kind: NodeKind,
    /// Where it starts.
    pub pos: Pos,
}

/// The shapes a value can take.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar as written; `plain` is false for quoted and block scalars (always strings).
    Scalar {
        /// The text of the scalar, after unescaping.
        text: String,
        /// True for an unquoted scalar, which may be a number, boolean or null.
        plain: bool,
    },
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in the order written.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// True for an unquoted `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { text, plain: true }
            if text.is_empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")
    }

    /// A short name for the node's shape, for error messages.
    pub fn shape(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar { .. } if self.is_null() => "nothing",
            NodeKind::Scalar { .. } => "a single value",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    /// Converts the node to JSON, resolving plain scalars by the YAML core schema.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Scalar { text, plain } => {
                if !plain {
                    return Value::String(text.clone());
                }
                if self.is_null() {
                    return Value::Null;
                }
                match text.as_str() {
                    "true" | "True" | "TRUE" => return Value::Bool(true),
                    "false" | "False" | "FALSE" => return Value::Bool(false),
                    _ => {}
                }
                if let Ok(i) = text.parse::<i64>() {
                    return Value::from(i);
                }
                if let Some(n) = text
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .and_then(serde_json::Number::from_f64)
                {
                    return Value::Number(n);
                }
                Value::String(text.clone())
            }
            NodeKind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.key_text().to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// The text of a scalar used as a mapping key (empty for non-scalars).
    pub fn key_text(&self) -> &str {
        match &self.kind {
            NodeKind::Scalar { text, .. } => text,
            _ => "",
        }
    }
}

/// The tree of a JSON value, with the positions its values would have in the value written
/// out by `serde_json::to_string_pretty` as file `file` (each entry on its own line, indented
/// by two spaces). Reading a stored item this way gives the same items and problems as reading
/// that text, without writing and parsing it.
pub fn from_json(value: &serde_json::Value, file: u32) -> Node {
    let mut line = 1;
    json_node(value, file, &mut line, 1, 0)
}

fn json_node(
    value: &serde_json::Value,
    file: u32,
    line: &mut u32,
    column: u32,
    depth: u32,
) -> Node {
    use serde_json::Value;
    let pos = Pos {
        file,
        line: *line,
        column,
    };
    let scalar = |text: String, plain: bool| NodeKind::Scalar { text, plain };
    let indent = (depth + 1) * 2;
    let kind = match value {
        Value::Null => scalar("null".into(), true),
        Value::Bool(b) => scalar(b.to_string(), true),
        Value::Number(n) => scalar(n.to_string(), true),
        Value::String(s) => scalar(s.clone(), false),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                *line += 1;
                out.push(json_node(item, file, line, indent + 1, depth + 1));
            }
            if !items.is_empty() {
                *line += 1;
            }
            NodeKind::Seq(out)
        }
        Value::Object(map) => {
            let mut out = Vec::with_capacity(map.len());
            for (key, item) in map {
                *line += 1;
                let key_node = Node {
                    kind: scalar(key.clone(), false),
                    pos: Pos {
                        file,
                        line: *line,
                        column: indent + 1,
                    },
                };
                // `"key": ` comes before the value.
                let at = indent + 1 + json_width(key) + 2;
                out.push((key_node, json_node(item, file, line, at, depth + 1)));
            }
            if !map.is_empty() {
                *line += 1;
            }
            NodeKind::Map(out)
        }
    };
    Node { kind, pos }
}

/// How many characters `text` takes as a JSON string, quotes included.
fn json_width(text: &str) -> u32 {
    let escaped: usize = text
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 => 6,
            _ => 1,
        })
        .sum();
    u32::try_from(escaped + 2).unwrap_or(u32::MAX)
}

/// The syntax a file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// YAML 1.2.
    Yaml,
    /// Strict JSON.
    Json,
}

/// Parses one document. Syntax errors are recorded in `diags` and give `None`.
pub fn parse(text: &str, syntax: Syntax, file: u32, diags: &mut Diagnostics) -> Option<Node> {
    parse_with(text, syntax, file, diags, None)
}

/// Where the items of a model file's lists go as soon as each is parsed, instead of into the
/// tree: called with the list's key (like `services`) and the item's tree. Reading a large
/// model this way never holds the tree of the whole document.
pub type ItemSink<'s> = &'s mut dyn FnMut(&str, Node);

/// Like [`parse`], but every item of a top-level list named by [`crate::read::List`] (a
/// list that is not itself anchored) goes to `items` as soon as it is complete and is left
/// out of the tree. The tree returned keeps everything else (the lists, emptied).
pub fn parse_with(
    text: &str,
    syntax: Syntax,
    file: u32,
    diags: &mut Diagnostics,
    items: Option<ItemSink<'_>>,
) -> Option<Node> {
    parse_sized(text, syntax, file, diags, items).map(|(node, _)| node)
}

/// Like [`parse_with`], also giving the values and bytes of text the document held (what
/// [`MAX_NODES`] and [`MAX_EXPANDED_BYTES`] bound).
pub(crate) fn parse_sized(
    text: &str,
    syntax: Syntax,
    file: u32,
    diags: &mut Diagnostics,
    items: Option<ItemSink<'_>>,
) -> Option<(Node, (usize, usize))> {
    if syntax == Syntax::Json
        && let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text)
    {
        let pos = Pos {
            file,
            line: u32::try_from(e.line()).unwrap_or(u32::MAX).max(1),
            column: u32::try_from(e.column()).unwrap_or(u32::MAX).max(1),
        };
        diags.error(pos, format!("this is not valid JSON: {}", json_reason(&e)));
        return None;
    }
    let mut builder = Builder {
        file,
        items,
        segment: None,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        documents: 0,
        size: Size::default(),
    };
    for event in Parser::new_from_str(text) {
        match event {
            Ok((event, span)) => {
                if let Err((pos, message)) = builder.on_event(event, span) {
                    diags.error(pos, message);
                    return None;
                }
            }
            Err(e) => {
                let m = e.marker();
                let pos = Pos {
                    file,
                    line: u32::try_from(m.line()).unwrap_or(u32::MAX).max(1),
                    column: u32::try_from(m.col() + 1).unwrap_or(u32::MAX),
                };
                diags.error(pos, format!("this is not valid YAML: {}", e.info()));
                return None;
            }
        }
    }
    let size = (builder.size.nodes, builder.size.bytes);
    let root = builder.root.unwrap_or(Node {
        kind: NodeKind::Scalar {
            text: String::new(),
            plain: true,
        },
        pos: Pos {
            file,
            line: 1,
            column: 1,
        },
    });
    Some((root, size))
}

/// Part of a YAML file: a run of items of one top-level list, from the start of a line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment<'t> {
    /// The list's key, like `services`.
    pub key: &'static str,
    /// The items' text.
    pub text: &'t str,
    /// The file's line on which `text` starts (from 1).
    pub first_line: u32,
}

/// Parses a segment of a file on its own, handing each item's tree to `sink` as [`parse_with`]
/// would, with the positions the items have in the file. Returns the values and bytes of
/// text it held, or `None` when the segment is anything but plain items: a syntax error,
/// anchors or aliases (which may reach outside it), tags; then the caller parses the whole
/// file in one pass, which says exactly what is wrong.
pub(crate) fn parse_segment(
    segment: &Segment<'_>,
    file: u32,
    sink: ItemSink<'_>,
) -> Option<(usize, usize)> {
    let mut builder = Builder {
        file,
        items: Some(sink),
        segment: Some((segment.key, segment.first_line.saturating_sub(1))),
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        documents: 0,
        size: Size::default(),
    };
    for event in Parser::new_from_str(segment.text) {
        let (event, span) = event.ok()?;
        builder.on_event(event, span).ok()?;
    }
    match builder.root?.kind {
        NodeKind::Seq(rest) if rest.is_empty() && builder.stack.is_empty() => {
            Some((builder.size.nodes, builder.size.bytes))
        }
        _ => None,
    }
}

/// True when a document of `nodes` values and `bytes` bytes of text is within the limits.
pub(crate) fn within_limits(nodes: usize, bytes: usize) -> bool {
    nodes <= MAX_NODES && bytes <= MAX_EXPANDED_BYTES
}

fn json_reason(e: &serde_json::Error) -> String {
    let full = e.to_string();
    match full.rsplit_once(" at line ") {
        Some((reason, _)) => reason.to_string(),
        None => full,
    }
}

/// A list or mapping still being read, with its anchor id (0 for none).
enum Open {
    Seq(Node, usize),
    Map {
        node: Node,
        /// A key read, waiting for its value.
        pending: Option<Node>,
        keys: KeyIndex,
        anchor: usize,
    },
}

/// Finds a mapping's duplicate keys: by scanning while it is small, by hash once it grows, so
/// that both many small mappings and one huge mapping are read quickly.
#[derive(Default)]
struct KeyIndex(Option<HashMap<String, u32>>);

impl KeyIndex {
    /// Mappings with fewer keys than this are scanned.
    const SCAN: usize = 16;

    /// The line of `key` if `entries` (the mapping so far) has it; otherwise notes `key`.
    fn earlier(&mut self, entries: &[(Node, Node)], key: &Node) -> Option<u32> {
        if self.0.is_none() && entries.len() >= Self::SCAN {
            let index = entries
                .iter()
                .map(|(k, _)| (k.key_text().to_string(), k.pos.line));
            self.0 = Some(index.collect());
        }
        let text = key.key_text();
        match &mut self.0 {
            None => entries
                .iter()
                .find(|(k, _)| k.key_text() == text)
                .map(|(k, _)| k.pos.line),
            Some(index) => match index.get(text) {
                Some(line) => Some(*line),
                None => {
                    index.insert(text.to_string(), key.pos.line);
                    None
                }
            },
        }
    }
}

struct Builder<'s> {
    file: u32,
    items: Option<ItemSink<'s>>,
    /// For a [`Segment`]: its list's key and the lines of the file before it.
    segment: Option<(&'static str, u32)>,
    stack: Vec<Open>,
    /// Anchored values by anchor id (the parser gives every definition its own id).
    anchors: HashMap<usize, (Node, Size)>,
    root: Option<Node>,
    documents: usize,
    /// What the document has expanded to so far, anchored copies included.
    size: Size,
}

/// How big a value is once expanded: its nodes and the bytes of its text.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    nodes: usize,
    bytes: usize,
}

impl Size {
    fn of(node: &Node) -> Size {
        match &node.kind {
            NodeKind::Scalar { text, .. } => Size {
                nodes: 1,
                bytes: text.len(),
            },
            NodeKind::Seq(items) => items.iter().map(Size::of).fold(Size::ONE, Size::add),
            NodeKind::Map(entries) => entries
                .iter()
                .flat_map(|(k, v)| [Size::of(k), Size::of(v)])
                .fold(Size::ONE, Size::add),
        }
    }

    /// One node without text: a list or a mapping.
    const ONE: Size = Size { nodes: 1, bytes: 0 };

    fn add(self, other: Size) -> Size {
        Size {
            nodes: self.nodes.saturating_add(other.nodes),
            bytes: self.bytes.saturating_add(other.bytes),
        }
    }

    /// Counts `more` of the document (at `pos`), refusing it past [`MAX_NODES`] or
    /// [`MAX_EXPANDED_BYTES`]. Aliases and anchors count the copies they make.
    fn grow(&mut self, pos: Pos, more: Size) -> Result<(), Fail> {
        *self = self.add(more);
        let why = "once aliases are expanded (each `*alias` repeats what its anchor names)";
        if self.nodes > MAX_NODES {
            return Err((
                pos,
                format!("the document grows to more than {MAX_NODES} values {why}"),
            ));
        }
        if self.bytes > MAX_EXPANDED_BYTES {
            let mib = MAX_EXPANDED_BYTES >> 20;
            return Err((
                pos,
                format!("the document grows to more than {mib} MiB of text {why}"),
            ));
        }
        Ok(())
    }
}

/// A problem that stops the parse. Messages never quote the text: the file may not be a
/// model at all (an included file is only known to be one once parsed), and may be private.
type Fail = (Pos, String);

const NO_TAGS: &str = "YAML tags (`!name`) are not used in Bulwark models";

impl Builder<'_> {
    fn pos(&self, span: Span) -> Pos {
        let before = self.segment.map_or(0, |(_, lines)| lines);
        Pos {
            file: self.file,
            line: u32::try_from(span.start.line())
                .unwrap_or(u32::MAX)
                .max(1)
                .saturating_add(before),
            column: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
        }
    }

    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<(), Fail> {
        let pos = self.pos(span);
        if self.segment.is_some() {
            // A segment holds plain items only: anything else is read in one pass.
            let plain = match &event {
                Event::Scalar(_, _, anchor, tag) => *anchor == 0 && tag.is_none(),
                Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                    *anchor == 0 && tag.is_none()
                }
                Event::Alias(_) => false,
                _ => true,
            };
            if !plain {
                return Err((pos, String::new()));
            }
        }
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err((pos, "a model file holds one YAML document; split the model with `include` instead of `---`".into()));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let mut plain = style == ScalarStyle::Plain;
                if let Some(tag) = tag {
                    if tag.suffix == "str"
                        && (tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!")
                    {
                        plain = false;
                    } else {
                        return Err((pos, NO_TAGS.into()));
                    }
                }
                self.size.grow(
                    pos,
                    Size {
                        nodes: 1,
                        bytes: text.len(),
                    },
                )?;
                let node = Node {
                    kind: NodeKind::Scalar {
                        text: text.into_owned(),
                        plain,
                    },
                    pos,
                };
                self.finish(node, anchor)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.no_tag(tag.is_some(), pos)?;
                self.open(pos)?;
                self.size.grow(pos, Size::ONE)?;
                self.stack.push(Open::Seq(
                    Node {
                        kind: NodeKind::Seq(Vec::new()),
                        pos,
                    },
                    anchor,
                ));
            }
            Event::MappingStart(anchor, tag) => {
                self.no_tag(tag.is_some(), pos)?;
                self.open(pos)?;
                self.size.grow(pos, Size::ONE)?;
                self.stack.push(Open::Map {
                    node: Node {
                        kind: NodeKind::Map(Vec::new()),
                        pos,
                    },
                    pending: None,
                    keys: KeyIndex::default(),
                    anchor,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Open::Seq(node, anchor))
                    | Some(Open::Map {
                        node,
                        pending: None,
                        anchor,
                        ..
                    }) => (node, anchor),
                    Some(Open::Map {
                        pending: Some(key), ..
                    }) => {
                        return Err((key.pos, "this key has no value".into()));
                    }
                    None => return Err((pos, "unbalanced end of a list or mapping".into())),
                };
                self.finish(node, anchor)?;
            }
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id) else {
                    return Err((
                        pos,
                        "this alias names an anchor that is not defined before it".into(),
                    ));
                };
                // Counted before it is copied, so that a copy too big is never made.
                self.size.grow(pos, *size)?;
                let copy = Node {
                    pos,
                    ..node.clone()
                };
                self.finish(copy, 0)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn no_tag(&self, tagged: bool, pos: Pos) -> Result<(), Fail> {
        if tagged {
            return Err((pos, NO_TAGS.into()));
        }
        Ok(())
    }

    fn open(&mut self, pos: Pos) -> Result<(), Fail> {
        // A segment's items sit one level higher than in the file (under its list's key).
        let depth = self.stack.len() + usize::from(self.segment.is_some());
        if depth >= MAX_DEPTH {
            return Err((pos, format!("values are nested more than {MAX_DEPTH} deep")));
        }
        Ok(())
    }

    /// Adds a complete value to what is open, keeping a copy under its anchor (if not 0).
    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), Fail> {
        if anchor != 0 {
            let size = Size::of(&node);
            self.size.grow(node.pos, size)?;
            self.anchors.insert(anchor, (node.clone(), size));
        }
        if let Some(sink) = &mut self.items {
            match (self.segment, self.stack.as_slice()) {
                (Some((key, _)), [Open::Seq(_, 0)]) => {
                    sink(key, node);
                    return Ok(());
                }
                (
                    None,
                    [
                        Open::Map {
                            pending: Some(key), ..
                        },
                        Open::Seq(_, 0),
                    ],
                ) if crate::read::List::from_key(key.key_text()).is_some() => {
                    sink(key.key_text(), node);
                    return Ok(());
                }
                _ => {}
            }
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq(seq, _)) => {
                if let NodeKind::Seq(items) = &mut seq.kind {
                    items.push(node);
                }
            }
            Some(Open::Map {
                node: map,
                pending,
                keys,
                ..
            }) => match pending.take() {
                None => {
                    if !matches!(node.kind, NodeKind::Scalar { .. }) {
                        return Err((
                            node.pos,
                            format!("a key must be a single value, not {}", node.shape()),
                        ));
                    }
                    let entries = match &map.kind {
                        NodeKind::Map(entries) => entries.as_slice(),
                        _ => &[],
                    };
                    if let Some(first) = keys.earlier(entries, &node) {
                        return Err((
                            node.pos,
                            format!(
                                "this key is written twice in this mapping (first at line {first})"
                            ),
                        ));
                    }
                    *pending = Some(node);
                }
                Some(key) => {
                    if let NodeKind::Map(entries) = &mut map.kind {
                        entries.push((key, node));
                    }
                }
            },
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        let mut d = Diagnostics::default();
        let n = parse(text, Syntax::Yaml, 0, &mut d);
        assert!(d.is_empty(), "{d:?}");
        n.unwrap()
    }

    #[test]
    fn positions_point_at_values() {
        let n = parse_ok("a: 1\nb:\n  - x\n  - y: 'q'\n");
        let NodeKind::Map(entries) = &n.kind else {
            panic!()
        };
        assert_eq!(entries[1].0.pos.line, 2);
        let NodeKind::Seq(items) = &entries[1].1.kind else {
            panic!()
        };
        assert_eq!((items[1].pos.line, items[1].pos.column), (4, 5));
    }

    #[test]
    fn duplicate_keys_and_syntax_errors_are_reported_with_lines() {
        let mut d = Diagnostics::default();
        assert!(parse("a: 1\nb: 2\na: 3\n", Syntax::Yaml, 0, &mut d).is_none());
        let e = d.sorted();
        assert_eq!(e[0].pos.line, 3);
        assert!(e[0].message.contains("twice"), "{}", e[0].message);

        // Past the size where keys are hashed rather than scanned.
        let mut big: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        big.push_str("k2: again\n");
        let mut d = Diagnostics::default();
        assert!(parse(&big, Syntax::Yaml, 0, &mut d).is_none());
        let e = d.sorted();
        assert_eq!(e[0].pos.line, 41);
        assert!(e[0].message.contains("first at line 3"), "{}", e[0].message);

        let mut d = Diagnostics::default();
        assert!(parse("a: [1, 2\nb: 3\n", Syntax::Yaml, 0, &mut d).is_none());
        assert!(d.sorted()[0].message.contains("not valid YAML"));
    }

    #[test]
    fn json_is_checked_strictly_and_keeps_quoting() {
        let mut d = Diagnostics::default();
        assert!(parse("{\"a\": 1,}", Syntax::Json, 0, &mut d).is_none());
        assert!(d.sorted()[0].message.contains("not valid JSON"));
        let n = parse_ok("{\"a\": \"24\", \"b\": 24}");
        assert_eq!(n.to_json(), serde_json::json!({"a": "24", "b": 24}));
    }

    /// Positions from a JSON value are those of its pretty-printed text, read by the parser.
    #[test]
    fn json_values_have_the_positions_of_their_pretty_text() {
        let value = serde_json::json!({
            "id": "a\"b", "n": [1, 2.5, {"x": null, "y\n": true}], "e": [], "o": {},
            "deep": {"k": ["é", {"z": "last"}]}
        });
        let text = serde_json::to_string_pretty(&value).unwrap();
        let mut d = Diagnostics::default();
        let parsed = parse(&text, Syntax::Json, 3, &mut d).unwrap();
        assert_eq!(from_json(&value, 3), parsed);
    }

    #[test]
    fn aliases_of_long_text_cannot_expand_past_the_byte_limit() {
        // About 100 KB of text, repeated tenfold three times over: 100 MB expanded.
        let long = "x".repeat(10_000);
        let mut bomb = format!("a: &a [{}]\n", [long.as_str(); 10].join(", "));
        for (i, prev) in ["a", "b0", "b1"].iter().enumerate() {
            bomb.push_str(&format!(
                "b{i}: &b{i} [{}]\n",
                vec![format!("*{prev}"); 10].join(", ")
            ));
        }
        let mut d = Diagnostics::default();
        assert!(parse(&bomb, Syntax::Yaml, 0, &mut d).is_none());
        let e = &d.sorted()[0];
        assert_eq!(
            e.pos.line, 4,
            "at the alias that goes past the limit: {e:?}"
        );
        assert!(e.message.contains("64 MiB"), "{}", e.message);
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            bomb.push_str(&format!("b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let mut d = Diagnostics::default();
        assert!(parse(&bomb, Syntax::Yaml, 0, &mut d).is_none());
        let deep = "[".repeat(10_000);
        let mut d = Diagnostics::default();
        assert!(parse(&deep, Syntax::Yaml, 0, &mut d).is_none());
    }
}
