//! The dependency graph of a model, or of one service, as DOT and SVG.
//!
//! Services are boxes coloured by criticality, assets are ellipses, redundancy (`any`,
//! `atleast`) is a small labelled node; plain `all` lists are drawn as direct edges.

use bulwark_engine::{Compiled, NodeKind};
use bulwark_model::Criticality;
use std::collections::HashSet;
use std::fmt::Write;

/// Fill colours by criticality, chosen for contrast with black text.
fn fill(c: Option<Criticality>) -> &'static str {
    match c {
        Some(Criticality::Critical) => "#f4a6a6",
        Some(Criticality::High) => "#f8d49a",
        Some(Criticality::Medium) => "#fff2a8",
        Some(Criticality::Low) => "#c9e7c3",
        None => "#e8e8e8",
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The graph as DOT: the whole model, or what `service` (a service index) depends on.
pub fn dot(c: &Compiled, service: Option<u32>) -> String {
    let nodes: Vec<u32> = match service {
        Some(s) => c.reachable(c.services[s as usize].node),
        None => c.order().to_vec(),
    };
    let shown: HashSet<u32> = nodes.iter().copied().collect();
    let mut out =
        String::from("digraph bulwark {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for &n in &nodes {
        let line = match c.kind(n) {
            NodeKind::Service(i) => {
                let s = &c.services[i as usize];
                format!(
                    "shape=box, style=filled, fillcolor=\"{}\", label={}",
                    fill(s.criticality),
                    quote(&s.name)
                )
            }
            NodeKind::Asset(i) => {
                format!("shape=ellipse, label={}", quote(&c.assets[i as usize].name))
            }
            NodeKind::Any => "shape=circle, label=\"any\"".to_string(),
            NodeKind::AtLeast(k) => {
                format!("shape=circle, label=\"{k} of {}\"", c.children(n).len())
            }
            NodeKind::Workaround(w) => {
                let w = &c.workarounds[w as usize];
                format!(
                    "shape=note, label={}",
                    quote(&format!(
                        "Workaround: {} ({:.0}%)",
                        w.name,
                        w.capacity * 100.0
                    ))
                )
            }
            NodeKind::All => continue,
        };
        let _ = writeln!(out, "  n{n} [{line}];");
    }
    for &n in &nodes {
        if matches!(c.kind(n), NodeKind::All) {
            continue;
        }
        for target in visible_children(c, n) {
            if shown.contains(&target) {
                let alternative = matches!(c.kind(n), NodeKind::Any | NodeKind::AtLeast(_))
                    || matches!(c.kind(target), NodeKind::Workaround(_));
                let style = if alternative { " [style=dashed]" } else { "" };
                let _ = writeln!(out, "  n{n} -> n{target}{style};");
            }
        }
    }
    out.push_str("}\n");
    out
}

/// Children of `n`, looking through `all` gates (drawn as direct edges).
fn visible_children(c: &Compiled, n: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut stack: Vec<u32> = c.children(n).iter().rev().copied().collect();
    while let Some(k) = stack.pop() {
        if matches!(c.kind(k), NodeKind::All) {
            stack.extend(c.children(k).iter().rev());
        } else if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// The graph as SVG, laid out by `layout-rs` (pure Rust, no Graphviz needed).
pub fn svg(c: &Compiled, service: Option<u32>) -> Result<String, String> {
    use layout::backends::svg::SVGWriter;
    use layout::gv::{DotParser, GraphBuilder};
    let text = dot(c, service);
    let mut parser = DotParser::new(&text);
    let graph = parser.process()?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut visual = builder.get();
    let mut writer = SVGWriter::new();
    visual.do_it(false, false, false, &mut writer);
    Ok(writer.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names are the planner's text: the SVG (inlined in web pages) must show them, not run them.
    #[test]
    fn names_are_escaped_in_svg_and_quoted_in_dot() {
        let text = "bulwark: 1\nassets:\n  - {id: a, name: \"<b>x</b> & \\\"q\\\"\", kind: site}\nservices:\n  - {id: s, name: \"<script>alert(1)</script>\", needs: [a]}\n";
        let loaded = bulwark_model::load_str("m.yaml", text);
        assert!(loaded.is_valid(), "{:?}", loaded.diagnostics);
        let c = Compiled::new(&loaded.model).unwrap();
        let svg = svg(&c, None).unwrap();
        assert!(
            !svg.contains("<script>") && svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{svg}"
        );
        assert!(!svg.contains("<b>x</b>"));
        let dot = dot(&c, Some(0));
        assert!(dot.contains(r#"label="<b>x</b> & \"q\"""#), "{dot}");
    }
}
