//! Checks that need the whole model: unique ids, references, cycles, organisations, staffing
//! and recovery objectives.

use crate::diag::{Diagnostics, Pos, Sources};
use crate::types::*;
// Seeded per process, so ids cannot be chosen to collide; much faster than SipHash.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

/// What an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A service.
    Service,
    /// An asset.
    Asset,
    /// A skill.
    Skill,
    /// A risk.
    Risk,
    /// A scenario.
    Scenario,
}

impl ItemKind {
    fn noun(self) -> &'static str {
        let article = self.article();
        article.split_once(' ').map_or(article, |(_, noun)| noun)
    }

    fn article(self) -> &'static str {
        match self {
            Self::Service => "a service",
            Self::Asset => "an asset",
            Self::Skill => "a skill",
            Self::Risk => "a risk",
            Self::Scenario => "a scenario",
        }
    }
}

/// Every id of the model with what it names and where it was defined.
pub struct IdIndex<'m> {
    items: HashMap<&'m str, (ItemKind, Pos)>,
    /// The assets that have a `stock`.
    stocks: std::collections::HashSet<&'m str>,
}

impl<'m> IdIndex<'m> {
    /// Indexes the model, reporting duplicate ids.
    pub fn build(model: &'m Model, sources: &Sources, d: &mut Diagnostics) -> IdIndex<'m> {
        let mut items: HashMap<&'m str, (ItemKind, Pos)> = HashMap::new();
        let all = model
            .services
            .iter()
            .map(|s| (&s.meta, ItemKind::Service))
            .chain(model.assets.iter().map(|a| (&a.meta, ItemKind::Asset)))
            .chain(model.skills.iter().map(|s| (&s.meta, ItemKind::Skill)))
            .chain(model.risks.iter().map(|r| (&r.meta, ItemKind::Risk)))
            .chain(
                model
                    .scenarios
                    .iter()
                    .map(|s| (&s.meta, ItemKind::Scenario)),
            );
        for (meta, kind) in all {
            if let Some((first_kind, first)) = items.get(meta.id.as_str()) {
                d.error(
                    meta.pos,
                    format!(
                        "duplicate id `{}`: already used by {} at {}",
                        meta.id,
                        first_kind.article(),
                        sources.place(*first),
                    ),
                );
            } else {
                items.insert(meta.id.as_str(), (kind, meta.pos));
            }
        }
        let stocks = (model.assets.iter())
            .filter(|a| a.stock.is_some())
            .map(|a| a.meta.id.as_str())
            .collect();
        IdIndex { items, stocks }
    }

    /// What `id` names, if anything.
    pub fn kind(&self, id: &str) -> Option<ItemKind> {
        self.items.get(id).map(|(k, _)| *k)
    }

    /// Checks that `r` names one of `allowed`; `role` describes the place, e.g. "`needs`".
    pub(crate) fn check(&self, r: &Ref, allowed: &[ItemKind], role: &str, d: &mut Diagnostics) {
        match self.kind(&r.id) {
            Some(k) if allowed.contains(&k) => {}
            Some(k) => {
                let wanted = allowed
                    .iter()
                    .map(|k| k.article())
                    .collect::<Vec<_>>()
                    .join(" or ");
                d.error(
                    r.pos,
                    format!(
                        "{role} names `{}`, which is {}, not {wanted}",
                        r.id,
                        k.article()
                    ),
                )
            }
            None => {
                let candidates = self
                    .items
                    .iter()
                    .filter(|(_, (k, _))| allowed.contains(k))
                    .map(|(id, _)| *id);
                let nouns = allowed
                    .iter()
                    .map(|k| k.noun())
                    .collect::<Vec<_>>()
                    .join(" or ");
                let msg = format!("unknown id `{}` in {role}: no {nouns} has this id", r.id);
                let msg = d.hint(msg, &r.id, candidates);
                d.error(r.pos, msg);
            }
        }
    }
}

/// Checks everything that spans items. Problems found while reading are already in `d`.
pub fn validate(model: &Model, sources: &Sources, d: &mut Diagnostics) {
    let index = IdIndex::build(model, sources, d);
    if model.services.len() + model.assets.len() < PARALLEL_FROM {
        check_cycles(model, &index, d);
        check_the_rest(model, &index, d);
        return;
    }
    // The search for cycles gives no hints, so it runs beside the other checks on a large
    // model without changing what they say (problems are sorted by place in the end).
    std::thread::scope(|scope| {
        let cycles = scope.spawn(|| {
            let mut found = Diagnostics::default();
            check_cycles(model, &index, &mut found);
            found
        });
        check_the_rest(model, &index, d);
        match cycles.join() {
            Ok(found) => d.append(found),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
}

/// Items (services and assets) from which [`validate`] looks for cycles on a second thread.
const PARALLEL_FROM: usize = 20_000;

fn check_the_rest(model: &Model, index: &IdIndex<'_>, d: &mut Diagnostics) {
    check_organisations(model, d);
    for s in &model.services {
        check_service_refs(s, index, d);
    }
    for a in &model.assets {
        check_asset_refs(a, index, d);
    }
    for s in &model.skills {
        check_skill_refs(s, index, d);
    }
    for r in &model.risks {
        check_risk_refs(r, index, d);
    }
    for sc in &model.scenarios {
        check_scenario(sc, index, d);
    }
    check_recovery_objectives(model, d);
    check_staffing(model, d);
}

const DEPENDABLE: [ItemKind; 2] = [ItemKind::Asset, ItemKind::Service];

/// Checks what a service names: its needs and its staff's skills.
pub(crate) fn check_service_refs(s: &Service, index: &IdIndex<'_>, d: &mut Diagnostics) {
    if let Some(n) = &s.needs {
        n.for_each_ref(&mut |r| index.check(r, &DEPENDABLE, "`needs`", d));
    }
    for st in &s.staff {
        index.check(&st.skill, &[ItemKind::Skill], "`staff`", d);
    }
    for w in &s.workarounds {
        if let Some(n) = &w.needs {
            n.for_each_ref(&mut |r| index.check(r, &DEPENDABLE, "the workaround's `needs`", d));
        }
        for st in &w.staff {
            index.check(&st.skill, &[ItemKind::Skill], "the workaround's `staff`", d);
        }
    }
}

/// Checks what an asset needs.
pub(crate) fn check_asset_refs(a: &Asset, index: &IdIndex<'_>, d: &mut Diagnostics) {
    if let Some(n) = &a.needs {
        n.for_each_ref(&mut |r| index.check(r, &DEPENDABLE, "`needs`", d));
    }
}

/// Checks the skills a skill can cover.
pub(crate) fn check_skill_refs(s: &Skill, index: &IdIndex<'_>, d: &mut Diagnostics) {
    for c in &s.can_cover {
        index.check(c, &[ItemKind::Skill], "`can_cover`", d);
    }
}

/// Checks the scenario a risk names.
pub(crate) fn check_risk_refs(r: &Risk, index: &IdIndex<'_>, d: &mut Diagnostics) {
    if let Some(s) = &r.scenario {
        index.check(s, &[ItemKind::Scenario], "`scenario`", d);
    }
}

/// Checks a scenario's events: what they name, absence profiles, times past the horizon.
pub(crate) fn check_scenario(sc: &Scenario, index: &IdIndex<'_>, d: &mut Diagnostics) {
    for r in &sc.suspend {
        index.check(r, &[ItemKind::Service], "`suspend`", d);
    }
    for e in &sc.events {
        match &e.kind {
            EventKind::Outage(r) | EventKind::Degrade(r, _) => {
                index.check(r, &DEPENDABLE, "the event", d)
            }
            EventKind::Absence(Target::One(r), profile) => {
                index.check(r, &[ItemKind::Skill], "`absence`", d);
                check_profile(profile, e.pos, d);
            }
            EventKind::Absence(Target::All(_), profile) => check_profile(profile, e.pos, d),
            EventKind::Demand(Target::One(r), _) => {
                index.check(r, &[ItemKind::Service], "`demand`", d)
            }
            EventKind::Demand(Target::All(_), _) => {}
            EventKind::Resupply(r) => {
                index.check(r, &[ItemKind::Asset], "`resupply`", d);
                if index.kind(&r.id) == Some(ItemKind::Asset)
                    && !index.stocks.contains(r.id.as_str())
                {
                    d.error(
                        r.pos,
                        format!(
                            "`resupply` names `{}`, which has no `stock` to fill; give the asset `stock: {{lasts: ...}}` or name one that has",
                            r.id
                        ),
                    );
                }
            }
        }
        if let Some(h) = sc.horizon
            && e.at > h
        {
            d.warning(
                e.pos,
                format!(
                    "this event starts at {}, after the scenario's horizon of {h}",
                    e.at
                ),
            );
        }
    }
}

fn check_profile(
    profile: &[(crate::values::Duration, crate::values::Percent)],
    pos: Pos,
    d: &mut Diagnostics,
) {
    if profile.is_empty() {
        d.error(
            pos,
            "an absence `profile` needs at least one point, like `[[0d, 10%]]`",
        );
    }
}

/// The model's organisations, by id, as written.
pub(crate) struct Organisations<'m> {
    seen: HashMap<&'m str, Pos>,
    /// In the order written, so that hints do not depend on hashing.
    ids: Vec<&'m str>,
}

impl<'m> Organisations<'m> {
    /// Indexes the organisations, reporting duplicate ids.
    pub(crate) fn build(model: &'m Model, d: &mut Diagnostics) -> Organisations<'m> {
        let mut seen: HashMap<&str, Pos> = HashMap::new();
        for o in &model.organisations {
            if seen.insert(o.meta.id.as_str(), o.meta.pos).is_some() {
                d.error(
                    o.meta.pos,
                    format!("duplicate organisation id `{}`", o.meta.id),
                );
            }
        }
        let ids = model
            .organisations
            .iter()
            .map(|o| o.meta.id.as_str())
            .collect();
        Organisations { seen, ids }
    }

    /// Checks the organisation a service or asset (`what`) names, or that it names one when
    /// the model has several.
    pub(crate) fn check_owner(
        &self,
        meta: &Meta,
        org: &Option<Ref>,
        what: &str,
        d: &mut Diagnostics,
    ) {
        match org {
            Some(r) if !self.seen.contains_key(r.id.as_str()) => {
                let msg = format!("unknown organisation `{}`", r.id);
                let msg = d.hint(msg, &r.id, self.ids.iter().copied());
                d.error(r.pos, msg);
            }
            None if self.ids.len() > 1 => d.error(
                meta.pos,
                format!("the model has several organisations, so {what} `{}` must name its `organisation`", meta.id),
            ),
            _ => {}
        }
    }
}

fn check_organisations(model: &Model, d: &mut Diagnostics) {
    let orgs = Organisations::build(model, d);
    let owned = model
        .services
        .iter()
        .map(|s| (&s.meta, &s.organisation, "service"))
        .chain(
            model
                .assets
                .iter()
                .map(|a| (&a.meta, &a.organisation, "asset")),
        );
    for (meta, org, what) in owned {
        orgs.check_owner(meta, org, what, d);
    }
}

/// True when what `id` needs leads back to it: the only cycles an edit of `id` can make.
pub(crate) fn on_a_cycle(model: &Model, id: &str) -> bool {
    let mut needs: HashMap<&str, Dependencies<'_>> = HashMap::new();
    let items = model
        .services
        .iter()
        .map(|s| (&s.meta, Dependencies::Service(s)))
        .chain(
            model
                .assets
                .iter()
                .map(|a| (&a.meta, Dependencies::Asset(a))),
        );
    for (meta, deps) in items {
        needs.entry(meta.id.as_str()).or_insert(deps);
    }
    let mut stack: Vec<&str> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    if let Some(n) = needs.get(id) {
        n.for_each(&mut |r| stack.push(&r.id));
    }
    while let Some(at) = stack.pop() {
        if at == id {
            return true;
        }
        if seen.insert(at)
            && let Some(n) = needs.get(at)
        {
            n.for_each(&mut |r| stack.push(&r.id));
        }
    }
    false
}

/// What an item depends on: an asset's needs, or a service's needs and its workarounds' needs.
#[derive(Clone, Copy)]
enum Dependencies<'m> {
    Service(&'m Service),
    Asset(&'m Asset),
}

impl<'m> Dependencies<'m> {
    fn for_each(self, f: &mut impl FnMut(&'m Ref)) {
        match self {
            Dependencies::Service(s) => s.for_each_dependency(f),
            Dependencies::Asset(a) => {
                if let Some(n) = &a.needs {
                    n.for_each_ref(f);
                }
            }
        }
    }
}

/// Reports each dependency cycle once, with the whole cycle.
fn check_cycles(model: &Model, index: &IdIndex<'_>, d: &mut Diagnostics) {
    use petgraph::graph::{DiGraph, NodeIndex};
    let mut graph: DiGraph<&str, Pos> = DiGraph::new();
    let mut nodes: HashMap<&str, NodeIndex> = HashMap::new();
    let mut edges: HashSet<(NodeIndex, NodeIndex)> = HashSet::new();
    let items = model
        .services
        .iter()
        .map(|s| (&s.meta, Dependencies::Service(s)))
        .chain(
            model
                .assets
                .iter()
                .map(|a| (&a.meta, Dependencies::Asset(a))),
        );
    let items: Vec<_> = items
        .filter(|(m, _)| index.kind(m.id.as_str()).is_some())
        .collect();
    for (meta, _) in &items {
        nodes
            .entry(meta.id.as_str())
            .or_insert_with(|| graph.add_node(meta.id.as_str()));
    }
    for (meta, needs) in &items {
        let from = nodes[meta.id.as_str()];
        needs.for_each(&mut |r| {
            if let Some(&to) = nodes.get(r.id.as_str())
                && edges.insert((from, to))
            {
                graph.add_edge(from, to, r.pos);
            }
        });
    }
    for scc in petgraph::algo::tarjan_scc(&graph) {
        let start = *scc.iter().min().expect("components are not empty");
        let self_loop = graph.find_edge(start, start);
        if scc.len() == 1 && self_loop.is_none() {
            continue;
        }
        // Walk inside the component from `start` back to it: a shortest cycle through `start`.
        let inside: HashSet<NodeIndex> = scc.iter().copied().collect();
        let mut prev: HashMap<NodeIndex, NodeIndex> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut closing = None;
        'search: while let Some(n) = queue.pop_front() {
            for next in graph.neighbors(n) {
                if next == start {
                    closing = Some(n);
                    break 'search;
                }
                if inside.contains(&next) && !prev.contains_key(&next) {
                    prev.insert(next, n);
                    queue.push_back(next);
                }
            }
        }
        let Some(mut at) = closing else { continue };
        let mut path = vec![start];
        while at != start {
            path.push(at);
            at = prev[&at];
        }
        path[1..].reverse();
        path.push(start);
        let names: Vec<&str> = path.iter().map(|n| graph[*n]).collect();
        let edge = graph
            .find_edge(path[0], path[1])
            .expect("edge on the cycle");
        d.error(
            graph[edge],
            format!(
                "dependency cycle: {} (each needs the next, so none can ever recover)",
                names.join(" → ")
            ),
        );
    }
}

/// The recovery times of assets and the RTOs of services, by id.
pub(crate) struct Rtos<'m> {
    assets: HashMap<&'m str, crate::values::Duration>,
    services: HashMap<&'m str, crate::values::Duration>,
}

impl<'m> Rtos<'m> {
    pub(crate) fn build(model: &'m Model) -> Rtos<'m> {
        Rtos {
            assets: model
                .assets
                .iter()
                .filter_map(|a| Some((a.meta.id.as_str(), a.recovery_rto?.0)))
                .collect(),
            services: model
                .services
                .iter()
                .filter_map(|s| Some((s.meta.id.as_str(), s.rto?.0)))
                .collect(),
        }
    }

    /// Warns where something `s` needs takes longer to recover than its RTO.
    pub(crate) fn check(&self, s: &Service, d: &mut Diagnostics) {
        let (Some((rto, _)), Some(needs)) = (s.rto, &s.needs) else {
            return;
        };
        needs.for_each_ref(&mut |r| {
            let (dep, what) = match (
                self.assets.get(r.id.as_str()),
                self.services.get(r.id.as_str()),
            ) {
                (Some(dep), _) => (*dep, "can only be recovered in"),
                (None, Some(dep)) => (*dep, "has an RTO of"),
                _ => return,
            };
            if dep > rto {
                d.warning(
                    r.pos,
                    format!(
                        "`{}` {what} {dep}, longer than the RTO of `{}` ({rto}) that needs it",
                        r.id, s.meta.id
                    ),
                );
            }
        });
    }
}

/// Warns where a dependency's recovery time exceeds its dependent service's RTO.
fn check_recovery_objectives(model: &Model, d: &mut Diagnostics) {
    let rtos = Rtos::build(model);
    for s in &model.services {
        rtos.check(s, d);
    }
}

/// The full-time equivalents the services need of each skill.
pub(crate) fn staff_needed(model: &Model) -> HashMap<&str, f64> {
    let mut need: HashMap<&str, f64> = HashMap::new();
    for s in &model.services {
        for st in &s.staff {
            *need.entry(st.skill.id.as_str()).or_default() += st.fte;
        }
    }
    need
}

/// Warns when services need more of skill `sk` than its headcount.
pub(crate) fn check_staffing_of(sk: &Skill, need: &HashMap<&str, f64>, d: &mut Diagnostics) {
    let required = need.get(sk.meta.id.as_str()).copied().unwrap_or(0.0);
    if required > sk.headcount + 1e-9 {
        d.warning(
            sk.meta.pos,
            format!(
                "services need {required} FTE of `{}` but its headcount is {}: every service using it runs below full capacity",
                sk.meta.id, sk.headcount
            ),
        );
    }
}

/// Warns where services together need more staff of a skill than its headcount.
fn check_staffing(model: &Model, d: &mut Diagnostics) {
    let need = staff_needed(model);
    for sk in &model.skills {
        check_staffing_of(sk, &need, d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Id;
    use std::time::{Duration, Instant};

    fn meta(id: String) -> Meta {
        Meta {
            id: Id::parse(&id).expect("a valid id"),
            name: id,
            ..Meta::default()
        }
    }

    fn reference(id: String) -> Ref {
        Ref {
            id,
            pos: Pos::default(),
        }
    }

    /// Organisations and dependencies are looked up by hash: these took minutes when every
    /// reference was checked against every organisation and every edge already drawn.
    #[test]
    fn many_organisations_and_a_long_needs_list_validate_quickly() {
        let n = 50_000;
        let model = Model {
            organisations: (0..n)
                .map(|i| Organisation {
                    meta: meta(format!("org-{i}")),
                    ..Organisation::default()
                })
                .collect(),
            assets: (0..n)
                .map(|i| Asset {
                    meta: meta(format!("a-{i}")),
                    organisation: Some(reference(format!("org-{i}"))),
                    ..Asset::default()
                })
                .collect(),
            services: vec![Service {
                meta: meta("s".into()),
                organisation: Some(reference("org-0".into())),
                needs: Some(Need::All(
                    (0..n)
                        .map(|i| Need::Ref(reference(format!("a-{i}"))))
                        .collect(),
                    Pos::default(),
                )),
                ..Service::default()
            }],
            ..Model::default()
        };
        let mut d = Diagnostics::default();
        let started = Instant::now();
        validate(&model, &Sources::default(), &mut d);
        let took = started.elapsed();
        assert!(d.is_empty(), "{:?}", d.sorted().first());
        assert!(took < Duration::from_secs(10), "took {took:?}");
    }
}
