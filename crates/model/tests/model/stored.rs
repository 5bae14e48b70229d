//! Models kept item by item: an edit checked incrementally says exactly what a full check of
//! the edited model says, and the model it leaves is the one a fresh read of the items gives.

use super::examples;
use bulwark_model::export::to_value;
use bulwark_model::load;
use bulwark_model::read::List;
use bulwark_model::stored::{Change, edit, load_items};
use bulwark_model::{Loaded, Severity};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::sync::OnceLock;

/// The items as a database keeps them: in list order, each with its list.
#[derive(Clone)]
struct Items {
    items: Vec<(List, Value)>,
    extensions: Vec<(String, Value)>,
}

impl Items {
    fn of(loaded: &Loaded) -> Items {
        let doc = to_value(&loaded.model);
        let mut items = Vec::new();
        let mut extensions = Vec::new();
        for (key, value) in doc.as_object().unwrap() {
            match List::from_key(key) {
                Some(list) => {
                    for v in value.as_array().unwrap() {
                        items.push((list, v.clone()));
                    }
                }
                None if key.starts_with("x-") => extensions.push((key.clone(), value.clone())),
                None => {}
            }
        }
        items.sort_by_key(|(l, _)| List::ALL.iter().position(|x| x == l));
        Items { items, extensions }
    }

    fn load(&self) -> Loaded {
        load_items(
            self.items.iter().map(|(l, v)| (*l, v)),
            self.extensions.clone(),
        )
    }

    fn ids(&self, list: List) -> Vec<String> {
        self.items
            .iter()
            .filter(|(l, _)| *l == list)
            .map(|(_, v)| v["id"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// What the store does with a change: replace in place, add at the end of its list, or
    /// delete.
    fn apply(&mut self, list: List, change: Change<'_>) {
        match change {
            Change::Put(body) => {
                let id = body["id"].as_str().unwrap_or_default();
                match self
                    .items
                    .iter()
                    .position(|(l, v)| *l == list && v["id"].as_str() == Some(id))
                {
                    Some(i) => self.items[i].1 = body.clone(),
                    None => {
                        let end = self
                            .items
                            .iter()
                            .rposition(|(l, _)| {
                                List::ALL.iter().position(|x| x == l)
                                    <= List::ALL.iter().position(|x| *x == list)
                            })
                            .map_or(0, |i| i + 1);
                        self.items.insert(end, (list, body.clone()));
                    }
                }
            }
            Change::Delete(id) => self
                .items
                .retain(|(l, v)| !(*l == list && v["id"].as_str() == Some(id))),
        }
    }
}

/// Every problem as (file, line, column, severity, message), in one order.
fn problems(loaded: &Loaded) -> Vec<(String, u32, u32, bool, String)> {
    let mut out: Vec<_> = loaded
        .diagnostics
        .iter()
        .map(|d| {
            (
                loaded.sources.path(d.pos.file).display().to_string(),
                d.pos.line,
                d.pos.column,
                d.severity == Severity::Error,
                d.message.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

fn demo() -> &'static Items {
    static DEMO: OnceLock<Items> = OnceLock::new();
    DEMO.get_or_init(|| Items::of(&load(&examples().join("demo-council/council.yaml"))))
}

const LISTS: [List; 5] = [
    List::Skills,
    List::Services,
    List::Assets,
    List::Risks,
    List::Scenarios,
];

/// One random change, from a few random numbers: renames, new needs (existing ids of any
/// kind, the item itself, unknown ids), new and duplicate ids, deletions, broken fields,
/// objectives and staffing that change warnings.
fn change_of(items: &Items, list: List, which: usize, op: u8, picks: &[usize]) -> (Value, bool) {
    let mine: Vec<&Value> = items
        .items
        .iter()
        .filter(|(l, _)| *l == list)
        .map(|(_, v)| v)
        .collect();
    let mut body = mine[which % mine.len()].clone();
    let all: Vec<String> = LISTS.iter().flat_map(|l| items.ids(*l)).collect();
    let pick = |i: usize| all[picks.get(i).copied().unwrap_or(0) % all.len()].clone();
    let refs: Vec<Value> = (0..picks.len()).map(|i| Value::from(pick(i))).collect();
    match op {
        0 => body["name"] = json!("Renamed"),
        1 => match list {
            List::Services | List::Assets => {
                // Sometimes the item itself, or one that needs it: a cycle.
                let id = body["id"].clone();
                let dependants: Vec<&Value> = items
                    .items
                    .iter()
                    .filter(|(_, v)| v["needs"].to_string().contains(&format!("{id}")))
                    .map(|(_, v)| &v["id"])
                    .collect();
                body["needs"] = match picks.first().map(|p| p % 3) {
                    Some(0) => json!([id]),
                    Some(1) if !dependants.is_empty() => {
                        json!(["nowhere-else", dependants[picks[0] % dependants.len()]])
                    }
                    _ => Value::Array(refs),
                };
            }
            List::Skills => body["can_cover"] = Value::Array(refs),
            List::Risks => body["scenario"] = Value::from(pick(0)),
            _ => body["events"] = json!([{"outage": pick(0), "at": "1h"}]),
        },
        2 => match list {
            List::Services | List::Assets => {
                body["needs"] = json!({"any": [pick(0), "nowhere-at-all"]})
            }
            _ => body["name"] = json!(""),
        },
        3 => body["id"] = json!(format!("new-item-{}", picks.first().unwrap_or(&0) % 3)),
        4 => body["id"] = Value::from(pick(0)),
        5 => return (Value::from(body["id"].as_str().unwrap_or_default()), true),
        6 => match list {
            List::Services => {
                let rto = ["1h", "2d", "60d"][picks.len() % 3];
                body["rto"] = json!(rto);
            }
            List::Assets => {
                let rto = ["1h", "9d"][picks.len() % 2];
                body["recovery"] = json!({ "rto": rto });
            }
            List::Skills => body["headcount"] = json!(picks.len()),
            List::Scenarios => body["horizon"] = json!("1h"),
            _ => body["likelihood"] = json!(9),
        },
        7 => match list {
            List::Services => {
                body["staff"] = json!([{"skill": pick(0), "fte": 400}]);
            }
            List::Assets => {
                body.as_object_mut().unwrap().remove("kind");
            }
            _ => body["x-note"] = json!({"kept": true}),
        },
        _ => match list {
            List::Services | List::Assets => body["organisation"] = json!("elsewhere"),
            _ => body["tags"] = json!(["a", "b"]),
        },
    }
    (body, false)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A few edits in a row, as a planner makes them: each checked incrementally on the model
    /// the last one left. Each gives the problems a full check of the edited items gives,
    /// and, when it is accepted, leaves the model a fresh read gives.
    #[test]
    fn incremental_edits_agree_with_a_full_check(
        edits in proptest::collection::vec(
            (0usize..5, any::<usize>(), 0u8..9, proptest::collection::vec(any::<usize>(), 0..4)),
            1..4,
        )
    ) {
        let mut items = demo().clone();
        let mut current = items.load();
        prop_assert!(current.is_valid());
        for (list, which, op, picks) in edits {
            let list = LISTS[list];
            let (value, delete) = change_of(&items, list, which, op, &picks);
            let change = if delete {
                Change::Delete(value.as_str().unwrap())
            } else {
                Change::Put(&value)
            };
            let got = edit(&current, list, change).expect("a valid model read item by item");
            let mut edited = items.clone();
            edited.apply(list, change);
            let full = edited.load();
            prop_assert_eq!(got.is_valid(), full.is_valid());
            prop_assert_eq!(problems(&got), problems(&full));
            prop_assert_eq!(to_value(&got.model), to_value(&full.model));
            if got.is_valid() {
                items = edited;
                current = got;
            }
        }
    }
}

#[test]
fn an_edit_is_checked_from_the_model_as_it_was_read() {
    let items = demo();
    let base = items.load();
    assert!(base.is_valid());
    // A model read from one file is not kept item by item: the caller reads it again.
    let from_file = load(&examples().join("demo-council/council.yaml"));
    let body = items
        .items
        .iter()
        .find(|(l, _)| *l == List::Services)
        .unwrap()
        .1
        .clone();
    assert!(edit(&from_file, List::Services, Change::Put(&body)).is_none());
    // Organisations are checked in full, and so is a model that already has errors.
    assert!(edit(&base, List::Organisations, Change::Delete("x")).is_none());
    let mut broken = body.clone();
    broken["needs"] = json!(["nowhere-at-all"]);
    let invalid = edit(&base, List::Services, Change::Put(&broken)).unwrap();
    assert!(!invalid.is_valid());
    let message = &invalid.diagnostics[0];
    assert!(
        message.message.contains("unknown id `nowhere-at-all`"),
        "{message:?}"
    );
    assert_eq!(
        invalid.sources.path(message.pos.file).display().to_string(),
        format!("services/{}.json", body["id"].as_str().unwrap())
    );
    assert!(edit(&invalid, List::Services, Change::Put(&body)).is_none());
}
