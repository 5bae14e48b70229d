//! Compiles a model into an indexed graph: items and gates as nodes, children before parents.

use bulwark_model::{Criticality, Failure, Model, Need};
use rustc_hash::FxHashMap;

/// Why a model could not be compiled. Only a model that failed validation gives these.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EngineError {
    /// A reference names no asset or service.
    #[error("unknown asset or service `{0}`")]
    UnknownId(String),
    /// A staff entry names no skill.
    #[error("unknown skill `{0}`")]
    UnknownSkill(String),
    /// Needs form a cycle through this item.
    #[error("dependency cycle through `{0}`")]
    Cycle(String),
}

/// What a node of the compiled graph is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// Asset number `i`: its own state, limited by its needs (its one child, if any).
    Asset(u32),
    /// Service number `i`: its needs (its one child, if any), limited by staff.
    Service(u32),
    /// Minimum of the children.
    All,
    /// Maximum of the children.
    Any,
    /// The k-th largest of the children.
    AtLeast(u32),
    /// Workaround number `i` of [`Compiled::workarounds`]: its own capacity (its `capacity`
    /// while in use, 0 otherwise), limited by its needs (its one child, if any). A service's
    /// workarounds are its last children: its capacity is the greatest of theirs and of its
    /// own (own state, staff and needs).
    Workaround(u32),
}

/// An item of the model by kind and dense index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemRef {
    /// A service.
    Service(u32),
    /// An asset.
    Asset(u32),
    /// A skill.
    Skill(u32),
}

/// What the engine keeps of a service.
#[derive(Debug, Clone)]
pub struct ServiceInfo {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its criticality, if given.
    pub criticality: Option<Criticality>,
    /// Capacity below which it is lost.
    pub mbco: f64,
    /// Its node.
    pub node: u32,
    /// Staff needed: (skill index, FTE).
    pub staff: Vec<(u32, f64)>,
    /// People who rely on it.
    pub population: Option<u64>,
    /// Maximum tolerable period of disruption, in minutes.
    pub mtpd: Option<u64>,
}

/// What the engine keeps of a workaround.
#[derive(Debug, Clone)]
pub struct WorkaroundInfo {
    /// The service it belongs to.
    pub service: u32,
    /// What it is.
    pub name: String,
    /// The capacity it gives while in use.
    pub capacity: f64,
    /// Start-up time, in minutes from the moment the service is lost.
    pub after: u64,
    /// The longest it can be kept up in one scenario, in minutes.
    pub lasts: Option<u64>,
    /// Staff it needs: (skill index, FTE).
    pub staff: Vec<(u32, f64)>,
    /// Its node.
    pub node: u32,
    /// Whether the structural analyses count it: its capacity reaches the service's MBCO and
    /// it starts before the service's MTPD (any start-up time, for a service without one).
    pub structural: bool,
}

impl WorkaroundInfo {
    /// Its capacity as the structural analyses count it: `capacity`, or 0 when they ignore it.
    pub fn structural_capacity(&self) -> f64 {
        if self.structural { self.capacity } else { 0.0 }
    }
}

/// What the engine keeps of a standby: an alternative of an `any` or `atleast` that takes time
/// to bring up. Its node is an all-of gate over what it names, so the structural analyses count
/// it as a plain alternative; the simulation holds its own capacity at 0 until it is brought up.
#[derive(Debug, Clone)]
pub struct StandbyInfo {
    /// The `any` or `atleast` node it is an alternative of.
    pub gate: u32,
    /// Its node.
    pub node: u32,
    /// The node of what it names (its node's one child).
    pub part: u32,
    /// How long it takes to bring up, in minutes from the moment it is needed.
    pub switchover: u64,
    /// The asset it names directly (`standby: ID`), if it names one.
    pub asset: Option<u32>,
}

/// What the engine keeps of an asset's stock.
#[derive(Debug, Clone)]
pub struct StockInfo {
    /// The asset.
    pub asset: u32,
    /// How long a full stock lasts in use, in minutes.
    pub lasts: u64,
    /// How long it stays empty before a delivery fills it, in minutes (never without one).
    pub resupply: Option<u64>,
}

/// What the engine keeps of an asset.
#[derive(Debug, Clone)]
pub struct AssetInfo {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its node.
    pub node: u32,
    /// How long it takes to restore, in minutes: its `recovery: {rto}`, else its mean repair time;
    /// `None` when the model does not say.
    pub recovery: Option<u64>,
}

/// What the engine keeps of a skill.
#[derive(Debug, Clone)]
pub struct SkillInfo {
    /// Its id.
    pub id: String,
    /// Full-time equivalents holding it.
    pub headcount: f64,
    /// Total FTE all services need of it.
    pub required: f64,
}

/// A model compiled for analysis.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// Services, by index.
    pub services: Vec<ServiceInfo>,
    /// Assets, by index.
    pub assets: Vec<AssetInfo>,
    /// Skills, by index.
    pub skills: Vec<SkillInfo>,
    /// Workarounds of every service, by index.
    pub workarounds: Vec<WorkaroundInfo>,
    /// Standbys of every `any` and `atleast`, children before parents within each gate.
    pub standbys: Vec<StandbyInfo>,
    /// Stocks of assets, in model order.
    pub stocks: Vec<StockInfo>,
    ids: FxHashMap<String, ItemRef>,
    kinds: Vec<NodeKind>,
    child_start: Vec<u32>,
    children: Vec<u32>,
    order: Vec<u32>,
}

impl Compiled {
    /// Compiles a validated model.
    pub fn new(model: &Model) -> Result<Compiled, EngineError> {
        let mut ids = FxHashMap::default();
        let mut kinds = Vec::new();
        let services: Vec<ServiceInfo> = model
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                ids.insert(s.meta.id.to_string(), ItemRef::Service(i as u32));
                kinds.push(NodeKind::Service(i as u32));
                ServiceInfo {
                    id: s.meta.id.to_string(),
                    name: s.meta.name.clone(),
                    criticality: s.criticality,
                    mbco: s.mbco().fraction(),
                    node: (kinds.len() - 1) as u32,
                    staff: Vec::new(),
                    population: s.population,
                    mtpd: s.mtpd.map(|(d, _)| d.minutes()),
                }
            })
            .collect();
        let assets: Vec<AssetInfo> = model
            .assets
            .iter()
            .enumerate()
            .map(|(i, a)| {
                ids.insert(a.meta.id.to_string(), ItemRef::Asset(i as u32));
                kinds.push(NodeKind::Asset(i as u32));
                AssetInfo {
                    id: a.meta.id.to_string(),
                    name: a.meta.name.clone(),
                    node: (kinds.len() - 1) as u32,
                    recovery: a
                        .recovery_rto
                        .map(|(d, _)| d.minutes())
                        .or(match &a.failure {
                            Some(Failure::Rate { repair, .. }) => Some(repair.minutes()),
                            _ => None,
                        }),
                }
            })
            .collect();
        let mut skills: Vec<SkillInfo> = model
            .skills
            .iter()
            .enumerate()
            .map(|(i, s)| {
                ids.insert(s.meta.id.to_string(), ItemRef::Skill(i as u32));
                SkillInfo {
                    id: s.meta.id.to_string(),
                    headcount: s.headcount,
                    required: 0.0,
                }
            })
            .collect();
        let mut c = Compiled {
            services,
            assets,
            skills: Vec::new(),
            workarounds: Vec::new(),
            standbys: Vec::new(),
            stocks: (model.assets.iter().enumerate())
                .filter_map(|(i, a)| {
                    a.stock.map(|st| StockInfo {
                        asset: i as u32,
                        lasts: st.lasts.minutes(),
                        resupply: st.resupply.map(|d| d.minutes()),
                    })
                })
                .collect(),
            ids,
            kinds,
            child_start: Vec::new(),
            children: Vec::new(),
            order: Vec::new(),
        };
        // Children of item nodes are their needs' root gate; gates are appended after items.
        let items = c.kinds.len();
        let mut lists: Vec<Vec<u32>> = vec![Vec::new(); items];
        let needs = model
            .services
            .iter()
            .map(|s| &s.needs)
            .chain(model.assets.iter().map(|a| &a.needs));
        for (node, need) in needs.enumerate() {
            if let Some(need) = need {
                let root = c.gate(need, &mut lists)?;
                lists[node].push(root);
            }
        }
        for (i, s) in model.services.iter().enumerate() {
            for st in &s.staff {
                let k = c.skill(&st.skill.id)?;
                c.services[i].staff.push((k, st.fte));
                skills[k as usize].required += st.fte;
            }
            for w in &s.workarounds {
                let root = w
                    .needs
                    .as_ref()
                    .map(|n| c.gate(n, &mut lists))
                    .transpose()?;
                let index = c.workarounds.len() as u32;
                c.kinds.push(NodeKind::Workaround(index));
                lists.push(root.into_iter().collect());
                let node = (c.kinds.len() - 1) as u32;
                lists[c.services[i].node as usize].push(node);
                let staff = (w.staff.iter())
                    .map(|st| Ok((c.skill(&st.skill.id)?, st.fte)))
                    .collect::<Result<_, EngineError>>()?;
                let info = &c.services[i];
                let capacity = w.capacity.fraction();
                let after = w.after.minutes();
                let structural = capacity >= info.mbco && info.mtpd.is_none_or(|m| after < m);
                c.workarounds.push(WorkaroundInfo {
                    service: i as u32,
                    name: w.name.clone(),
                    capacity,
                    after,
                    lasts: w.lasts.map(|d| d.minutes()),
                    staff,
                    node,
                    structural,
                });
            }
        }
        c.skills = skills;
        for list in &lists {
            c.child_start.push(c.children.len() as u32);
            c.children.extend_from_slice(list);
        }
        c.child_start.push(c.children.len() as u32);
        c.order = c.topological_order()?;
        Ok(c)
    }

    fn skill(&self, id: &str) -> Result<u32, EngineError> {
        match self.ids.get(id) {
            Some(ItemRef::Skill(k)) => Ok(*k),
            _ => Err(EngineError::UnknownSkill(id.to_string())),
        }
    }

    /// A service node's children: its needs' root (if any) and its workarounds' nodes.
    pub fn service_children(&self, node: u32) -> (Option<u32>, &[u32]) {
        let kids = self.children(node);
        let alts = kids
            .iter()
            .rev()
            .take_while(|k| matches!(self.kind(**k), NodeKind::Workaround(_)))
            .count();
        let (needs, workarounds) = kids.split_at(kids.len() - alts);
        (needs.first().copied(), workarounds)
    }

    /// The capacities at which the structural analyses' thresholds can change what is up: the
    /// services' staff capacities `staff` and the workarounds' structural capacities.
    pub fn levels(&self, staff: &[f64]) -> Vec<f64> {
        let mut v = staff.to_vec();
        v.extend(
            self.workarounds
                .iter()
                .map(WorkaroundInfo::structural_capacity),
        );
        v
    }

    fn gate(&mut self, need: &Need, lists: &mut Vec<Vec<u32>>) -> Result<u32, EngineError> {
        let (kind, parts) = match need {
            Need::Ref(r) => {
                return match self.ids.get(r.id.as_str()) {
                    Some(ItemRef::Service(i)) => Ok(self.services[*i as usize].node),
                    Some(ItemRef::Asset(i)) => Ok(self.assets[*i as usize].node),
                    _ => Err(EngineError::UnknownId(r.id.clone())),
                };
            }
            Need::All(parts, _) => (NodeKind::All, parts),
            Need::Any(parts, _) => (NodeKind::Any, parts),
            Need::AtLeast { k, of, .. } => (NodeKind::AtLeast(*k), of),
            // Outside an `any` or `atleast` (which the format refuses) a standby is what it names.
            Need::Standby { need, .. } => return self.gate(need, lists),
        };
        let mut kids = Vec::with_capacity(parts.len());
        let mut standbys = Vec::new();
        for p in parts {
            match p {
                Need::Standby {
                    need, switchover, ..
                } if kind != NodeKind::All => {
                    let inner = self.gate(need, lists)?;
                    self.kinds.push(NodeKind::All);
                    lists.push(vec![inner]);
                    let node = (self.kinds.len() - 1) as u32;
                    let asset = match (need.as_ref(), self.kind(inner)) {
                        (Need::Ref(_), NodeKind::Asset(i)) => Some(i),
                        _ => None,
                    };
                    standbys.push((node, inner, switchover.minutes(), asset));
                    kids.push(node);
                }
                _ => kids.push(self.gate(p, lists)?),
            }
        }
        self.kinds.push(kind);
        lists.push(kids);
        let gate = (self.kinds.len() - 1) as u32;
        self.standbys
            .extend(
                standbys
                    .into_iter()
                    .map(|(node, part, switchover, asset)| StandbyInfo {
                        gate,
                        node,
                        part,
                        switchover,
                        asset,
                    }),
            );
        Ok(gate)
    }

    /// Every node, children before parents (iterative, so deep chains cannot overflow the stack).
    fn topological_order(&self) -> Result<Vec<u32>, EngineError> {
        let n = self.kinds.len();
        let mut state = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
        let mut order = Vec::with_capacity(n);
        let mut stack: Vec<(u32, u32)> = Vec::new();
        for root in 0..n as u32 {
            if state[root as usize] != 0 {
                continue;
            }
            stack.push((root, 0));
            state[root as usize] = 1;
            while let Some((node, next)) = stack.last_mut() {
                let kids = self.children(*node);
                if let Some(&child) = kids.get(*next as usize) {
                    *next += 1;
                    match state[child as usize] {
                        0 => {
                            state[child as usize] = 1;
                            stack.push((child, 0));
                        }
                        1 => return Err(EngineError::Cycle(self.node_label(child))),
                        _ => {}
                    }
                } else {
                    state[*node as usize] = 2;
                    order.push(*node);
                    stack.pop();
                }
            }
        }
        Ok(order)
    }

    /// The children of `node`.
    pub fn children(&self, node: u32) -> &[u32] {
        let i = node as usize;
        &self.children[self.child_start[i] as usize..self.child_start[i + 1] as usize]
    }

    /// What `node` is.
    pub fn kind(&self, node: u32) -> NodeKind {
        self.kinds[node as usize]
    }

    /// Number of nodes (items and gates).
    pub fn node_count(&self) -> usize {
        self.kinds.len()
    }

    /// Every node, children before parents.
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    /// Looks up an id.
    pub fn lookup(&self, id: &str) -> Option<ItemRef> {
        self.ids.get(id).copied()
    }

    /// Every id the model defines for services, assets and skills.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.ids.keys().map(String::as_str)
    }

    /// The ids of assets given by index, sorted (the order every report lists them in).
    pub fn asset_ids(&self, assets: &[u32]) -> Vec<String> {
        let mut ids: Vec<String> = assets
            .iter()
            .map(|a| self.assets[*a as usize].id.clone())
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The id of an item node, or a description of a gate.
    pub fn node_label(&self, node: u32) -> String {
        match self.kind(node) {
            NodeKind::Asset(i) => self.assets[i as usize].id.clone(),
            NodeKind::Service(i) => self.services[i as usize].id.clone(),
            NodeKind::All => "all of".into(),
            NodeKind::Any => "any of".into(),
            NodeKind::AtLeast(k) => format!("{k} of"),
            NodeKind::Workaround(w) => {
                format!("workaround “{}”", self.workarounds[w as usize].name)
            }
        }
    }

    /// The nodes reachable from `root` (itself included), children before parents.
    pub fn reachable(&self, root: u32) -> Vec<u32> {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut order = Vec::new();
        let mut stack: Vec<(u32, usize)> = vec![(root, 0)];
        seen.insert(root);
        while let Some((node, next)) = stack.last_mut() {
            if let Some(&child) = self.children(*node).get(*next) {
                *next += 1;
                if seen.insert(child) {
                    stack.push((child, 0));
                }
            } else {
                order.push(*node);
                stack.pop();
            }
        }
        order
    }
}
