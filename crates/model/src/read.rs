//! Turns one file's node tree into model items, recording every problem on the way.

use crate::diag::{Diagnostics, Pos};
use crate::node::{Node, NodeKind};
use crate::types::*;
use crate::values::{Duration, Id, Percent};
use chrono::NaiveDate;

/// What one file contributes: its items, the files it includes and its format version.
#[derive(Debug, Default)]
pub struct FilePart {
    /// The items, as a model of their own.
    pub model: Model,
    /// `include` entries with where each was written.
    pub includes: Vec<(String, Pos)>,
    /// The `bulwark` version key's value and position, when present.
    pub version: Option<(String, Pos)>,
}

/// The top-level keys the format allows.
pub const TOP_LEVEL_KEYS: [&str; 8] = [
    "bulwark",
    "organisations",
    "services",
    "assets",
    "skills",
    "risks",
    "scenarios",
    "include",
];

/// The most characters a `name` may have.
pub const MAX_NAME_CHARS: usize = 200;
/// The most characters a `description` may have.
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
/// The most characters any other text may have (owners, tags, controls, units, paths...).
/// Ids have their own limit, [`crate::values::MAX_ID_CHARS`].
pub const MAX_TEXT_CHARS: usize = 500;

/// The longest time a scenario may cover, in weeks (about 5 years). Horizons, event times
/// and lengths, and absence profile points are held to it, so that a simulation is never
/// asked for absurd times.
pub const MAX_SCENARIO_WEEKS: u64 = 260;

/// True when `root` looks like a model file: a mapping with at least one of
/// [`TOP_LEVEL_KEYS`]. Included files that do not are refused without being read further.
pub fn is_model_file(root: &Node) -> bool {
    matches!(&root.kind, NodeKind::Map(entries)
        if entries.iter().any(|(k, _)| TOP_LEVEL_KEYS.contains(&k.key_text())))
}

/// Reads a whole file's tree.
pub fn read_file(root: &Node, d: &mut Diagnostics) -> FilePart {
    read_file_with(root, Model::default(), d)
}

/// Reads a file's tree whose list items were read already, as they were parsed
/// ([`crate::node::parse_with`]), into `items`; they come before any still in the tree.
pub fn read_file_with(root: &Node, items: Model, d: &mut Diagnostics) -> FilePart {
    let mut part = FilePart::default();
    if root.is_null() {
        d.error(
            root.pos,
            "the file is empty; a model starts with `bulwark: 1`",
        );
        return part;
    }
    let Some(mut f) = Fields::new(root, "the model file", d) else {
        return part;
    };
    if let Some(v) = f.take("bulwark") {
        part.version = Some((text(v, "bulwark", d).unwrap_or_default(), v.pos));
    }
    if let Some(list) = f.take("include") {
        for item in list_items(list, "include", d) {
            if let Some(path) = text(item, "include", d) {
                part.includes.push((path, item.pos));
            }
        }
    }
    let m = &mut part.model;
    let mut items = items;
    fn list<T>(read: Vec<T>, earlier: &mut Vec<T>) -> Vec<T> {
        let mut all = std::mem::take(earlier);
        all.extend(read);
        all
    }
    m.organisations = list(
        read_list(
            f.take("organisations"),
            "organisations",
            d,
            read_organisation,
        ),
        &mut items.organisations,
    );
    m.services = list(
        read_list(f.take("services"), "services", d, read_service),
        &mut items.services,
    );
    m.assets = list(
        read_list(f.take("assets"), "assets", d, read_asset),
        &mut items.assets,
    );
    m.skills = list(
        read_list(f.take("skills"), "skills", d, read_skill),
        &mut items.skills,
    );
    m.risks = list(
        read_list(f.take("risks"), "risks", d, read_risk),
        &mut items.risks,
    );
    m.scenarios = list(
        read_list(f.take("scenarios"), "scenarios", d, read_scenario),
        &mut items.scenarios,
    );
    m.extensions = f.finish(d);
    part
}

/// The lists of items a model holds, in the order they are exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum List {
    /// `organisations`.
    Organisations,
    /// `skills`.
    Skills,
    /// `services`.
    Services,
    /// `assets`.
    Assets,
    /// `risks`.
    Risks,
    /// `scenarios`.
    Scenarios,
}

impl List {
    /// Every list, in export order.
    pub const ALL: [List; 6] = [
        Self::Organisations,
        Self::Skills,
        Self::Services,
        Self::Assets,
        Self::Risks,
        Self::Scenarios,
    ];

    /// The list's key in a model file, like `services`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Organisations => "organisations",
            Self::Skills => "skills",
            Self::Services => "services",
            Self::Assets => "assets",
            Self::Risks => "risks",
            Self::Scenarios => "scenarios",
        }
    }

    /// The list whose key is `key`.
    pub fn from_key(key: &str) -> Option<List> {
        Self::ALL.into_iter().find(|l| l.key() == key)
    }
}

/// One item of any list.
// Services are the largest items; an item is read once and moved into its list, so boxing
// would only add an allocation per item.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Item {
    /// An organisation.
    Organisation(Organisation),
    /// A skill.
    Skill(Skill),
    /// A service.
    Service(Service),
    /// An asset.
    Asset(Asset),
    /// A risk.
    Risk(Risk),
    /// A scenario.
    Scenario(Scenario),
}

impl Item {
    /// Its common fields.
    pub fn meta(&self) -> &Meta {
        match self {
            Item::Organisation(i) => &i.meta,
            Item::Skill(i) => &i.meta,
            Item::Service(i) => &i.meta,
            Item::Asset(i) => &i.meta,
            Item::Risk(i) => &i.meta,
            Item::Scenario(i) => &i.meta,
        }
    }
}

impl Item {
    /// Adds the item at the end of its list of `model`.
    pub fn add_to(self, model: &mut Model) {
        match self {
            Item::Organisation(i) => model.organisations.push(i),
            Item::Skill(i) => model.skills.push(i),
            Item::Service(i) => model.services.push(i),
            Item::Asset(i) => model.assets.push(i),
            Item::Risk(i) => model.risks.push(i),
            Item::Scenario(i) => model.scenarios.push(i),
        }
    }
}

/// Reads one item of `list` from its tree, as an entry of that list in a file would be read.
pub fn read_item(list: List, node: &Node, d: &mut Diagnostics) -> Option<Item> {
    Some(match list {
        List::Organisations => Item::Organisation(read_organisation(node, d)?),
        List::Skills => Item::Skill(read_skill(node, d)?),
        List::Services => Item::Service(read_service(node, d)?),
        List::Assets => Item::Asset(read_asset(node, d)?),
        List::Risks => Item::Risk(read_risk(node, d)?),
        List::Scenarios => Item::Scenario(read_scenario(node, d)?),
    })
}

/// A mapping being read: tracks which keys were asked for, so that the rest can be reported.
pub(crate) struct Fields<'a> {
    entries: &'a [(Node, Node)],
    used: Vec<bool>,
    asked: Vec<&'static str>,
    what: &'static str,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(
        node: &'a Node,
        what: &'static str,
        d: &mut Diagnostics,
    ) -> Option<Fields<'a>> {
        match &node.kind {
            NodeKind::Map(entries) => Some(Fields {
                entries,
                used: vec![false; entries.len()],
                asked: Vec::new(),
                what,
            }),
            _ => {
                d.error(
                    node.pos,
                    format!(
                        "{what} should be a mapping of `key: value` lines, not {}",
                        node.shape()
                    ),
                );
                None
            }
        }
    }

    pub(crate) fn take(&mut self, key: &'static str) -> Option<&'a Node> {
        self.asked.push(key);
        let i = self.entries.iter().position(|(k, _)| k.key_text() == key)?;
        self.used[i] = true;
        let value = &self.entries[i].1;
        (!value.is_null()).then_some(value)
    }

    fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k.key_text() == key)
    }

    /// Where `key` was written, when it was.
    pub(crate) fn key_pos(&self, key: &str) -> Option<Pos> {
        self.entries
            .iter()
            .find(|(k, _)| k.key_text() == key)
            .map(|(k, _)| k.pos)
    }

    /// Reports keys nobody asked for and returns the `x-` ones.
    fn finish(self, d: &mut Diagnostics) -> Extensions {
        let mut ext = Vec::new();
        for ((k, v), used) in self.entries.iter().zip(&self.used) {
            if *used {
                continue;
            }
            let key = k.key_text();
            if let Err(why) = check_text(key, Some(MAX_TEXT_CHARS), false) {
                d.error(k.pos, format!("this key {why}"));
            } else if key.starts_with("x-") {
                ext.push((key.to_string(), v.to_json()));
            } else {
                let msg = format!("unknown key `{key}` in {}", self.what);
                let msg = d.hint(msg, key, self.asked.iter().copied());
                d.error(
                    k.pos,
                    format!("{msg} (keys of your own must start with `x-`)"),
                );
            }
        }
        ext
    }

    /// Like [`Fields::finish`] inside a value that cannot keep `x-` keys: they are refused.
    pub(crate) fn finish_nested(self, d: &mut Diagnostics) {
        let what = self.what;
        let positions: Vec<Pos> = self
            .entries
            .iter()
            .filter(|(k, _)| k.key_text().starts_with("x-"))
            .map(|(k, _)| k.pos)
            .collect();
        let _ = self.finish(d);
        for pos in positions {
            d.error(
                pos,
                format!("`x-` keys are kept on items and at the top of a file, not inside {what}"),
            );
        }
    }
}

/// Every text of a model is taken here, so every one is checked by [`check_text`].
pub(crate) fn text(node: &Node, field: &str, d: &mut Diagnostics) -> Option<String> {
    match &node.kind {
        NodeKind::Scalar { text, .. } => {
            let max = match field {
                "id" => None, // `Id::parse` has the limit for ids.
                "name" => Some(MAX_NAME_CHARS),
                "description" => Some(MAX_DESCRIPTION_CHARS),
                _ => Some(MAX_TEXT_CHARS),
            };
            match check_text(text, max, field == "description") {
                Ok(()) => Some(text.clone()),
                Err(why) => {
                    d.error(node.pos, format!("`{field}` {why}"));
                    None
                }
            }
        }
        _ => {
            d.error(
                node.pos,
                format!("`{field}` should be a single value, not {}", node.shape()),
            );
            None
        }
    }
}

/// Says why `text` cannot be kept, to follow the name of what it is: it holds a control
/// character (tabs and line breaks are allowed only when `multiline`) or a bidirectional
/// control, which is invisible and can make text read differently from what it is; or it has
/// more than `max` characters.
fn check_text(text: &str, max: Option<usize>, multiline: bool) -> Result<(), String> {
    for c in text.chars() {
        if matches!(c, '\t' | '\n') {
            if !multiline {
                return Err(
                    "must be one line, without tabs (only `description` may have several lines)"
                        .into(),
                );
            }
        } else if c.is_control() || is_bidi_control(c) {
            return Err(format!(
                "contains an invisible control character (U+{:04X}) that could disguise the text; remove it",
                u32::from(c)
            ));
        }
    }
    let len = text.chars().count();
    match max {
        Some(max) if len > max => Err(format!("is {len} characters long; it may be at most {max}")),
        _ => Ok(()),
    }
}

/// Unicode's bidirectional formatting characters: embeddings, overrides, isolates and marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn list_items<'a>(node: &'a Node, field: &str, d: &mut Diagnostics) -> &'a [Node] {
    match &node.kind {
        NodeKind::Seq(items) => items,
        _ => {
            d.error(
                node.pos,
                format!("`{field}` should be a list, not {}", node.shape()),
            );
            &[]
        }
    }
}

fn read_list<T>(
    node: Option<&Node>,
    field: &str,
    d: &mut Diagnostics,
    read: fn(&Node, &mut Diagnostics) -> Option<T>,
) -> Vec<T> {
    node.map(|n| {
        list_items(n, field, d)
            .iter()
            .filter_map(|item| read(item, d))
            .collect()
    })
    .unwrap_or_default()
}

fn reference(node: &Node, field: &str, d: &mut Diagnostics) -> Option<Ref> {
    text(node, field, d).map(|id| Ref { id, pos: node.pos })
}

fn target(node: &Node, field: &str, d: &mut Diagnostics) -> Option<Target> {
    let r = reference(node, field, d)?;
    Some(if r.id == "all" {
        Target::All(r.pos)
    } else {
        Target::One(r)
    })
}

fn duration(node: &Node, field: &str, d: &mut Diagnostics) -> Option<Duration> {
    let t = text(node, field, d)?;
    t.parse()
        .map_err(|e| d.error(node.pos, format!("`{field}`: {e}")))
        .ok()
}

/// A duration within a scenario, at most [`MAX_SCENARIO_WEEKS`].
fn scenario_time(node: &Node, field: &str, d: &mut Diagnostics) -> Option<Duration> {
    let t = duration(node, field, d)?;
    if t.minutes() > MAX_SCENARIO_WEEKS * 7 * 24 * 60 {
        let what = match field {
            "horizon" => "the horizon".to_string(),
            _ => format!("`{field}`"),
        };
        d.error(
            node.pos,
            format!("{what} may be at most 5 years ({MAX_SCENARIO_WEEKS}w), not {t}"),
        );
        return None;
    }
    Some(t)
}

fn percent(node: &Node, field: &str, d: &mut Diagnostics) -> Option<Percent> {
    let t = text(node, field, d)?;
    let plain = matches!(node.kind, NodeKind::Scalar { plain: true, .. });
    Percent::parse(&t, plain)
        .map_err(|e| d.error(node.pos, format!("`{field}`: {e}")))
        .ok()
}

pub(crate) fn date(node: &Node, field: &str, d: &mut Diagnostics) -> Option<NaiveDate> {
    let t = text(node, field, d)?;
    NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
        .map_err(|_| {
            d.error(
                node.pos,
                format!(
                    "`{field}`: `{t}` is not a date; write it as YYYY-MM-DD, like `2027-03-31`"
                ),
            )
        })
        .ok()
}

fn number(node: &Node, field: &str, d: &mut Diagnostics) -> Option<f64> {
    let t = text(node, field, d)?;
    match t.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
        _ => {
            d.error(
                node.pos,
                format!("`{field}`: `{t}` is not a number of zero or more"),
            );
            None
        }
    }
}

fn whole(node: &Node, field: &str, d: &mut Diagnostics) -> Option<u64> {
    let t = text(node, field, d)?;
    t.trim()
        .parse::<u64>()
        .map_err(|_| d.error(node.pos, format!("`{field}`: `{t}` is not a whole number")))
        .ok()
}

fn scale(node: &Node, field: &str, d: &mut Diagnostics) -> Option<u8> {
    match whole(node, field, d)? {
        v @ 1..=5 => Some(v as u8),
        v => {
            d.error(
                node.pos,
                format!("`{field}`: {v} is off the scale; use 1 (lowest) to 5 (highest)"),
            );
            None
        }
    }
}

/// The years a risk's likelihood is over: 1 to 10.
fn period_years(node: &Node, d: &mut Diagnostics) -> Option<u8> {
    match whole(node, "period_years", d)? {
        v @ 1..=10 => Some(v as u8),
        v => {
            d.error(
                node.pos,
                format!("`period_years`: {v} years is not a period a likelihood is assessed over; use 1 to 10 (the National Risk Register uses 5, and 2 for malicious risks)"),
            );
            None
        }
    }
}

pub(crate) fn strings(node: &Node, field: &str, d: &mut Diagnostics) -> Vec<String> {
    list_items(node, field, d)
        .iter()
        .filter_map(|n| text(n, field, d))
        .collect()
}

fn read_meta(node: &Node, f: &mut Fields<'_>, d: &mut Diagnostics) -> Option<Meta> {
    let what = f.what;
    let id = match f.take("id") {
        Some(n) => text(n, "id", d).and_then(|t| Id::parse(&t).map_err(|e| d.error(n.pos, e)).ok()),
        None => {
            d.error(node.pos, format!("{what} has no `id`"));
            None
        }
    };
    let pos = f
        .entries
        .iter()
        .find(|(k, _)| k.key_text() == "id")
        .map_or(node.pos, |(_, v)| v.pos);
    let name = match f.take("name") {
        Some(n) => text(n, "name", d),
        None => {
            d.error(
                node.pos,
                format!(
                    "{what} `{}` has no `name`",
                    id.as_ref().map_or("?", Id::as_str)
                ),
            );
            None
        }
    };
    let description = f
        .take("description")
        .and_then(|n| text(n, "description", d));
    let owner = f.take("owner").and_then(|n| text(n, "owner", d));
    let tags = f
        .take("tags")
        .map(|n| strings(n, "tags", d))
        .unwrap_or_default();
    Some(Meta {
        id: id?,
        pos,
        name: name.unwrap_or_default(),
        description,
        owner,
        tags,
        extensions: Vec::new(),
    })
}

fn read_organisation(node: &Node, d: &mut Diagnostics) -> Option<Organisation> {
    let mut f = Fields::new(node, "an organisation", d)?;
    let meta = read_meta(node, &mut f, d);
    let kind = f.take("kind").and_then(|n| text(n, "kind", d));
    let population = f.take("population").and_then(|n| whole(n, "population", d));
    let extensions = f.finish(d);
    Some(Organisation {
        meta: Meta {
            extensions,
            ..meta?
        },
        kind,
        population,
    })
}

/// Reads a dependency expression.
pub fn read_need(node: &Node, d: &mut Diagnostics) -> Option<Need> {
    match &node.kind {
        NodeKind::Scalar { .. } if node.is_null() => {
            d.error(
                node.pos,
                "an empty entry in `needs`; name an asset or service",
            );
            None
        }
        NodeKind::Scalar { .. } => reference(node, "needs", d).map(Need::Ref),
        NodeKind::Seq(items) => Some(Need::All(
            items.iter().filter_map(|n| read_need(n, d)).collect(),
            node.pos,
        )),
        NodeKind::Map(_) => {
            let mut f = Fields::new(node, "a dependency", d)?;
            let need = if f.has("any") {
                let parts = f
                    .take("any")
                    .map(|n| read_alternatives(n, "any", d))
                    .unwrap_or_default();
                if parts.is_empty() {
                    d.error(node.pos, "`any` needs at least one alternative");
                } else if parts.iter().all(|p| matches!(p, Need::Standby { .. })) {
                    d.error(node.pos, "`any` needs at least one alternative without a switchover time: the one in use when all is well");
                }
                Some(Need::Any(parts, node.pos))
            } else if f.has("all") {
                Some(Need::All(
                    f.take("all")
                        .map(|n| read_parts(n, "all", d))
                        .unwrap_or_default(),
                    node.pos,
                ))
            } else if f.has("atleast") || f.has("of") {
                let k = f.take("atleast").and_then(|n| whole(n, "atleast", d));
                let of = f.take("of").map(|n| read_alternatives(n, "of", d));
                if k.is_none() && !f.has("atleast") {
                    d.error(
                        node.pos,
                        "`of` needs `atleast: K` beside it: how many of the list are needed",
                    );
                }
                if of.is_none() && !f.has("of") {
                    d.error(
                        node.pos,
                        "`atleast` needs `of: [...]` beside it: the list to choose from",
                    );
                }
                match (k, of) {
                    (Some(k), Some(of)) => {
                        if k == 0 || k > of.len() as u64 {
                            let pos = f
                                .entries
                                .iter()
                                .find(|(k, _)| k.key_text() == "atleast")
                                .map_or(node.pos, |(_, v)| v.pos);
                            d.error(
                                pos,
                                format!(
                                    "`atleast: {k}` cannot be met by a list of {}; use 1 to {}",
                                    of.len(),
                                    of.len()
                                ),
                            );
                            None
                        } else if of
                            .iter()
                            .filter(|p| !matches!(p, Need::Standby { .. }))
                            .count()
                            < k as usize
                        {
                            d.error(
                                node.pos,
                                format!("`atleast: {k}` needs at least {k} of its list without a switchover time: those in use when all is well"),
                            );
                            None
                        } else {
                            Some(Need::AtLeast {
                                k: k as u32,
                                of,
                                pos: node.pos,
                            })
                        }
                    }
                    _ => None,
                }
            } else if f.has("standby") || f.has("switchover") {
                d.error(node.pos, "a standby (`standby` with `switchover`) is one of the alternatives of an `any` or `atleast` list; write it inside one, like `any: [mains, {standby: generator, switchover: 30m}]`");
                let _ = (f.take("standby"), f.take("switchover"));
                None
            } else {
                d.error(node.pos, "a dependency mapping needs `any: [...]`, `all: [...]` or `atleast: K` with `of: [...]`");
                None
            };
            f.finish_nested(d);
            need
        }
    }
}

fn read_parts(node: &Node, field: &str, d: &mut Diagnostics) -> Vec<Need> {
    list_items(node, field, d)
        .iter()
        .filter_map(|n| read_need(n, d))
        .collect()
}

/// The list of an `any` or `atleast`: dependency expressions, or standbys.
fn read_alternatives(node: &Node, field: &str, d: &mut Diagnostics) -> Vec<Need> {
    list_items(node, field, d)
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Map(entries)
                if entries
                    .iter()
                    .any(|(k, _)| matches!(k.key_text(), "standby" | "switchover")) =>
            {
                read_standby(n, d)
            }
            _ => read_need(n, d),
        })
        .collect()
}

/// A standby: `{standby: NEED, switchover: DURATION}`.
fn read_standby(node: &Node, d: &mut Diagnostics) -> Option<Need> {
    let mut f = Fields::new(node, "a standby", d)?;
    let need = f.take("standby").and_then(|n| read_need(n, d));
    if !f.has("standby") {
        d.error(
            node.pos,
            "a standby needs `standby`: the asset or service brought up, like `standby: generator`",
        );
    }
    let switchover = f
        .take("switchover")
        .and_then(|n| duration(n, "switchover", d));
    if !f.has("switchover") {
        d.error(
            node.pos,
            "a standby needs `switchover`: how long it takes to bring up once needed, like `4h` (`0h` if it takes over at once)",
        );
    }
    f.finish_nested(d);
    // Kept with a bad or missing `switchover` (that error is reported already), so that what
    // it names is checked too.
    Some(Need::Standby {
        need: Box::new(need?),
        switchover: switchover.unwrap_or_default(),
        pos: node.pos,
    })
}

fn read_service(node: &Node, d: &mut Diagnostics) -> Option<Service> {
    let mut f = Fields::new(node, "a service", d)?;
    let meta = read_meta(node, &mut f, d);
    let mut s = Service {
        organisation: f
            .take("organisation")
            .and_then(|n| reference(n, "organisation", d)),
        criticality: f.take("criticality").and_then(|n| {
            let t = text(n, "criticality", d)?;
            let found = Criticality::ALL.into_iter().find(|c| c.as_str() == t);
            if found.is_none() {
                let msg = format!("`criticality`: `{t}` is not one of critical, high, medium, low");
                let msg = d.hint(msg, &t, Criticality::ALL.iter().map(|c| c.as_str()));
                d.error(n.pos, msg);
            }
            found
        }),
        mtpd: f
            .take("mtpd")
            .and_then(|n| Some((duration(n, "mtpd", d)?, n.pos))),
        rto: f
            .take("rto")
            .and_then(|n| Some((duration(n, "rto", d)?, n.pos))),
        rpo: f.take("rpo").and_then(|n| duration(n, "rpo", d)),
        mbco: f.take("mbco").and_then(|n| percent(n, "mbco", d)),
        needs: f.take("needs").and_then(|n| read_need(n, d)),
        staff: f
            .take("staff")
            .map(|n| read_staff(n, d))
            .unwrap_or_default(),
        demand: f.take("demand").and_then(|n| read_demand(n, d)),
        surge: f.take("surge").and_then(|n| percent_over(n, "surge", d)),
        population: f.take("population").and_then(|n| whole(n, "population", d)),
        impacts: f
            .take("impacts")
            .map(|n| read_impacts(n, d))
            .unwrap_or_default(),
        lgsl: f
            .take("lgsl")
            .and_then(|n| whole(n, "lgsl", d))
            .and_then(|v| u32::try_from(v).ok()),
        workarounds: read_list(f.take("workarounds"), "workarounds", d, read_workaround),
        season: f.take("season").and_then(|n| read_season(n, d)),
        ..Service::default()
    };
    if let (Some((mtpd, _)), Some((rto, rto_pos))) = (s.mtpd, s.rto)
        && rto > mtpd
    {
        d.error(rto_pos, format!("`rto` ({rto}) is longer than `mtpd` ({mtpd}): the service must be back before disruption becomes intolerable"));
    }
    s.meta = Meta {
        extensions: f.finish(d),
        ..meta?
    };
    Some(s)
}

/// Surge capacity may exceed 100%: `130%`.
fn percent_over(node: &Node, field: &str, d: &mut Diagnostics) -> Option<f64> {
    let t = text(node, field, d)?;
    let value = t
        .trim()
        .strip_suffix('%')
        .and_then(|n| n.trim().parse::<f64>().ok());
    match value {
        Some(v) if (100.0..=1000.0).contains(&v) => Some(v / 100.0),
        _ => {
            d.error(node.pos, format!("`{field}`: `{t}` is not a surge capacity; write a percentage from 100% up, like `130%`"));
            None
        }
    }
}

fn read_staff(node: &Node, d: &mut Diagnostics) -> Vec<StaffNeed> {
    list_items(node, "staff", d)
        .iter()
        .filter_map(|n| {
            let mut f = Fields::new(n, "a staff entry", d)?;
            let skill = f.take("skill").and_then(|s| reference(s, "skill", d));
            let fte = f.take("fte").and_then(|s| number(s, "fte", d));
            if !f.has("skill") {
                d.error(n.pos, "a staff entry needs `skill`");
            }
            if !f.has("fte") {
                d.error(n.pos, "a staff entry needs `fte` (full-time equivalents)");
            }
            f.finish_nested(d);
            Some(StaffNeed {
                skill: skill?,
                fte: fte?,
            })
        })
        .collect()
}

fn read_demand(node: &Node, d: &mut Diagnostics) -> Option<Demand> {
    let mut f = Fields::new(node, "`demand`", d)?;
    let per_day = f.take("per_day").and_then(|n| number(n, "per_day", d));
    if !f.has("per_day") {
        d.error(
            node.pos,
            "`demand` needs `per_day`: the work arriving each day",
        );
    }
    let unit = f.take("unit").and_then(|n| text(n, "unit", d));
    let kind = f.take("kind").and_then(|n| {
        let t = text(n, "kind", d)?;
        let found = DemandKind::ALL.into_iter().find(|k| k.as_str() == t);
        if found.is_none() {
            let msg = format!("`kind`: `{t}` is not a kind of demand; write `deferrable` (work waits in a backlog) or `perishable` (work not done the day it arrives is lost)");
            let msg = d.hint(msg, &t, DemandKind::ALL.iter().map(|k| k.as_str()));
            d.error(n.pos, msg);
        }
        found
    });
    let max_wait = f
        .take("max_wait")
        .and_then(|n| Some((duration(n, "max_wait", d)?, n.pos)));
    if let (Some(DemandKind::Perishable), Some((_, pos))) = (kind, max_wait) {
        d.error(pos, "`max_wait` is for deferrable demand: perishable work never waits, so drop `max_wait` or make the demand `deferrable`");
    }
    f.finish_nested(d);
    Some(Demand {
        per_day: per_day?,
        unit,
        kind,
        max_wait,
    })
}

/// One workaround of a service.
fn read_workaround(node: &Node, d: &mut Diagnostics) -> Option<Workaround> {
    let mut f = Fields::new(node, "a workaround", d)?;
    let name = f.take("name").and_then(|n| text(n, "name", d));
    if !f.has("name") {
        d.error(
            node.pos,
            "a workaround needs `name`: what the procedure is, like `Paper referral forms`",
        );
    }
    let capacity = f.take("capacity").and_then(|n| percent(n, "capacity", d));
    if !f.has("capacity") {
        d.error(
            node.pos,
            "a workaround needs `capacity`: the capacity it gives while in use, like `60%`",
        );
    }
    let after = f.take("after").and_then(|n| duration(n, "after", d));
    let lasts = f.take("lasts").and_then(|n| duration(n, "lasts", d));
    let needs = f.take("needs").and_then(|n| read_need(n, d));
    let staff = f
        .take("staff")
        .map(|n| read_staff(n, d))
        .unwrap_or_default();
    f.finish_nested(d);
    // Kept even when `name` or `capacity` is wrong (that error is reported already), so that
    // what it names is checked too.
    Some(Workaround {
        name: name.unwrap_or_default(),
        pos: node.pos,
        capacity: capacity.unwrap_or_default(),
        after: after.unwrap_or_default(),
        lasts,
        needs,
        staff,
    })
}

/// A season: `{from: MM-DD, to: MM-DD}`.
fn read_season(node: &Node, d: &mut Diagnostics) -> Option<Season> {
    let mut f = Fields::new(node, "`season`", d)?;
    let mut day = |key: &'static str, d: &mut Diagnostics| {
        let Some(n) = f.take(key) else {
            d.error(
                node.pos,
                format!("`season` needs `{key}`: a day of the year as MM-DD, like `11-01`"),
            );
            return None;
        };
        let t = text(n, key, d)?;
        let parsed = t.trim().split_once('-').and_then(|(m, dd)| {
            let (m, dd) = (m.parse::<u32>().ok()?, dd.parse::<u32>().ok()?);
            // 2024 is a leap year, so 29 February is a day of the year.
            NaiveDate::from_ymd_opt(2024, m, dd).map(|_| (m, dd))
        });
        if parsed.is_none() {
            d.error(
                n.pos,
                format!("`{key}`: `{t}` is not a day of the year; write it as MM-DD, like `11-01`"),
            );
        }
        parsed
    };
    let from = day("from", d);
    let to = day("to", d);
    f.finish_nested(d);
    Some(Season {
        from: from?,
        to: to?,
    })
}

fn read_impacts(node: &Node, d: &mut Diagnostics) -> Vec<(Duration, u8)> {
    let NodeKind::Map(entries) = &node.kind else {
        d.error(
            node.pos,
            format!(
                "`impacts` should map durations to severities, like `{{4h: 2, 1d: 4}}`, not {}",
                node.shape()
            ),
        );
        return Vec::new();
    };
    let mut out: Vec<(Duration, u8)> = entries
        .iter()
        .filter_map(|(k, v)| Some((duration(k, "impacts", d)?, scale(v, "impacts", d)?)))
        .collect();
    out.sort_by_key(|(t, _)| *t);
    out
}

fn read_asset(node: &Node, d: &mut Diagnostics) -> Option<Asset> {
    let mut f = Fields::new(node, "an asset", d)?;
    let meta = read_meta(node, &mut f, d);
    let kind = match f.take("kind") {
        None => {
            d.error(node.pos, "an asset needs `kind`: site, it-system, supplier, utility, data, equipment, vehicle or other");
            None
        }
        Some(n) => text(n, "kind", d).and_then(|t| {
            let found = AssetKind::ALL.into_iter().find(|k| k.as_str() == t);
            if found.is_none() {
                let msg = format!("`kind`: `{t}` is not an asset kind (site, it-system, supplier, utility, data, equipment, vehicle, other)");
                let msg = d.hint(msg, &t, AssetKind::ALL.iter().map(|k| k.as_str()));
                d.error(n.pos, msg);
            }
            found
        }),
    };
    let asset = Asset {
        organisation: f
            .take("organisation")
            .and_then(|n| reference(n, "organisation", d)),
        kind: kind.unwrap_or_default(),
        needs: f.take("needs").and_then(|n| read_need(n, d)),
        failure: f.take("failure").and_then(|n| read_failure(n, d)),
        recovery_rto: f.take("recovery").and_then(|n| {
            let mut r = Fields::new(n, "`recovery`", d)?;
            let rto = r
                .take("rto")
                .and_then(|v| Some((duration(v, "rto", d)?, v.pos)));
            r.finish_nested(d);
            rto
        }),
        end_of_support: f
            .take("end_of_support")
            .and_then(|n| date(n, "end_of_support", d)),
        contract_end: f
            .take("contract_end")
            .and_then(|n| date(n, "contract_end", d)),
        estate: crate::estate::read(&mut f, kind, d),
        stock: f.take("stock").and_then(|n| read_stock(n, d)),
        ..Asset::default()
    };
    let meta = Meta {
        extensions: f.finish(d),
        ..meta?
    };
    kind?;
    Some(Asset { meta, ..asset })
}

/// An asset's stock: `{lasts: DURATION, resupply?: DURATION}`.
fn read_stock(node: &Node, d: &mut Diagnostics) -> Option<Stock> {
    let mut f = Fields::new(node, "`stock`", d)?;
    let lasts = f.take("lasts").and_then(|n| {
        let t = duration(n, "lasts", d)?;
        if t.minutes() == 0 {
            d.error(
                n.pos,
                "`lasts`: a stock must last some time in use, like `48h`",
            );
            return None;
        }
        Some(t)
    });
    if !f.has("lasts") {
        d.error(
            node.pos,
            "`stock` needs `lasts`: how long a full stock lasts while in use, like `48h`",
        );
    }
    let resupply = f.take("resupply").and_then(|n| {
        let t = duration(n, "resupply", d)?;
        if t.minutes() == 0 {
            d.error(n.pos, "`resupply`: a delivery takes some time to arrive, like `1d`; leave `resupply` out if none comes");
            return None;
        }
        Some(t)
    });
    f.finish_nested(d);
    // Kept with a bad or missing `lasts` (that error is reported already), so that a `resupply`
    // event naming the asset is not reported too.
    Some(Stock {
        lasts: lasts.unwrap_or_default(),
        resupply,
        pos: node.pos,
    })
}

fn read_failure(node: &Node, d: &mut Diagnostics) -> Option<Failure> {
    let mut f = Fields::new(node, "`failure`", d)?;
    let failure = if f.has("probability") {
        let p = f
            .take("probability")
            .and_then(|n| percent(n, "probability", d));
        if f.has("rate") || f.has("repair") {
            d.error(
                node.pos,
                "`failure` takes either `probability` or `rate` with `repair`, not both",
            );
        }
        p.map(|p| Failure::Probability(p.fraction()))
    } else {
        let rate = f.take("rate").and_then(|n| number(n, "rate", d));
        let repair = f.take("repair").and_then(|n| duration(n, "repair", d));
        if !f.has("rate") || !f.has("repair") {
            d.error(node.pos, "`failure` needs `probability` (chance of loss in a year), or `rate` (failures a year) with `repair` (mean time to restore)");
        }
        Some(Failure::Rate {
            rate: rate?,
            repair: repair?,
        })
    };
    f.finish_nested(d);
    failure
}

fn read_skill(node: &Node, d: &mut Diagnostics) -> Option<Skill> {
    let mut f = Fields::new(node, "a skill", d)?;
    let meta = read_meta(node, &mut f, d);
    let headcount = f.take("headcount").and_then(|n| number(n, "headcount", d));
    if !f.has("headcount") {
        d.error(
            node.pos,
            "a skill needs `headcount`: how many full-time equivalents hold it",
        );
    }
    let can_cover = f
        .take("can_cover")
        .map(|n| {
            list_items(n, "can_cover", d)
                .iter()
                .filter_map(|s| reference(s, "can_cover", d))
                .collect()
        })
        .unwrap_or_default();
    let extensions = f.finish(d);
    Some(Skill {
        meta: Meta {
            extensions,
            ..meta?
        },
        headcount: headcount?,
        can_cover,
    })
}

fn read_risk(node: &Node, d: &mut Diagnostics) -> Option<Risk> {
    let mut f = Fields::new(node, "a risk", d)?;
    let meta = read_meta(node, &mut f, d);
    let required = |f: &mut Fields<'_>, key: &'static str, d: &mut Diagnostics| {
        let v = f.take(key).and_then(|n| scale(n, key, d));
        if !f.has(key) {
            d.error(
                node.pos,
                format!("a risk needs `{key}` on the 1-5 scale of the National Risk Register"),
            );
        }
        v
    };
    let likelihood = required(&mut f, "likelihood", d);
    let impact = required(&mut f, "impact", d);
    let risk = Risk {
        scenario: f.take("scenario").and_then(|n| reference(n, "scenario", d)),
        controls: f
            .take("controls")
            .map(|n| strings(n, "controls", d))
            .unwrap_or_default(),
        review: f.take("review").and_then(|n| date(n, "review", d)),
        category: f.take("category").and_then(|n| text(n, "category", d)),
        period_years: f.take("period_years").and_then(|n| period_years(n, d)),
        ..Risk::default()
    };
    let extensions = f.finish(d);
    Some(Risk {
        meta: Meta {
            extensions,
            ..meta?
        },
        likelihood: likelihood?,
        impact: impact?,
        ..risk
    })
}

fn read_scenario(node: &Node, d: &mut Diagnostics) -> Option<Scenario> {
    let mut f = Fields::new(node, "a scenario", d)?;
    let meta = read_meta(node, &mut f, d);
    let horizon = f
        .take("horizon")
        .and_then(|n| scenario_time(n, "horizon", d));
    let start = f.take("start").and_then(|n| date(n, "start", d));
    let suspend = f
        .take("suspend")
        .map(|n| {
            list_items(n, "suspend", d)
                .iter()
                .filter_map(|s| reference(s, "suspend", d))
                .collect()
        })
        .unwrap_or_default();
    let events = read_list(f.take("events"), "events", d, read_event);
    let extensions = f.finish(d);
    Some(Scenario {
        meta: Meta {
            extensions,
            ..meta?
        },
        horizon,
        start,
        suspend,
        events,
    })
}

fn read_event(node: &Node, d: &mut Diagnostics) -> Option<Event> {
    let mut f = Fields::new(node, "an event", d)?;
    let kinds = ["outage", "degrade", "absence", "demand", "resupply"];
    let present: Vec<&str> = kinds.iter().copied().filter(|k| f.has(k)).collect();
    if present.len() != 1 {
        let msg = if present.is_empty() {
            "an event needs one of `outage`, `degrade`, `absence`, `demand` or `resupply`"
                .to_string()
        } else {
            format!(
                "an event is one thing; this one has {}",
                present.join(" and ")
            )
        };
        d.error(node.pos, msg);
    }
    let kind = match present.first().copied() {
        Some("outage") => f
            .take("outage")
            .and_then(|n| reference(n, "outage", d))
            .map(EventKind::Outage),
        Some("degrade") => {
            let r = f.take("degrade").and_then(|n| reference(n, "degrade", d));
            let to = f.take("to").and_then(|n| percent(n, "to", d));
            if !f.has("to") {
                d.error(
                    node.pos,
                    "a `degrade` event needs `to`: the capacity left, like `50%`",
                );
            }
            Some(EventKind::Degrade(r?, to?))
        }
        Some("absence") => {
            let t = f.take("absence").and_then(|n| target(n, "absence", d));
            let profile = f.take("profile").map(|n| read_profile(n, d));
            if !f.has("profile") {
                d.error(
                    node.pos,
                    "an `absence` event needs `profile`: points like `[[0d, 0%], [14d, 15%]]`",
                );
            }
            Some(EventKind::Absence(t?, profile?))
        }
        Some("demand") => {
            let t = f.take("demand").and_then(|n| target(n, "demand", d));
            let factor = f.take("factor").and_then(|n| number(n, "factor", d));
            if !f.has("factor") {
                d.error(
                    node.pos,
                    "a `demand` event needs `factor`, like `1.4` for 40% more work",
                );
            }
            Some(EventKind::Demand(t?, factor?))
        }
        Some("resupply") => {
            if let Some(n) = f.take("for") {
                d.error(
                    n.pos,
                    "a `resupply` event fills a stock at one moment (`at`); it has no `for`",
                );
            }
            f.take("resupply")
                .and_then(|n| reference(n, "resupply", d))
                .map(EventKind::Resupply)
        }
        _ => None,
    };
    for k in kinds {
        // A second kind was reported above; mark every kind read so none is reported as unknown.
        let _ = f.take(k);
    }
    let at = f
        .take("at")
        .and_then(|n| scenario_time(n, "at", d))
        .unwrap_or_default();
    let duration_ = f.take("for").and_then(|n| scenario_time(n, "for", d));
    let extensions = f.finish(d);
    Some(Event {
        kind: kind?,
        at,
        duration: duration_,
        pos: node.pos,
        extensions,
    })
}

fn read_profile(node: &Node, d: &mut Diagnostics) -> Vec<(Duration, Percent)> {
    let mut out = Vec::new();
    for point in list_items(node, "profile", d) {
        match &point.kind {
            NodeKind::Seq(pair) if pair.len() == 2 => {
                if let (Some(t), Some(p)) = (
                    scenario_time(&pair[0], "profile", d),
                    percent(&pair[1], "profile", d),
                ) {
                    if out.last().is_some_and(|(last, _)| *last > t) {
                        d.error(point.pos, "`profile` points must be in time order");
                    }
                    out.push((t, p));
                }
            }
            _ => d.error(
                point.pos,
                "each `profile` point is a pair `[time, percentage]`, like `[14d, 15%]`",
            ),
        }
    }
    out
}
