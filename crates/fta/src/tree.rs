//! The fault tree: basic events, house events and gates, with a builder that resolves names.

use crate::error::{FtaError, Pos, Result};
use rustc_hash::FxHashMap;

/// Index of a basic event in [`FaultTree::basic_events`].
pub type EventId = usize;
/// Index of a gate in [`FaultTree::gates`].
pub type GateId = usize;

/// The logic of a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connective {
    /// All children.
    And,
    /// Any child.
    Or,
    /// At least `k` children.
    AtLeast(u32),
    /// Negation of the single child.
    Not,
    /// Odd number of children true.
    Xor,
    /// Not all children.
    Nand,
    /// No child.
    Nor,
    /// Both children equal.
    Iff,
    /// The single child unchanged.
    Null,
}

impl Connective {
    /// The MEF element name.
    pub fn mef_name(self) -> &'static str {
        match self {
            Connective::And => "and",
            Connective::Or => "or",
            Connective::AtLeast(_) => "atleast",
            Connective::Not => "not",
            Connective::Xor => "xor",
            Connective::Nand => "nand",
            Connective::Nor => "nor",
            Connective::Iff => "iff",
            Connective::Null => "null",
        }
    }
}

/// A resolved child of a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Node {
    /// Another gate.
    Gate(GateId),
    /// A basic event.
    Basic(EventId),
    /// A house event (index in [`FaultTree::house_events`]).
    House(usize),
    /// A Boolean constant.
    Const(bool),
}

/// A basic event with its probability.
#[derive(Debug, Clone, PartialEq)]
pub struct BasicEvent {
    /// Name.
    pub name: String,
    /// Probability in [0, 1].
    pub probability: f64,
}

/// A house event: a constant set by the analyst.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseEvent {
    /// Name.
    pub name: String,
    /// Its state.
    pub state: bool,
}

/// A gate.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    /// Name (generated for anonymous nested formulas).
    pub name: String,
    /// Its logic.
    pub connective: Connective,
    /// Its children.
    pub children: Vec<Node>,
    /// True for a nested formula without a name of its own (written inline by the MEF writer).
    pub inline: bool,
}

/// A fault tree with a designated top gate.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultTree {
    /// Name of the tree.
    pub name: String,
    /// Basic events.
    pub basic_events: Vec<BasicEvent>,
    /// House events.
    pub house_events: Vec<HouseEvent>,
    /// Gates.
    pub gates: Vec<Gate>,
    /// The top gate.
    pub top: GateId,
}

impl FaultTree {
    /// Starts a builder for a tree called `name`.
    pub fn builder(name: impl Into<String>) -> FaultTreeBuilder {
        FaultTreeBuilder::new(name)
    }

    /// The top gate's name.
    pub fn top_name(&self) -> &str {
        &self.gates[self.top].name
    }

    /// Looks up a basic event by name.
    pub fn basic_event(&self, name: &str) -> Option<EventId> {
        self.basic_events.iter().position(|e| e.name == name)
    }
}

/// A child as written by the user of the builder: by name, or a nested formula.
#[derive(Debug, Clone, PartialEq)]
pub enum Child {
    /// A gate by name.
    Gate(String),
    /// A basic event by name.
    Basic(String),
    /// A house event by name.
    House(String),
    /// Any event (gate, basic or house event) by name.
    Event(String),
    /// A constant.
    Const(bool),
    /// An anonymous nested formula.
    Formula(Connective, Vec<(Child, Pos)>),
}

impl Child {
    /// A gate reference.
    pub fn gate(name: impl Into<String>) -> Self {
        Child::Gate(name.into())
    }
    /// A basic event reference.
    pub fn basic(name: impl Into<String>) -> Self {
        Child::Basic(name.into())
    }
    /// An untyped reference.
    pub fn event(name: impl Into<String>) -> Self {
        Child::Event(name.into())
    }
}

struct GateDef {
    name: String,
    connective: Connective,
    children: Vec<(Child, Pos)>,
    pos: Pos,
}

/// Collects definitions by name and resolves them into a [`FaultTree`].
pub struct FaultTreeBuilder {
    name: String,
    basic: Vec<BasicEvent>,
    basic_index: FxHashMap<String, usize>,
    house: Vec<HouseEvent>,
    house_index: FxHashMap<String, usize>,
    gates: Vec<GateDef>,
    gate_index: FxHashMap<String, usize>,
}

impl FaultTreeBuilder {
    fn new(name: impl Into<String>) -> Self {
        FaultTreeBuilder {
            name: name.into(),
            basic: Vec::new(),
            basic_index: FxHashMap::default(),
            house: Vec::new(),
            house_index: FxHashMap::default(),
            gates: Vec::new(),
            gate_index: FxHashMap::default(),
        }
    }

    /// Adds a basic event with its probability.
    pub fn basic_event(&mut self, name: impl Into<String>, probability: f64) -> Result<&mut Self> {
        self.basic_event_at(name.into(), probability, Pos::default())
    }

    /// Adds a basic event, remembering where it was defined (for error messages).
    pub fn basic_event_at(
        &mut self,
        name: String,
        probability: f64,
        pos: Pos,
    ) -> Result<&mut Self> {
        if !(0.0..=1.0).contains(&probability) {
            return Err(FtaError::BadProbability {
                name,
                value: probability,
                pos,
            });
        }
        self.check_new(&name, pos)?;
        self.basic_index.insert(name.clone(), self.basic.len());
        self.basic.push(BasicEvent { name, probability });
        Ok(self)
    }

    /// Adds a house event with its state.
    pub fn house_event(&mut self, name: impl Into<String>, state: bool) -> Result<&mut Self> {
        self.house_event_at(name.into(), state, Pos::default())
    }

    /// Adds a house event, remembering where it was defined.
    pub fn house_event_at(&mut self, name: String, state: bool, pos: Pos) -> Result<&mut Self> {
        self.check_new(&name, pos)?;
        self.house_index.insert(name.clone(), self.house.len());
        self.house.push(HouseEvent { name, state });
        Ok(self)
    }

    /// Adds a gate whose children are given by name.
    pub fn gate(
        &mut self,
        name: impl Into<String>,
        connective: Connective,
        children: impl IntoIterator<Item = Child>,
    ) -> Result<&mut Self> {
        let children = children.into_iter().map(|c| (c, Pos::default())).collect();
        self.gate_at(name.into(), connective, children, Pos::default())
    }

    /// Adds a gate, with positions for each child and for the gate.
    pub fn gate_at(
        &mut self,
        name: String,
        connective: Connective,
        children: Vec<(Child, Pos)>,
        pos: Pos,
    ) -> Result<&mut Self> {
        self.check_new(&name, pos)?;
        self.gate_index.insert(name.clone(), self.gates.len());
        self.gates.push(GateDef {
            name,
            connective,
            children,
            pos,
        });
        Ok(self)
    }

    fn check_new(&self, name: &str, pos: Pos) -> Result<()> {
        let kind = if self.gate_index.contains_key(name) {
            "gate"
        } else if self.basic_index.contains_key(name) {
            "basic event"
        } else if self.house_index.contains_key(name) {
            "house event"
        } else {
            return Ok(());
        };
        Err(FtaError::Duplicate {
            kind,
            name: name.to_string(),
            pos,
        })
    }

    /// Resolves names, checks arity and cycles, and picks the top gate: `top` if given,
    /// otherwise the one gate that no other gate references.
    pub fn build(self, top: Option<&str>) -> Result<FaultTree> {
        let FaultTreeBuilder {
            name,
            basic,
            basic_index,
            house,
            house_index,
            gates: defs,
            gate_index,
        } = self;
        let n_named = defs.len();
        let mut gates: Vec<Gate> = defs
            .iter()
            .map(|d| Gate {
                name: d.name.clone(),
                connective: d.connective,
                children: Vec::new(),
                inline: false,
            })
            .collect();
        let mut positions: Vec<Pos> = defs.iter().map(|d| d.pos).collect();
        let mut referenced = vec![false; n_named];
        let ctx = Resolver {
            basic_index: &basic_index,
            house_index: &house_index,
            gate_index: &gate_index,
        };
        for (gi, d) in defs.into_iter().enumerate() {
            check_arity(&d.name, d.connective, d.children.len(), d.pos)?;
            let mut children = Vec::with_capacity(d.children.len());
            for (c, p) in d.children {
                children.push(ctx.resolve(
                    &d.name,
                    c,
                    p,
                    &mut gates,
                    &mut positions,
                    &mut referenced,
                )?);
            }
            gates[gi].children = children;
        }
        let top = match top {
            Some(t) => *gate_index.get(t).ok_or_else(|| FtaError::Undefined {
                kind: "gate",
                name: t.to_string(),
                pos: Pos::default(),
            })?,
            None => {
                let cands: Vec<usize> = (0..n_named).filter(|&g| !referenced[g]).collect();
                match cands.len() {
                    0 if n_named == 0 => {
                        return Err(FtaError::NoTop("the model defines no gate".into()));
                    }
                    0 => {
                        return Err(FtaError::NoTop(
                            "every gate is referenced by another (cycle?)".into(),
                        ));
                    }
                    1 => cands[0],
                    _ => {
                        let names: Vec<&str> = cands
                            .iter()
                            .take(10)
                            .map(|&g| gates[g].name.as_str())
                            .collect();
                        return Err(FtaError::AmbiguousTop(names.join(", ")));
                    }
                }
            }
        };
        check_cycles(&gates, &positions)?;
        Ok(FaultTree {
            name,
            basic_events: basic,
            house_events: house,
            gates,
            top,
        })
    }
}

struct Resolver<'a> {
    basic_index: &'a FxHashMap<String, usize>,
    house_index: &'a FxHashMap<String, usize>,
    gate_index: &'a FxHashMap<String, usize>,
}

impl Resolver<'_> {
    fn resolve(
        &self,
        parent: &str,
        c: Child,
        p: Pos,
        gates: &mut Vec<Gate>,
        positions: &mut Vec<Pos>,
        referenced: &mut [bool],
    ) -> Result<Node> {
        let undefined = |kind, name: String| FtaError::Undefined { kind, name, pos: p };
        Ok(match c {
            Child::Gate(n) => {
                let g = *self
                    .gate_index
                    .get(&n)
                    .ok_or_else(|| undefined("gate", n))?;
                referenced[g] = true;
                Node::Gate(g)
            }
            Child::Basic(n) => Node::Basic(
                *self
                    .basic_index
                    .get(&n)
                    .ok_or_else(|| undefined("basic event", n))?,
            ),
            Child::House(n) => Node::House(
                *self
                    .house_index
                    .get(&n)
                    .ok_or_else(|| undefined("house event", n))?,
            ),
            Child::Event(n) => {
                if let Some(&g) = self.gate_index.get(&n) {
                    referenced[g] = true;
                    Node::Gate(g)
                } else if let Some(&b) = self.basic_index.get(&n) {
                    Node::Basic(b)
                } else if let Some(&h) = self.house_index.get(&n) {
                    Node::House(h)
                } else {
                    return Err(undefined("event", n));
                }
            }
            Child::Const(b) => Node::Const(b),
            Child::Formula(conn, kids) => {
                let name = format!("{parent}.{}", gates.len());
                check_arity(&name, conn, kids.len(), p)?;
                let id = gates.len();
                gates.push(Gate {
                    name: name.clone(),
                    connective: conn,
                    children: Vec::new(),
                    inline: true,
                });
                positions.push(p);
                let mut children = Vec::with_capacity(kids.len());
                for (k, kp) in kids {
                    children.push(self.resolve(&name, k, kp, gates, positions, referenced)?);
                }
                gates[id].children = children;
                Node::Gate(id)
            }
        })
    }
}

fn check_arity(name: &str, conn: Connective, n: usize, pos: Pos) -> Result<()> {
    let bad = |message: String| {
        Err(FtaError::Invalid {
            element: conn.mef_name().to_string(),
            message: format!("gate '{name}': {message}"),
            pos,
        })
    };
    match conn {
        Connective::Not | Connective::Null if n != 1 => {
            bad(format!("needs exactly 1 argument, has {n}"))
        }
        Connective::Iff if n != 2 => bad(format!("needs exactly 2 arguments, has {n}")),
        Connective::Xor if n < 2 => bad(format!("needs at least 2 arguments, has {n}")),
        Connective::AtLeast(k) if k == 0 || k as usize > n => bad(format!(
            "min={k} must be between 1 and the number of arguments ({n})"
        )),
        Connective::And | Connective::Or | Connective::Nand | Connective::Nor if n == 0 => {
            bad("needs at least 1 argument".into())
        }
        _ => Ok(()),
    }
}

/// Iterative three-colour DFS over gate references.
fn check_cycles(gates: &[Gate], positions: &[Pos]) -> Result<()> {
    let mut colour = vec![0u8; gates.len()];
    for start in 0..gates.len() {
        if colour[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        colour[start] = 1;
        while let Some(&mut (g, ref mut i)) = stack.last_mut() {
            if let Some(child) = gates[g].children.get(*i) {
                *i += 1;
                if let Node::Gate(c) = *child {
                    match colour[c] {
                        0 => {
                            colour[c] = 1;
                            stack.push((c, 0));
                        }
                        1 => {
                            return Err(FtaError::Cycle {
                                name: gates[c].name.clone(),
                                pos: positions[c],
                            });
                        }
                        _ => {}
                    }
                }
            } else {
                colour[g] = 2;
                stack.pop();
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_picks_top() {
        let mut b = FaultTree::builder("t");
        b.basic_event("a", 0.1)
            .unwrap()
            .basic_event("b", 0.2)
            .unwrap();
        b.gate("top", Connective::Or, [Child::gate("g"), Child::basic("a")])
            .unwrap();
        b.gate("g", Connective::And, [Child::event("a"), Child::event("b")])
            .unwrap();
        let t = b.build(None).unwrap();
        assert_eq!(t.top_name(), "top");
    }

    #[test]
    fn detects_cycles_and_undefined() {
        let mut b = FaultTree::builder("t");
        b.basic_event("a", 0.1).unwrap();
        b.gate("top", Connective::Or, [Child::gate("g"), Child::basic("a")])
            .unwrap();
        b.gate("g", Connective::And, [Child::gate("h"), Child::basic("a")])
            .unwrap();
        b.gate("h", Connective::And, [Child::gate("g"), Child::basic("a")])
            .unwrap();
        assert!(matches!(b.build(Some("top")), Err(FtaError::Cycle { .. })));
        let mut b = FaultTree::builder("t");
        b.gate("top", Connective::Or, [Child::basic("zz")]).unwrap();
        assert!(matches!(b.build(None), Err(FtaError::Undefined { .. })));
    }

    #[test]
    fn ambiguous_top() {
        let mut b = FaultTree::builder("t");
        b.basic_event("a", 0.1).unwrap();
        b.gate("t1", Connective::Or, [Child::basic("a")]).unwrap();
        b.gate("t2", Connective::Or, [Child::basic("a")]).unwrap();
        assert!(matches!(b.build(None), Err(FtaError::AmbiguousTop(_))));
    }
}
