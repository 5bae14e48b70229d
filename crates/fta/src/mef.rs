//! Open-PSA Model Exchange Format: reader ([`parse_mef`]) and writer ([`to_mef`]).

use crate::error::{FtaError, Pos, Result};
use crate::tree::{Child, Connective, FaultTree, Node};
use roxmltree::{Document, Node as XNode};
use rustc_hash::FxHashMap;
use std::fmt::Write as _;

/// Deepest nesting of formulas or expressions accepted (deeper input is rejected rather than
/// risking the stack).
pub const MAX_DEPTH: usize = 256;

/// Mission time (hours) used by `system-mission-time` and time-dependent expressions.
pub const DEFAULT_MISSION_TIME: f64 = 8760.0;

/// Reads a MEF document; the top gate is the one gate no other gate references.
pub fn parse_mef(text: &str) -> Result<FaultTree> {
    parse_mef_with_top(text, None)
}

/// Reads a MEF document, with the top gate named by the caller when given.
pub fn parse_mef_with_top(text: &str, top: Option<&str>) -> Result<FaultTree> {
    let xml = Document::parse(text).map_err(|e| FtaError::Xml(e.to_string()))?;
    let ctx = Ctx::new(&xml, text);
    let doc = &ctx;
    let root = xml.root_element();
    if root.tag_name().name() != "opsa-mef" {
        return Err(invalid(doc, root, "the root element must be <opsa-mef>"));
    }
    let mut defs = Defs::default();
    for el in elements(root) {
        match el.tag_name().name() {
            "define-fault-tree" => {
                if defs.name.is_none() {
                    defs.name = Some(attr(doc, el, "name")?.to_string());
                }
                collect_container(doc, el, &mut defs)?;
            }
            "model-data" => collect_container(doc, el, &mut defs)?,
            "label" | "attributes" => {}
            _ => return Err(unsupported(doc, el)),
        }
    }
    let mut b = FaultTree::builder(defs.name.clone().unwrap_or_else(|| "fault-tree".into()));
    let mut eval = Evaluator {
        doc,
        params: &defs.params,
        values: FxHashMap::default(),
        active: Vec::new(),
    };
    for &el in &defs.basic {
        let name = attr(doc, el, "name")?.to_string();
        let expr = elements(el).find(|e| !matches!(e.tag_name().name(), "label" | "attributes"));
        let Some(expr) = expr else {
            return Err(invalid(
                doc,
                el,
                &format!("basic event '{name}' has no probability expression"),
            ));
        };
        let p = eval.eval(expr, 0)?;
        b.basic_event_at(name, p, pos(doc, el))?;
    }
    for &el in &defs.house {
        let name = attr(doc, el, "name")?.to_string();
        let mut state = false;
        if let Some(c) =
            elements(el).find(|e| !matches!(e.tag_name().name(), "label" | "attributes"))
        {
            match c.tag_name().name() {
                "constant" | "bool" => state = bool_attr(doc, c, "value")?,
                _ => return Err(unsupported(doc, c)),
            }
        }
        b.house_event_at(name, state, pos(doc, el))?;
    }
    for &el in &defs.gates {
        let name = attr(doc, el, "name")?.to_string();
        let mut formulas =
            elements(el).filter(|e| !matches!(e.tag_name().name(), "label" | "attributes"));
        let Some(f) = formulas.next() else {
            return Err(invalid(doc, el, &format!("gate '{name}' has no formula")));
        };
        if formulas.next().is_some() {
            return Err(invalid(
                doc,
                el,
                &format!("gate '{name}' has more than one formula"),
            ));
        }
        let (conn, children) = match formula(doc, f, 0)? {
            Child::Formula(c, kids) => (c, kids),
            other => (Connective::Null, vec![(other, pos(doc, f))]),
        };
        b.gate_at(name, conn, children, pos(doc, el))?;
    }
    b.build(top)
}

#[derive(Default)]
struct Defs<'a, 'i> {
    name: Option<String>,
    gates: Vec<XNode<'a, 'i>>,
    basic: Vec<XNode<'a, 'i>>,
    house: Vec<XNode<'a, 'i>>,
    params: FxHashMap<&'a str, XNode<'a, 'i>>,
}

fn collect_container<'a, 'i>(doc: &Ctx, el: XNode<'a, 'i>, defs: &mut Defs<'a, 'i>) -> Result<()> {
    for c in elements(el) {
        match c.tag_name().name() {
            "define-gate" => defs.gates.push(c),
            "define-basic-event" => defs.basic.push(c),
            "define-house-event" => defs.house.push(c),
            "define-parameter" => {
                let name = attr(doc, c, "name")?;
                if defs.params.insert(name, c).is_some() {
                    return Err(FtaError::Duplicate {
                        kind: "parameter",
                        name: name.into(),
                        pos: pos(doc, c),
                    });
                }
            }
            "define-component" => collect_container(doc, c, defs)?,
            "label" | "attributes" => {}
            _ => return Err(unsupported(doc, c)),
        }
    }
    Ok(())
}

fn formula(doc: &Ctx, el: XNode, depth: usize) -> Result<Child> {
    if depth > MAX_DEPTH {
        return Err(invalid(doc, el, "formulas nested too deeply"));
    }
    let name = el.tag_name().name();
    let conn = match name {
        "and" => Connective::And,
        "or" => Connective::Or,
        "not" => Connective::Not,
        "xor" => Connective::Xor,
        "nand" => Connective::Nand,
        "nor" => Connective::Nor,
        "iff" => Connective::Iff,
        "null" => Connective::Null,
        "atleast" => {
            let v = attr(doc, el, "min")?;
            let k = v
                .trim()
                .parse::<u32>()
                .map_err(|_| invalid(doc, el, &format!("min='{v}' is not a count")))?;
            Connective::AtLeast(k)
        }
        "gate" => return Ok(Child::Gate(attr(doc, el, "name")?.into())),
        "basic-event" => return Ok(Child::Basic(attr(doc, el, "name")?.into())),
        "house-event" => return Ok(Child::House(attr(doc, el, "name")?.into())),
        "event" => return Ok(Child::Event(attr(doc, el, "name")?.into())),
        "constant" => return Ok(Child::Const(bool_attr(doc, el, "value")?)),
        _ => return Err(unsupported(doc, el)),
    };
    let mut kids = Vec::new();
    for c in elements(el) {
        kids.push((formula(doc, c, depth + 1)?, pos(doc, c)));
    }
    Ok(Child::Formula(conn, kids))
}

struct Evaluator<'d, 'a, 'i> {
    doc: &'d Ctx<'d, 'i>,
    params: &'d FxHashMap<&'a str, XNode<'a, 'i>>,
    values: FxHashMap<&'a str, f64>,
    active: Vec<&'a str>,
}

impl<'a, 'i> Evaluator<'_, 'a, 'i> {
    /// Value of the expression `el`, `depth` levels down from a basic event's expression
    /// (a parameter's definition counting as one level below its use).
    fn eval(&mut self, el: XNode<'a, 'i>, depth: usize) -> Result<f64> {
        if depth > MAX_DEPTH {
            return Err(invalid(self.doc, el, "expression nested too deeply"));
        }
        let doc = self.doc;
        let args: Vec<XNode> = elements(el).collect();
        let mut vals = Vec::with_capacity(args.len());
        let name = el.tag_name().name();
        if !matches!(name, "parameter") {
            for a in &args {
                vals.push(self.eval(*a, depth + 1)?);
            }
        }
        let need = |n: usize| -> Result<()> {
            if vals.len() == n {
                Ok(())
            } else {
                Err(invalid(
                    doc,
                    el,
                    &format!("needs {n} arguments, has {}", vals.len()),
                ))
            }
        };
        let nonempty = || -> Result<()> {
            if vals.is_empty() {
                Err(invalid(doc, el, "needs arguments"))
            } else {
                Ok(())
            }
        };
        Ok(match name {
            "float" | "int" => {
                let v = attr(doc, el, "value")?;
                v.trim()
                    .parse::<f64>()
                    .map_err(|_| invalid(doc, el, &format!("value='{v}' is not a number")))?
            }
            "bool" => f64::from(u8::from(bool_attr(doc, el, "value")?)),
            "system-mission-time" => DEFAULT_MISSION_TIME,
            "pi" => std::f64::consts::PI,
            "parameter" => {
                let pname = attr(doc, el, "name")?;
                if let Some(&v) = self.values.get(pname) {
                    return Ok(v);
                }
                let Some(&def) = self.params.get(pname) else {
                    return Err(FtaError::Undefined {
                        kind: "parameter",
                        name: pname.into(),
                        pos: pos(doc, el),
                    });
                };
                if self.active.contains(&pname) {
                    return Err(invalid(
                        doc,
                        el,
                        &format!("parameter '{pname}' is defined in terms of itself"),
                    ));
                }
                let Some(expr) =
                    elements(def).find(|e| !matches!(e.tag_name().name(), "label" | "attributes"))
                else {
                    return Err(invalid(
                        doc,
                        def,
                        &format!("parameter '{pname}' has no expression"),
                    ));
                };
                self.active.push(pname);
                let v = self.eval(expr, depth + 1)?;
                self.active.pop();
                self.values.insert(pname, v);
                v
            }
            "neg" => {
                need(1)?;
                -vals[0]
            }
            "add" => {
                nonempty()?;
                vals.iter().sum()
            }
            "mul" => {
                nonempty()?;
                vals.iter().product()
            }
            "sub" => {
                nonempty()?;
                vals[0] - vals[1..].iter().sum::<f64>()
            }
            "div" => {
                nonempty()?;
                vals[1..].iter().fold(vals[0], |a, b| a / b)
            }
            "min" => {
                nonempty()?;
                vals.iter().copied().fold(f64::INFINITY, f64::min)
            }
            "max" => {
                nonempty()?;
                vals.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            }
            "exp" => {
                need(1)?;
                vals[0].exp()
            }
            "log" => {
                need(1)?;
                vals[0].ln()
            }
            "sqrt" => {
                need(1)?;
                vals[0].sqrt()
            }
            "pow" => {
                need(2)?;
                vals[0].powf(vals[1])
            }
            "exponential" => {
                need(2)?;
                1.0 - (-vals[0] * vals[1]).exp()
            }
            "GLM" => {
                need(4)?;
                let (gamma, lambda, mu, t) = (vals[0], vals[1], vals[2], vals[3]);
                let r = lambda + mu;
                (lambda - (lambda - gamma * r) * (-r * t).exp()) / r
            }
            "Weibull" => {
                need(4)?;
                let (alpha, beta, t0, t) = (vals[0], vals[1], vals[2], vals[3]);
                if t <= t0 {
                    0.0
                } else {
                    1.0 - (-((t - t0) / alpha).powf(beta)).exp()
                }
            }
            _ => return Err(unsupported(doc, el)),
        })
    }
}

fn elements<'a, 'i>(el: XNode<'a, 'i>) -> impl Iterator<Item = XNode<'a, 'i>> {
    el.children().filter(|c| c.is_element())
}

/// Bytes between two checkpoints of [`Ctx::chars_before`].
const CHECKPOINT: usize = 256;

/// The parsed document with indexes for cheap positions: any position costs O(log lines +
/// [`CHECKPOINT`]), even when the whole document is on one line.
struct Ctx<'d, 'i> {
    _doc: &'d Document<'i>,
    text: &'i str,
    /// Byte offset of the start of each line.
    lines: Vec<usize>,
    /// Number of characters before each multiple of [`CHECKPOINT`] bytes.
    chars_before: Vec<usize>,
}

impl<'d, 'i> Ctx<'d, 'i> {
    fn new(doc: &'d Document<'i>, text: &'i str) -> Self {
        let mut lines = vec![0usize];
        lines.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut chars_before = vec![0usize];
        for block in text.as_bytes().chunks(CHECKPOINT) {
            let last = chars_before.last().copied().unwrap_or(0);
            chars_before.push(last + char_starts(block));
        }
        Ctx {
            _doc: doc,
            text,
            lines,
            chars_before,
        }
    }

    /// Number of characters in `text[..at]`.
    fn chars_upto(&self, at: usize) -> usize {
        let block = at / CHECKPOINT;
        let bytes = self
            .text
            .as_bytes()
            .get(block * CHECKPOINT..at)
            .unwrap_or(&[]);
        self.chars_before.get(block).copied().unwrap_or(0) + char_starts(bytes)
    }
}

/// Number of UTF-8 characters starting in `bytes` (bytes that are not continuation bytes).
fn char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

fn pos(doc: &Ctx, el: XNode) -> Pos {
    let at = el.range().start;
    let line = doc.lines.partition_point(|&s| s <= at);
    let start = doc.lines.get(line.wrapping_sub(1)).copied().unwrap_or(0);
    let col = if at.saturating_sub(start) <= 2 * CHECKPOINT {
        // Short line prefix (the usual case): count it directly.
        char_starts(doc.text.as_bytes().get(start..at).unwrap_or(&[]))
    } else {
        doc.chars_upto(at).saturating_sub(doc.chars_upto(start))
    } + 1;
    Pos {
        line: line as u32,
        col: col as u32,
    }
}

fn attr<'a>(doc: &Ctx, el: XNode<'a, '_>, name: &str) -> Result<&'a str> {
    el.attribute(name)
        .ok_or_else(|| invalid(doc, el, &format!("missing attribute '{name}'")))
}

fn bool_attr(doc: &Ctx, el: XNode, name: &str) -> Result<bool> {
    match attr(doc, el, name)?.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        v => Err(invalid(
            doc,
            el,
            &format!("{name}='{v}' is not true or false"),
        )),
    }
}

fn invalid(doc: &Ctx, el: XNode, message: &str) -> FtaError {
    FtaError::Invalid {
        element: el.tag_name().name().to_string(),
        message: message.to_string(),
        pos: pos(doc, el),
    }
}

fn unsupported(doc: &Ctx, el: XNode) -> FtaError {
    FtaError::Unsupported {
        element: el.tag_name().name().to_string(),
        pos: pos(doc, el),
    }
}

/// Writes a fault tree as MEF XML that [`parse_mef`] reads back to an identical tree.
pub fn to_mef(tree: &FaultTree) -> String {
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\"?>\n<opsa-mef>\n");
    let _ = writeln!(s, "<define-fault-tree name=\"{}\">", esc(&tree.name));
    for g in tree.gates.iter().filter(|g| !g.inline) {
        let _ = writeln!(s, "<define-gate name=\"{}\">", esc(&g.name));
        write_formula(tree, g.connective, &g.children, &mut s, 1);
        s.push_str("</define-gate>\n");
    }
    s.push_str("</define-fault-tree>\n<model-data>\n");
    for e in &tree.basic_events {
        let _ = writeln!(
            s,
            "<define-basic-event name=\"{}\">\n  <float value=\"{:?}\"/>\n</define-basic-event>",
            esc(&e.name),
            e.probability
        );
    }
    for h in &tree.house_events {
        let _ = writeln!(
            s,
            "<define-house-event name=\"{}\">\n  <constant value=\"{}\"/>\n</define-house-event>",
            esc(&h.name),
            h.state
        );
    }
    s.push_str("</model-data>\n</opsa-mef>\n");
    s
}

fn write_formula(
    tree: &FaultTree,
    conn: Connective,
    children: &[Node],
    s: &mut String,
    depth: usize,
) {
    let ind = "  ".repeat(depth);
    match conn {
        Connective::AtLeast(k) => {
            let _ = writeln!(s, "{ind}<atleast min=\"{k}\">");
        }
        c => {
            let _ = writeln!(s, "{ind}<{}>", c.mef_name());
        }
    }
    for c in children {
        match *c {
            Node::Gate(g) if tree.gates[g].inline => {
                let g = &tree.gates[g];
                write_formula(tree, g.connective, &g.children, s, depth + 1);
            }
            Node::Gate(g) => {
                let _ = writeln!(s, "{ind}  <gate name=\"{}\"/>", esc(&tree.gates[g].name));
            }
            Node::Basic(e) => {
                let _ = writeln!(
                    s,
                    "{ind}  <basic-event name=\"{}\"/>",
                    esc(&tree.basic_events[e].name)
                );
            }
            Node::House(h) => {
                let _ = writeln!(
                    s,
                    "{ind}  <house-event name=\"{}\"/>",
                    esc(&tree.house_events[h].name)
                );
            }
            Node::Const(b) => {
                let _ = writeln!(s, "{ind}  <constant value=\"{b}\"/>");
            }
        }
    }
    let _ = writeln!(s, "{ind}</{}>", conn.mef_name());
}

fn esc(x: &str) -> String {
    let mut o = String::with_capacity(x.len());
    for ch in x.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"<?xml version="1.0"?>
<opsa-mef>
<define-fault-tree name="ft">
  <define-gate name="top">
    <or>
      <gate name="g1"/>
      <and><basic-event name="a"/><not><event name="b"/></not></and>
      <house-event name="h"/>
    </or>
  </define-gate>
  <define-gate name="g1"><atleast min="2"><event name="a"/><event name="b"/><basic-event name="c"/></atleast></define-gate>
  <define-component name="comp">
    <define-basic-event name="c"><mul><parameter name="lam"/><float value="2"/></mul></define-basic-event>
  </define-component>
</define-fault-tree>
<model-data>
  <define-parameter name="lam"><float value="0.05"/></define-parameter>
  <define-basic-event name="a"><float value="0.1"/></define-basic-event>
  <define-basic-event name="b"><exponential><float value="1e-5"/><system-mission-time/></exponential></define-basic-event>
  <define-house-event name="h"><constant value="false"/></define-house-event>
</model-data>
</opsa-mef>"#;

    #[test]
    fn reads_and_round_trips() {
        let t = parse_mef(SMALL).unwrap();
        assert_eq!(t.top_name(), "top");
        assert_eq!(t.basic_events.len(), 3);
        let c = t.basic_event("c").unwrap();
        assert!((t.basic_events[c].probability - 0.1).abs() < 1e-15);
        let again = parse_mef(&to_mef(&t)).unwrap();
        assert_eq!(t, again);
    }

    #[test]
    fn errors_name_element_and_line() {
        let e = parse_mef("<opsa-mef>\n<define-fault-tree name=\"x\">\n<define-gate name=\"g\"><foo/></define-gate></define-fault-tree></opsa-mef>")
            .unwrap_err();
        assert_eq!(e.to_string(), "3:23: unsupported element <foo>");
        let e = parse_mef("<opsa-mef><define-fault-tree name=\"x\"><define-gate name=\"g\"><or><gate name=\"nope\"/></or></define-gate></define-fault-tree></opsa-mef>").unwrap_err();
        assert!(matches!(e, FtaError::Undefined { kind: "gate", .. }), "{e}");
        assert!(matches!(parse_mef("<opsa-mef>"), Err(FtaError::Xml(_))));
    }
}
