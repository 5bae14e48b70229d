//! Models kept item by item, as the web app's database keeps them: each item is a JSON value,
//! read as a file of its own (`services/home-care.json`, positions as in the item's
//! pretty-printed JSON), so a problem points into the item it is about and an item's
//! positions do not move when another item changes.
//!
//! [`edit`] changes one item of a valid model and checks only what the change can affect:
//! the item itself (what it names, its organisation, a duplicate of its id, a cycle through
//! it), and, when it goes, whatever still names it. Warnings are worked out again only for the
//! items whose warnings can change. The result is the model [`load_items`] would give for the
//! edited items, with the same problems (`tests/model.rs` checks this on random edits).

use crate::diag::{Diagnostics, Sources};
use crate::load::Loaded;
use crate::node::from_json;
use crate::read::{Item, List, read_item};
use crate::types::*;
use crate::validate::{
    IdIndex, Organisations, Rtos, check_asset_refs, check_risk_refs, check_scenario,
    check_service_refs, check_skill_refs, check_staffing_of, on_a_cycle, staff_needed, validate,
};
use serde_json::Value;
use std::collections::HashSet;
use std::path::PathBuf;

/// The name an item's source takes: its list and id, like `services/home-care.json`.
pub fn item_path(list: List, id: &str) -> PathBuf {
    PathBuf::from(format!("{}/{id}.json", list.key()))
}

fn body_id(body: &Value) -> &str {
    body.get("id").and_then(Value::as_str).unwrap_or_default()
}

/// Reads and checks a model given item by item (in list order, as [`List::ALL`]) with its
/// top-level `x-` keys, each item as a source of its own named by [`item_path`].
pub fn load_items<'a>(
    items: impl IntoIterator<Item = (List, &'a Value)>,
    extensions: Extensions,
) -> Loaded {
    let mut sources = Sources::default();
    let mut d = Diagnostics::default();
    let mut model = Model::default();
    for (list, body) in items {
        let file = sources.add(item_path(list, body_id(body)));
        if let Some(item) = read_item(list, &from_json(body, file), &mut d) {
            put(&mut model, None, item);
        }
    }
    model.extensions = extensions;
    validate(&model, &sources, &mut d);
    Loaded {
        model,
        sources,
        diagnostics: d.sorted(),
    }
}

/// One change to one item.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    /// Create the item, or replace the one with its id (keeping its place).
    Put(&'a Value),
    /// Delete the item with this id.
    Delete(&'a str),
}

/// The model `base` (read by [`load_items`], or made by an earlier edit) after `change` to an
/// item of `list`, with every problem of the result. `None` when it cannot be worked out
/// from `base` alone, so the caller reads the whole model again: when `base` has errors (the
/// problems of its other items would have to be read again), when `base` was not read item
/// by item, and for organisations (on which every item's check depends).
pub fn edit(base: &Loaded, list: List, change: Change<'_>) -> Option<Loaded> {
    if !base.is_valid() || list == List::Organisations || !item_by_item(base) {
        return None;
    }
    let id = match change {
        Change::Put(body) => body_id(body),
        Change::Delete(id) => id,
    };
    let at = index_of(&base.model, list, id);
    let mut sources = base.sources.clone();
    let path = item_path(list, id);
    let file = match at.map(|i| meta_at(&base.model, list, i).pos.file) {
        Some(file) if sources.path(file) == path => file,
        Some(_) => return None,
        None => sources.add(path),
    };
    let mut d = Diagnostics::default();
    let item = match change {
        Change::Put(body) => read_item(list, &from_json(body, file), &mut d),
        Change::Delete(_) => None,
    };
    if at.is_none() && item.is_none() && !d.has_errors() {
        // Nothing to delete: the model is unchanged.
        return Some(Loaded {
            model: base.model.clone(),
            sources: base.sources.clone(),
            diagnostics: base.diagnostics.clone(),
        });
    }
    let present = item.is_some();
    let mut model = base.model.clone();
    let at = match item {
        Some(item) => Some(put(&mut model, at, item)),
        None => {
            if let Some(i) = at {
                remove(&mut model, list, i);
            }
            None
        }
    };
    if d.has_errors() || !stays_valid(&model, &sources, list, id, at, !present) {
        // Rare: say exactly what is wrong, from a full check of the (already read) model.
        validate(&model, &sources, &mut d);
        return Some(Loaded {
            model,
            sources,
            diagnostics: d.sorted(),
        });
    }
    // Valid: `base` had only warnings. Keep those of the items the change cannot affect and
    // work out again those of the items it can.
    let mut affected: HashSet<u32> = HashSet::from([file]);
    let needed_by: Vec<usize> = match list {
        List::Services | List::Assets => model
            .services
            .iter()
            .enumerate()
            .filter(|(_, s)| depends_on(s, id))
            .map(|(i, _)| i)
            .collect(),
        _ => Vec::new(),
    };
    for &i in &needed_by {
        affected.insert(model.services[i].meta.pos.file);
    }
    let staffing = matches!(list, List::Services | List::Skills);
    if staffing {
        affected.extend(model.skills.iter().map(|s| s.meta.pos.file));
    }
    for d_old in &base.diagnostics {
        if !affected.contains(&d_old.pos.file) {
            d.push(d_old.clone());
        }
    }
    if matches!(list, List::Services | List::Assets) {
        let rtos = Rtos::build(&model);
        let mut services: Vec<usize> = needed_by;
        if let (List::Services, Some(i)) = (list, at) {
            services.push(i);
        }
        services.sort_unstable();
        services.dedup();
        for i in services {
            rtos.check(&model.services[i], &mut d);
        }
    }
    if staffing {
        let need = staff_needed(&model);
        for sk in &model.skills {
            check_staffing_of(sk, &need, &mut d);
        }
    }
    if let (List::Scenarios, Some(i)) = (list, at) {
        let mut scratch = Diagnostics::default();
        let index = IdIndex::build(&model, &sources, &mut scratch);
        check_scenario(&model.scenarios[i], &index, &mut scratch);
        for w in scratch.sorted() {
            d.push(w);
        }
    }
    Some(Loaded {
        model,
        sources,
        diagnostics: d.sorted(),
    })
}

/// True when every item of the model has a source of its own, as [`load_items`] gives.
fn item_by_item(loaded: &Loaded) -> bool {
    let mut seen = vec![false; loaded.sources.files().len()];
    List::ALL.into_iter().all(|list| {
        (0..len(&loaded.model, list)).all(|i| {
            let file = meta_at(&loaded.model, list, i).pos.file as usize;
            match seen.get_mut(file) {
                Some(s) if !*s => {
                    *s = true;
                    true
                }
                _ => false,
            }
        })
    })
}

/// Whether the edited model has no errors, given that the model before the edit had none:
/// only the item at `at` of `list` (if it is there) changed, or the item `id` went
/// (`removed`). Looks only at what the change can affect.
fn stays_valid(
    model: &Model,
    sources: &Sources,
    list: List,
    id: &str,
    at: Option<usize>,
    removed: bool,
) -> bool {
    let mut e = Diagnostics::default();
    // Built over every id, to find the one duplicate the edit may have made.
    let index = IdIndex::build(model, sources, &mut e);
    if e.has_errors() {
        return false;
    }
    if let Some(i) = at {
        let orgs = Organisations::build(model, &mut e);
        match list {
            List::Services => {
                let s = &model.services[i];
                check_service_refs(s, &index, &mut e);
                orgs.check_owner(&s.meta, &s.organisation, "service", &mut e);
            }
            List::Assets => {
                let a = &model.assets[i];
                check_asset_refs(a, &index, &mut e);
                orgs.check_owner(&a.meta, &a.organisation, "asset", &mut e);
                if a.stock.is_none() && resupplied(model, id) {
                    return false;
                }
            }
            List::Skills => check_skill_refs(&model.skills[i], &index, &mut e),
            List::Risks => check_risk_refs(&model.risks[i], &index, &mut e),
            List::Scenarios => check_scenario(&model.scenarios[i], &index, &mut e),
            List::Organisations => return false,
        }
        if e.has_errors() {
            return false;
        }
        if matches!(list, List::Services | List::Assets) && on_a_cycle(model, id) {
            return false;
        }
    }
    !(removed && named_anywhere(model, id))
}

/// True when some scenario resupplies `id`'s stock.
fn resupplied(model: &Model, id: &str) -> bool {
    (model.scenarios.iter().flat_map(|sc| &sc.events))
        .any(|e| matches!(&e.kind, EventKind::Resupply(r) if r.id == id))
}

/// True when service `s` depends on `id`, in its needs or a workaround's.
fn depends_on(s: &Service, id: &str) -> bool {
    let mut found = false;
    s.for_each_dependency(&mut |r| found |= r.id == id);
    found
}

fn names_in(need: &Option<Need>, id: &str) -> bool {
    let mut found = false;
    if let Some(n) = need {
        n.for_each_ref(&mut |r| found |= r.id == id);
    }
    found
}

/// True when any item of `model` names `id`.
fn named_anywhere(model: &Model, id: &str) -> bool {
    model.services.iter().any(|s| {
        depends_on(s, id)
            || (s.staff.iter())
                .chain(s.workarounds.iter().flat_map(|w| &w.staff))
                .any(|st| st.skill.id == id)
    }) || model.assets.iter().any(|a| names_in(&a.needs, id))
        || model
            .skills
            .iter()
            .any(|s| s.can_cover.iter().any(|c| c.id == id))
        || model
            .risks
            .iter()
            .any(|r| r.scenario.as_ref().is_some_and(|s| s.id == id))
        || model.scenarios.iter().any(|sc| {
            sc.suspend.iter().any(|r| r.id == id)
                || sc.events.iter().any(|e| match &e.kind {
                    EventKind::Outage(r) | EventKind::Degrade(r, _) | EventKind::Resupply(r) => {
                        r.id == id
                    }
                    EventKind::Absence(Target::One(r), _)
                    | EventKind::Demand(Target::One(r), _) => r.id == id,
                    EventKind::Absence(Target::All(_), _)
                    | EventKind::Demand(Target::All(_), _) => false,
                })
        })
}

fn len(model: &Model, list: List) -> usize {
    match list {
        List::Organisations => model.organisations.len(),
        List::Skills => model.skills.len(),
        List::Services => model.services.len(),
        List::Assets => model.assets.len(),
        List::Risks => model.risks.len(),
        List::Scenarios => model.scenarios.len(),
    }
}

fn meta_at(model: &Model, list: List, i: usize) -> &Meta {
    match list {
        List::Organisations => &model.organisations[i].meta,
        List::Skills => &model.skills[i].meta,
        List::Services => &model.services[i].meta,
        List::Assets => &model.assets[i].meta,
        List::Risks => &model.risks[i].meta,
        List::Scenarios => &model.scenarios[i].meta,
    }
}

/// Where the first item of `list` with id `id` is.
fn index_of(model: &Model, list: List, id: &str) -> Option<usize> {
    (0..len(model, list)).find(|&i| meta_at(model, list, i).id.as_str() == id)
}

/// Puts `item` at `at` of its list (replacing what is there) or at the end; returns where.
fn put(model: &mut Model, at: Option<usize>, item: Item) -> usize {
    fn place<T>(list: &mut Vec<T>, at: Option<usize>, item: T) -> usize {
        match at {
            Some(i) => {
                list[i] = item;
                i
            }
            None => {
                list.push(item);
                list.len() - 1
            }
        }
    }
    match item {
        Item::Organisation(i) => place(&mut model.organisations, at, i),
        Item::Skill(i) => place(&mut model.skills, at, i),
        Item::Service(i) => place(&mut model.services, at, i),
        Item::Asset(i) => place(&mut model.assets, at, i),
        Item::Risk(i) => place(&mut model.risks, at, i),
        Item::Scenario(i) => place(&mut model.scenarios, at, i),
    }
}

fn remove(model: &mut Model, list: List, i: usize) {
    match list {
        List::Organisations => drop(model.organisations.remove(i)),
        List::Skills => drop(model.skills.remove(i)),
        List::Services => drop(model.services.remove(i)),
        List::Assets => drop(model.assets.remove(i)),
        List::Risks => drop(model.risks.remove(i)),
        List::Scenarios => drop(model.scenarios.remove(i)),
    }
}
