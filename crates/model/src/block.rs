//! A fast reader for the plain block YAML that model files are mostly made of.
//!
//! Large models are lists of items written one key per line (`- id: a`, `  name: A`,
//! `  needs:`, `  - b`). Reading them through the general YAML parser costs most of a large
//! load, so the items of a [`Segment`] are first read here: a reader of just that shape of
//! YAML (block mappings and lists, plain and one-line quoted values, `[]` and `{}`). An item
//! written any other way (anchors, flow collections, block scalars, comments after values,
//! anything unusual or wrong) is handed to the general parser, which stays the authority on
//! what YAML means: tests check that both give the same trees, positions included.

use crate::diag::Pos;
use crate::node::{ItemSink, MAX_DEPTH, Node, NodeKind, Segment, parse_segment};

/// Reads the items of `segment` as [`parse_segment`] does (same trees, positions and sizes),
/// reading plain items here and, from the first item that is not, the rest through the
/// general parser. `None` when the
/// general parser refuses an item: the caller then parses the whole file in one pass.
pub(crate) fn parse_items(
    segment: &Segment<'_>,
    file: u32,
    sink: ItemSink<'_>,
) -> Option<(usize, usize)> {
    // The segment's own list counts as one value, as it does for the general parser.
    let mut size = (1usize, 0usize);
    let mut lines = Vec::new();
    for item in items(segment) {
        lines.clear();
        let fast = lines_of(item.text, item.first_line, &mut lines).and_then(|()| {
            let mut reader = Reader {
                lines: &lines,
                next: 0,
                file,
                nodes: 0,
                bytes: 0,
            };
            let node = reader.item()?;
            Some((node, reader.nodes, reader.bytes))
        });
        match fast {
            Some((node, nodes, bytes)) => {
                size = (size.0 + nodes, size.1 + bytes);
                sink(segment.key, node);
            }
            None => {
                // The parser reads the rest: an item alone could end differently (where an
                // empty value at its end is placed, say) than it does followed by the rest.
                let rest = Segment {
                    key: segment.key,
                    text: segment.text.get(item.offset..)?,
                    first_line: item.first_line,
                };
                let (nodes, bytes) = parse_segment(&rest, file, sink)?;
                return Some((size.0 + nodes - 1, size.1 + bytes));
            }
        }
    }
    Some(size)
}

/// One item of a segment: its text from its `-` to the next item's.
struct Item<'t> {
    text: &'t str,
    /// Where it starts in the segment's text.
    offset: usize,
    first_line: u32,
}

/// The items of a segment, cut at the lines that start with `-` at the first item's indent.
fn items<'t>(segment: &Segment<'t>) -> impl Iterator<Item = Item<'t>> {
    let text = segment.text;
    let indent = text.len() - text.trim_start_matches(' ').len();
    let mut starts = Vec::new();
    let (mut offset, mut line) = (0usize, segment.first_line);
    for raw in text.split_inclusive('\n') {
        let body = raw.get(indent..).unwrap_or("");
        let at_indent = raw
            .as_bytes()
            .get(..indent)
            .is_some_and(|p| p.iter().all(|&b| b == b' '));
        if at_indent && is_entry(body.trim_end_matches('\n')) {
            starts.push((offset, line));
        }
        offset += raw.len();
        line += 1;
    }
    // Text before the first entry (never there when the file was split well) goes with it.
    if starts.first().is_none_or(|(at, _)| *at != 0) {
        starts.insert(0, (0, segment.first_line));
    }
    let ends: Vec<usize> = starts
        .iter()
        .skip(1)
        .map(|(at, _)| *at)
        .chain([text.len()])
        .collect();
    starts
        .into_iter()
        .zip(ends)
        .filter_map(move |((from, first_line), to)| {
            Some(Item {
                text: text.get(from..to)?,
                offset: from,
                first_line,
            })
        })
}

/// True for a line (from its indent) that starts a list entry: `-` alone or `- ...`.
fn is_entry(body: &str) -> bool {
    body == "-" || body.starts_with("- ")
}

/// A line that matters: not blank, not only a comment.
#[derive(Debug, Clone, Copy)]
struct Line<'t> {
    /// Spaces before the content.
    indent: usize,
    /// The content, without the indent and the line break.
    text: &'t str,
    /// The file's line number.
    number: u32,
    /// True when the whole line is ASCII, so byte offsets are columns.
    ascii: bool,
}

/// Collects the lines of an item that matter. `None` for anything this reader leaves to the
/// general parser: tabs, carriage returns, and anything but spaces in the indent.
fn lines_of<'t>(text: &'t str, first_line: u32, out: &mut Vec<Line<'t>>) -> Option<()> {
    for (this, raw) in (first_line..).zip(text.split('\n')) {
        if raw.contains(['\t', '\r']) {
            return None;
        }
        let content = raw.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        out.push(Line {
            indent: raw.len() - content.len(),
            text: content,
            number: this,
            ascii: raw.is_ascii(),
        });
    }
    Some(())
}

struct Reader<'l, 't> {
    lines: &'l [Line<'t>],
    /// The line being read.
    next: usize,
    file: u32,
    /// Values read and bytes of their text, as the general parser counts them.
    nodes: usize,
    bytes: usize,
}

/// The deepest this reader goes before leaving an item to the general parser (which then
/// reports nesting past [`MAX_DEPTH`] exactly).
const DEPTH: usize = MAX_DEPTH / 4;

impl<'t> Reader<'_, 't> {
    /// The item: a list entry at the first line's indent, then nothing more.
    fn item(&mut self) -> Option<Node> {
        let first = *self.lines.first()?;
        let seq = self.seq(first.indent, false, 1)?;
        // `seq` read every entry at this indent: an item is exactly one.
        match seq.kind {
            NodeKind::Seq(mut entries) if entries.len() == 1 && self.next == self.lines.len() => {
                self.nodes -= 1;
                entries.pop()
            }
            _ => None,
        }
    }

    fn pos(&self, line: &Line<'_>, offset: usize) -> Pos {
        let column = if line.ascii {
            line.indent + offset
        } else {
            line.indent
                + line
                    .text
                    .get(..offset)
                    .map_or(offset, |t| t.chars().count())
        };
        Pos {
            file: self.file,
            line: line.number,
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }

    fn line(&self) -> Option<Line<'t>> {
        self.lines.get(self.next).copied()
    }

    /// A block list whose `-` are at `indent`, starting at the current line. `indentless`
    /// when its `-` are at its key's indent (`key:` then `- a` below it, not further in).
    fn seq(&mut self, indent: usize, indentless: bool, depth: usize) -> Option<Node> {
        if depth > DEPTH {
            return None;
        }
        // The parser places a list at its first `-`, or if indentless where the first
        // entry's value starts.
        let mut pos = (!indentless)
            .then(|| self.line().map(|l| self.pos(&l, 0)))
            .flatten();
        self.nodes += 1;
        let mut entries = Vec::new();
        while let Some(line) = self.line() {
            if line.indent < indent || (line.indent == indent && !is_entry(line.text)) {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let rest = line.text.get(1..)?;
            let content = rest.trim_start_matches(' ');
            let offset = 1 + rest.len() - content.len();
            if content.is_empty() || is_entry(content) {
                // A value on the lines below, or a list in a list: left to the parser.
                return None;
            }
            pos.get_or_insert(self.pos(&line, offset));
            entries.push(self.inline(&line, offset, depth + 1)?);
        }
        Some(Node {
            kind: NodeKind::Seq(entries),
            pos: pos?,
        })
    }

    /// A value that starts at `offset` on `line` (after `- `): a mapping whose first key is
    /// there, or a single value.
    fn inline(&mut self, line: &Line<'_>, offset: usize, depth: usize) -> Option<Node> {
        let text = line.text.get(offset..)?;
        if key_of(text).is_some() {
            return self.map(line.indent + offset, offset, depth);
        }
        let node = self.scalar(line, offset)?;
        self.next += 1;
        self.no_more_under(line.indent)?;
        Some(node)
    }

    /// A block mapping whose keys are at column `indent`; its first key is on the current
    /// line at byte `offset` of its text.
    fn map(&mut self, indent: usize, mut offset: usize, depth: usize) -> Option<Node> {
        if depth > DEPTH {
            return None;
        }
        let first = self.line()?;
        let pos = self.pos(&first, offset);
        self.nodes += 1;
        let mut entries: Vec<(Node, Node)> = Vec::new();
        while let Some(line) = self.line() {
            let at = line.indent + offset;
            if at < indent {
                break;
            }
            if at > indent {
                return None;
            }
            let text = line.text.get(offset..)?;
            let (key, after) = key_of(text)?;
            if entries.iter().any(|(k, _)| k.key_text() == key) {
                return None;
            }
            let key_node = Node {
                kind: NodeKind::Scalar {
                    text: key.to_string(),
                    plain: true,
                },
                pos: self.pos(&line, offset),
            };
            self.count(key.len());
            let value_at = offset + after;
            let value = if line.text.len() > value_at {
                let value = self.scalar(&line, value_at)?;
                self.next += 1;
                self.no_more_under(indent)?;
                value
            } else {
                self.next += 1;
                let below = self.line()?;
                if below.indent > indent {
                    if is_entry(below.text) {
                        self.seq(below.indent, false, depth + 1)?
                    } else if key_of(below.text).is_some() {
                        self.map(below.indent, 0, depth + 1)?
                    } else {
                        return None;
                    }
                } else if below.indent == indent && is_entry(below.text) {
                    self.seq(indent, true, depth + 1)?
                } else {
                    // No value: left to the parser, which knows where it puts the empty one.
                    return None;
                }
            };
            entries.push((key_node, value));
            offset = 0;
        }
        Some(Node {
            kind: NodeKind::Map(entries),
            pos,
        })
    }

    /// Fails when the next line is indented deeper than `indent`: a value continued on the
    /// next line, or a mistake, both for the parser to read.
    fn no_more_under(&self, indent: usize) -> Option<()> {
        match self.line() {
            Some(next) if next.indent > indent => None,
            _ => Some(()),
        }
    }

    fn count(&mut self, bytes: usize) {
        self.nodes += 1;
        self.bytes += bytes;
    }

    /// A single value that fills the rest of `line` from byte `offset`.
    fn scalar(&mut self, line: &Line<'_>, offset: usize) -> Option<Node> {
        let text = line.text.get(offset..)?.trim_end_matches(' ');
        let pos = self.pos(line, offset);
        let (value, plain) = match text.as_bytes().first()? {
            b'"' => (double_quoted(text)?, false),
            b'\'' => (single_quoted(text)?, false),
            b'[' | b'{' if text == "[]" || text == "{}" => {
                self.nodes += 1;
                let kind = if text == "[]" {
                    NodeKind::Seq(Vec::new())
                } else {
                    NodeKind::Map(Vec::new())
                };
                return Some(Node { kind, pos });
            }
            _ => (plain_scalar(text)?.to_string(), true),
        };
        self.count(value.len());
        Some(Node {
            kind: NodeKind::Scalar { text: value, plain },
            pos,
        })
    }
}

/// The key of a line `key: value` or `key:`, written plainly with letters, digits, `_`, `-`
/// and `.`, and the offset of its value (past the spaces after the colon).
fn key_of(text: &str) -> Option<(&str, usize)> {
    let bytes = text.as_bytes();
    if !bytes.first()?.is_ascii_alphanumeric() && bytes[0] != b'_' {
        return None;
    }
    let end = bytes
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))?;
    if bytes[end] != b':' {
        return None;
    }
    match bytes.get(end + 1) {
        None => Some((text.get(..end)?, end + 1)),
        Some(b' ') => {
            let spaces = bytes[end + 1..].iter().take_while(|&&b| b == b' ').count();
            Some((text.get(..end)?, end + 1 + spaces))
        }
        Some(_) => None,
    }
}

/// A plain value, if this reader is sure it is one: nothing that could start a comment, a
/// key, a collection, an anchor, an alias, a tag or a block scalar.
fn plain_scalar(text: &str) -> Option<&str> {
    let first = *text.as_bytes().first()?;
    if b"[]{},#&*!|>%@`?:-'\"".contains(&first) {
        // `-` starts many numbers, but also list entries: only `-` and a digit here.
        let number = first == b'-' && text.as_bytes().get(1).is_some_and(u8::is_ascii_digit);
        if !number {
            return None;
        }
    }
    if text.contains(" #") || text.contains(": ") || text.ends_with(':') {
        return None;
    }
    Some(text)
}

/// A value in double quotes that ends on its line, with the common escapes only.
fn double_quoted(text: &str) -> Option<String> {
    let inner = text.get(1..)?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                return inner
                    .get(i + 1..)
                    .filter(|rest| rest.is_empty())
                    .map(|_| out);
            }
            '\\' => out.push(match chars.next()?.1 {
                '"' => '"',
                '\\' => '\\',
                '/' => '/',
                'n' => '\n',
                't' => '\t',
                _ => return None,
            }),
            c => out.push(c),
        }
    }
    None
}

/// A value in single quotes that ends on its line (`''` is one quote).
fn single_quoted(text: &str) -> Option<String> {
    let inner = text.get(1..)?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if chars.peek().is_some_and(|(_, next)| *next == '\'') {
                chars.next();
                out.push('\'');
                continue;
            }
            return inner
                .get(i + 1..)
                .filter(|rest| rest.is_empty())
                .map(|_| out);
        }
        out.push(c);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{Format, write};
    use crate::generate::{Shape, generate};
    use proptest::prelude::*;

    /// The items read from a segment, and the values and bytes of text counted.
    type Read = (Vec<Node>, (usize, usize));

    /// Every item of `text` (a segment of `services` items from line 3) as the fast reader
    /// gives it, and as the general parser does, with the sizes each counted. The fast
    /// reader may give up where the parser would not (the whole file is then parsed in one
    /// pass, which is always right), but what it gives must be what the parser gives.
    fn both(text: &str) -> (Option<Read>, Option<Read>) {
        let segment = Segment {
            key: "services",
            text,
            first_line: 3,
        };
        let mut fast = Vec::new();
        let fast_size = parse_items(&segment, 7, &mut |_, n| fast.push(n));
        let mut slow = Vec::new();
        let slow_size = parse_segment(&segment, 7, &mut |_, n| slow.push(n));
        let slow = slow_size.map(|size| (slow, size));
        match fast_size {
            Some(size) => (Some((fast, size)), slow),
            None => (slow.clone(), slow),
        }
    }

    /// The nodes of `nodes` one per line with their positions, to show where two differ.
    fn flat(nodes: &[Node]) -> Vec<String> {
        fn walk(n: &Node, depth: usize, out: &mut Vec<String>) {
            let at = format!(
                "{}{}:{}:{}",
                " ".repeat(depth),
                n.pos.file,
                n.pos.line,
                n.pos.column
            );
            match &n.kind {
                NodeKind::Scalar { text, plain } => out.push(format!("{at} {text:?} {plain}")),
                NodeKind::Seq(items) => {
                    out.push(format!("{at} seq"));
                    items.iter().for_each(|i| walk(i, depth + 1, out));
                }
                NodeKind::Map(entries) => {
                    out.push(format!("{at} map"));
                    for (k, v) in entries {
                        walk(k, depth + 1, out);
                        walk(v, depth + 2, out);
                    }
                }
            }
        }
        let mut out = Vec::new();
        nodes.iter().for_each(|n| walk(n, 0, &mut out));
        out
    }

    /// Asserts that the fast reader and the parser agree on `text`, showing the first
    /// difference.
    fn agree(text: &str) -> Result<(), String> {
        let (fast, slow) = both(text);
        if fast == slow {
            return Ok(());
        }
        let (Some((f, fs)), Some((s, ss))) = (&fast, &slow) else {
            return Err(format!(
                "fast {:?} slow {:?} for {text:?}",
                fast.map(|f| f.1),
                slow.map(|s| s.1)
            ));
        };
        let (f, s) = (flat(f), flat(s));
        let at = f
            .iter()
            .zip(&s)
            .position(|(a, b)| a != b)
            .unwrap_or(f.len().min(s.len()));
        Err(format!(
            "sizes {fs:?} {ss:?}; first difference at node {at}: fast {:?} parser {:?}\nin {:?}",
            f.get(at),
            s.get(at),
            text.get(..text.len().min(300))
        ))
    }

    /// True when the fast reader reads every item of `text` itself.
    fn all_fast(text: &str) -> bool {
        let mut lines = Vec::new();
        items(&Segment {
            key: "services",
            text,
            first_line: 1,
        })
        .all(|item| {
            lines.clear();
            lines_of(item.text, 1, &mut lines).is_some()
                && Reader {
                    lines: &lines,
                    next: 0,
                    file: 0,
                    nodes: 0,
                    bytes: 0,
                }
                .item()
                .is_some()
        })
    }

    fn services_of(services: usize) -> String {
        let text = write(&generate(Shape { services, seed: 5 }), Format::Yaml);
        let start = text.find("services:\n").unwrap() + "services:\n".len();
        let end = text
            .get(start..)
            .unwrap()
            .find("\nassets:")
            .map_or(text.len(), |e| start + e + 1);
        text.get(start..end).unwrap().to_string()
    }

    #[test]
    fn generated_items_are_read_fast_and_the_same_as_the_parser_reads_them() {
        let text = services_of(200);
        assert!(all_fast(&text), "a generated model is all plain block YAML");
        let segment = Segment {
            key: "services",
            text: &text,
            first_line: 1,
        };
        assert!(parse_items(&segment, 0, &mut |_, _| {}).is_some());
        assert!(both(&text).1.is_some());
        agree(&text).unwrap();
    }

    #[test]
    fn quoted_empty_and_unusual_values_read_the_same() {
        for text in [
            "- id: a\n  name: \"Say \\\"hi\\\" \\\\ there\"\n  x: 'it''s'\n  e: []\n  m: {}\n",
            "- id: a\n  name: Café, Ümlaut: no\n",
            "- id: a\n  name: Café au lait\n  n: -5\n  t: 'é' \n",
            "  - id: a\n    needs:\n      - b\n      - any:\n        - c\n        - d\n  - id: e\n",
            "- id: a\n  needs:\n  - b\n  k: 1\n- id: c\n",
            "- id: a\n  # a comment\n\n  name: A   \n",
            "- plain\n- 'quoted'\n- \"dq\"\n",
            "- id: a\n  name: A # a comment\n",
            "- id: a\n  name: |\n    block\n",
            "- id: a\n  name: two\n    lines\n",
            "- id: a\n  name:\n  k: 1\n",
            "- id: a\n  id: b\n",
            "- id: a\n  m:\n    k: v\n    l:\n      - x\n",
            "- id: &x a\n- *x\n",
            "- {id: a}\n- id: b\n",
            "- - a\n  - b\n",
            "- id: \"unterminated\n  name: b\"\n",
            "- id: a\n  url: http://x.y/z\n  t: 10:30\n",
            "- id: a\n  k: \"\\u00e9\"\n",
        ] {
            agree(text).unwrap();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever is cut or inserted, the fast reader and the parser agree.
        #[test]
        fn agrees_with_the_parser_on_mutated_items(
            cut in 0usize..4000,
            insert in "[\\[\\]{}:,\\- a-zé0-9%\n&*!|>\"#'\\\\]{0,8}",
        ) {
            let text = services_of(20);
            let at = cut % text.len();
            let (before, after) = text.split_at(at);
            let mutated = format!("{before}{insert}{after}");
            prop_assert_eq!(agree(&mutated), Ok(()));
        }

        /// Any value (or key) written on one line reads as the parser reads it.
        #[test]
        fn agrees_with_the_parser_on_any_one_line_value(
            key in "[a-z_é\\-]{1,3}[ -~é]{0,3}",
            value in "[ -~é]{0,14}",
        ) {
            let text = format!("- id: a\n  {key}: {value}\n  n:\n  - {value}\n  - k: {value}\n- {value}\n");
            prop_assert_eq!(agree(&text), Ok(()));
        }
    }
}
