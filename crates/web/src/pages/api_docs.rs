//! The API's reference for people: every operation of the OpenAPI document with what it
//! takes and answers, rendered on the server from the same document `/api/openapi.json`
//! serves (no script, nothing fetched from elsewhere).

use super::Ctx;
use crate::api::ApiDoc;
use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use utoipa::OpenApi;

/// A field of a request body, or a parameter.
pub struct Field {
    /// Its name.
    pub name: String,
    /// Where it goes (path, query) or its type.
    pub kind: String,
    /// Whether it must be given.
    pub required: bool,
    /// What it is.
    pub description: String,
}

/// One operation.
pub struct Operation {
    /// The anchor of its section.
    pub anchor: String,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The route, like `/api/orgs/{org}/services`.
    pub path: String,
    /// Its first line of documentation.
    pub summary: String,
    /// The rest of it.
    pub description: String,
    /// Path and query parameters.
    pub params: Vec<Field>,
    /// The JSON body's fields.
    pub body: Vec<Field>,
    /// Answers: (status, what it means).
    pub responses: Vec<(String, String)>,
}

/// Operations on one kind of thing (`services`, `incidents`, ...).
pub struct Group {
    /// Its heading.
    pub title: String,
    /// Its anchor.
    pub anchor: String,
    /// Its operations, by route then method.
    pub operations: Vec<Operation>,
}

#[derive(Template, WebTemplate)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    ctx: Ctx,
    version: String,
    groups: Vec<Group>,
}

/// `GET /docs/api`: the API reference, for anyone (as the OpenAPI document is).
pub(super) async fn page() -> Response {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    ApiDocsPage {
        ctx: Ctx::default(),
        version: text(&doc["info"]["version"]),
        groups: groups(&doc),
    }
    .into_response()
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// The group of a route: the first part after the organisation (`/api/orgs/{org}/x/...`),
/// else after `/api/`; the organisations themselves are one group.
fn group_of(path: &str) -> String {
    if path == "/api/orgs" || path == "/api/orgs/{org}" {
        return "organisations".into();
    }
    let rest = path
        .strip_prefix("/api/orgs/{org}/")
        .or_else(|| path.strip_prefix("/api/"));
    match rest {
        Some(rest) => rest
            .split(['/', '.'])
            .next()
            .filter(|s| !s.is_empty() && !s.starts_with('{'))
            .unwrap_or("other")
            .to_string(),
        None => "other".into(),
    }
}

/// The operations of `doc`, grouped by what they act on, groups in alphabetical order.
fn groups(doc: &Value) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return groups;
    };
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let title = capitalised(&group_of(path).replace(['-', '_'], " "));
            let operation = Operation {
                anchor: format!("{method}-{}", anchor(path)),
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(&op["summary"]),
                description: text(&op["description"]),
                params: params(op),
                body: body(doc, op),
                responses: responses(op),
            };
            match groups.iter_mut().find(|g| g.title == title) {
                Some(g) => g.operations.push(operation),
                None => groups.push(Group {
                    anchor: anchor(&title),
                    title,
                    operations: vec![operation],
                }),
            }
        }
    }
    groups.sort_by(|a, b| a.title.cmp(&b.title));
    for g in &mut groups {
        g.operations
            .sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    }
    groups
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn anchor(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn params(op: &Value) -> Vec<Field> {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let name = text(&p["name"]);
            let mut description = text(&p["description"]);
            if description.is_empty() {
                description = match name.as_str() {
                    "org" => "The organisation's id, as in its address (like northmoor).",
                    "id" => "The item's id or number, as the list of them gives it.",
                    _ => "",
                }
                .to_string();
            }
            Field {
                name,
                kind: format!("in the {}", text(&p["in"])),
                required: p["required"].as_bool().unwrap_or(false),
                description,
            }
        })
        .collect()
}

/// The fields of the JSON body, from the schema it names.
fn body(doc: &Value, op: &Value) -> Vec<Field> {
    let schema = &op["requestBody"]["content"]["application/json"]["schema"];
    let schema = resolve(doc, schema);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, p)| {
            let p = resolve(doc, p);
            Field {
                name: name.clone(),
                kind: type_of(p),
                required: required.contains(&name.as_str()),
                description: text(&p["description"]),
            }
        })
        .collect()
}

/// A schema, following a `$ref` into the document's components.
fn resolve<'d>(doc: &'d Value, schema: &'d Value) -> &'d Value {
    match schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        Some(name) => &doc["components"]["schemas"][name],
        None => schema,
    }
}

fn type_of(p: &Value) -> String {
    match &p["type"] {
        Value::String(t) if t == "array" => "list".into(),
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ if p.get("oneOf").is_some() || p.get("allOf").is_some() => "object".into(),
        _ => "value".into(),
    }
}

fn responses(op: &Value) -> Vec<(String, String)> {
    op["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(code, r)| {
            let said = text(&r["description"]);
            let meaning = if said.is_empty() {
                status_words(code).to_string()
            } else {
                said
            };
            (code.clone(), meaning)
        })
        .collect()
}

/// What an answer's status means, for the answers the document does not describe.
fn status_words(code: &str) -> &'static str {
    match code {
        "200" => "done",
        "201" => "created",
        "204" => "done, nothing to send back",
        "400" => "the request cannot be read",
        "401" => "no valid token",
        "403" => "your role does not allow it",
        "404" => "no such item in this organisation",
        "409" => "it changed meanwhile, or it clashes with what is there",
        "413" => "too large",
        "422" => "something in the body is wrong: each problem is named with its field",
        "429" => "too many requests: try again later",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_fall_into_groups_by_what_they_act_on() {
        assert_eq!(
            group_of("/api/orgs/{org}/incidents/{id}/decisions"),
            "incidents"
        );
        assert_eq!(group_of("/api/orgs/{org}/model.xlsx"), "model");
        assert_eq!(group_of("/api/orgs"), "organisations");
        assert_eq!(group_of("/api/orgs/{org}"), "organisations");
        assert_eq!(anchor("GET /api/orgs/{org}"), "get-api-orgs-org");
    }

    #[test]
    fn every_operation_of_the_document_is_on_the_page_with_its_body_fields() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let groups = groups(&doc);
        let count: usize = groups.iter().map(|g| g.operations.len()).sum();
        let in_doc: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|item| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| *k != "parameters")
                    .count()
            })
            .sum();
        assert_eq!(count, in_doc);
        let decisions = groups
            .iter()
            .flat_map(|g| &g.operations)
            .find(|o| o.method == "POST" && o.path == "/api/orgs/{org}/incidents/{id}/decisions")
            .unwrap();
        let fields: Vec<&str> = decisions.body.iter().map(|f| f.name.as_str()).collect();
        for field in ["decision", "rationale", "decided_at", "decision_maker"] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
        assert!(
            decisions
                .params
                .iter()
                .any(|p| p.name == "org" && p.required)
        );
    }
}
