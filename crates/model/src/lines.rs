//! The short text forms a planner types in one box (a web form's field or a workbook's
//! cell) for values that are nested in a model file: a dependency expression as lines.

use crate::diag::Diagnostics;
use crate::node::{Syntax, parse};
use serde_json::{Value, json};

/// Writes a dependency expression, as the model format's JSON (a plain list for `all`), as
/// lines a planner can edit: an id, `any of: a, b`, `2 of: a, b, c`, or a YAML flow
/// expression for anything nested.
pub fn needs_text(need: &Value) -> String {
    let refs = |parts: &Value| -> Option<String> {
        parts
            .as_array()?
            .iter()
            .map(|p| p.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(", "))
    };
    let line = |p: &Value| -> String {
        if let Some(id) = p.as_str() {
            return id.to_string();
        }
        if let Some(ids) = p.get("any").and_then(refs) {
            return format!("any of: {ids}");
        }
        if let (Some(k), Some(ids)) = (p.get("atleast"), p.get("of").and_then(refs)) {
            return format!("{k} of: {ids}");
        }
        p.to_string()
    };
    match need {
        Value::Array(parts) => parts.iter().map(line).collect::<Vec<_>>().join("\n"),
        other => line(other),
    }
}

/// Reads needs lines back into the model format's JSON (a list: all of these), or says
/// which line is wrong. What the lines name is not checked here: the model reader does that.
pub fn parse_needs(text: &str) -> Result<Value, String> {
    let ids = |s: &str| -> Value {
        Value::Array(
            s.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|x| json!(x))
                .collect(),
        )
    };
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        // ASCII lowering keeps every byte offset, so `rest` below lines up with `line`
        // whatever else the line holds (full Unicode lowering can change lengths: `İ`).
        let lower = line.to_ascii_lowercase();
        let tail = |rest: &str| line.get(line.len() - rest.len()..).unwrap_or_default();
        if line.starts_with('{') || line.starts_with('[') {
            let mut d = Diagnostics::default();
            match parse(line, Syntax::Yaml, 0, &mut d) {
                Some(node) => out.push(node.to_json()),
                None => {
                    return Err(format!(
                        "Line {} of the needs is not a valid expression",
                        i + 1
                    ));
                }
            }
        } else if let Some(rest) = lower.strip_prefix("any of:") {
            out.push(json!({ "any": ids(tail(rest)) }));
        } else if let Some(rest) = lower.strip_prefix("all of:") {
            out.push(json!({ "all": ids(tail(rest)) }));
        } else if let Some((k, rest)) = lower
            .split_once(" of:")
            .filter(|(k, _)| k.trim().parse::<u32>().is_ok())
        {
            let k: u32 = k.trim().parse().unwrap_or(1);
            out.push(json!({ "atleast": k, "of": ids(tail(rest)) }));
        } else if line.contains(char::is_whitespace) || line.contains(',') {
            return Err(format!(
                "Line {} of the needs should be one id, `any of: a, b`, or `2 of: a, b, c`",
                i + 1
            ));
        } else {
            out.push(json!(line));
        }
    }
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn needs_lines_round_trip() {
        let v = parse_needs(
            "careledger\nany of: hall, depot\n2 of: a, b, c\n{all: [wan, {any: [grid, gen]}]}\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!(["careledger", {"any": ["hall", "depot"]}, {"atleast": 2, "of": ["a", "b", "c"]}, {"all": ["wan", {"any": ["grid", "gen"]}]}])
        );
        assert_eq!(parse_needs(&needs_text(&v)), Ok(v));
        assert!(parse_needs("two words").unwrap_err().contains("Line 1"));
    }

    #[test]
    fn needs_lines_with_any_letters_read_back() {
        assert_eq!(
            parse_needs("Any of: İİİ, hall\n2 OF: a, b, c\ncaseapp"),
            Ok(json!([{"any": ["İİİ", "hall"]}, {"atleast": 2, "of": ["a", "b", "c"]}, "caseapp"]))
        );
        assert_eq!(parse_needs("any of:İ"), Ok(json!([{"any": ["İ"]}])));
    }

    proptest! {
        #[test]
        fn needs_never_panic_on_any_text(text in "\\PC*", prefix in prop::sample::select(vec!["any of:", "all of:", "2 of:", "{", ""])) {
            let _ = parse_needs(&format!("{prefix}{text}"));
        }
    }
}
