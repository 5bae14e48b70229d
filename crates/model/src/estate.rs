//! The IT estate register and the supply chain: what a planner records of an `it-system`
//! (vendor, product, hosting, data held, backups, lifecycle, cost) and of a `supplier` (exit
//! plan, how easily it could be replaced). Every field is optional; each is kept only on the
//! kind of asset it describes, so a typo in `kind` or a field on the wrong asset is an error
//! where it was written.

use crate::diag::Diagnostics;
use crate::node::{Node, NodeKind};
use crate::read::{Fields, date, strings, text};
use crate::types::AssetKind;
use chrono::NaiveDate;
use serde_json::{Map, Value, json};

/// A closed set of words in the model format.
pub trait Word: Copy + Sized + 'static {
    /// Every value, in the order of the format.
    const ALL: &'static [Self];
    /// The word used in model files.
    fn as_str(self) -> &'static str;
}

macro_rules! words {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl Word for $name {
            const ALL: &'static [$name] = &[$($name::$v),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }
        }
    };
}
pub(crate) use words;

words! {
    /// Where a system runs.
    Hosting {
        /// On the organisation's own premises or in its own data centre.
        OnPremises = "on-premises",
        /// On infrastructure rented from a cloud provider (IaaS or PaaS), run by the organisation.
        Cloud = "cloud",
        /// Software as a service: the vendor runs it.
        Saas = "saas",
    }
}

words! {
    /// What to do with a system next (Gartner's TIME model).
    Lifecycle {
        /// Keep as it is: adequate, little investment.
        Tolerate = "tolerate",
        /// Develop further: strategic.
        Invest = "invest",
        /// Move to a new platform or product.
        Migrate = "migrate",
        /// Retire.
        Eliminate = "eliminate",
    }
}

words! {
    /// UK Government Security Classification of the data a system holds.
    Classification {
        /// OFFICIAL: most public sector information.
        Official = "official",
        /// OFFICIAL-SENSITIVE: OFFICIAL with the handling caveat for more damaging material.
        OfficialSensitive = "official-sensitive",
        /// SECRET.
        Secret = "secret",
        /// TOP SECRET.
        TopSecret = "top-secret",
    }
}

words! {
    /// Personal data a system holds, in the terms of UK GDPR.
    PersonalData {
        /// No personal data.
        None = "none",
        /// Personal data.
        Personal = "personal",
        /// Special category data (health, ethnicity, and the like; Article 9).
        SpecialCategory = "special-category",
    }
}

words! {
    /// How far a plan to leave a supplier has got.
    ExitPlan {
        /// There is no exit plan.
        None = "none",
        /// Written down but never rehearsed.
        Documented = "documented",
        /// Written down and tested.
        Tested = "tested",
    }
}

words! {
    /// How easily another supplier could take over.
    Substitutability {
        /// Many suppliers could step in within weeks.
        Easy = "easy",
        /// A few could, within months.
        Moderate = "moderate",
        /// Hard to replace: a long procurement or migration.
        Difficult = "difficult",
        /// No other supplier could step in.
        None = "none",
    }
}

/// The data a system holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataHeld {
    /// What it holds, in words: "case records", "payroll".
    pub held: Vec<String>,
    /// Its security classification.
    pub classification: Option<Classification>,
    /// Personal data it holds.
    pub personal: Option<PersonalData>,
}

/// How a system is backed up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Backups {
    /// True when backups cannot be changed or deleted before they expire (ransomware cannot
    /// encrypt them).
    pub immutable: Option<bool>,
    /// When a restore from backup was last tested.
    pub last_restore_test: Option<NaiveDate>,
}

/// What the estate register and supply chain keep of an asset. The system fields are for
/// `it-system` assets, the supplier fields for `supplier` assets, `annual_cost` for both.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Estate {
    /// Who makes the product (it-system).
    pub vendor: Option<String>,
    /// The product (it-system).
    pub product: Option<String>,
    /// The version in use (it-system).
    pub version: Option<String>,
    /// Where it runs (it-system).
    pub hosting: Option<Hosting>,
    /// The data it holds (it-system).
    pub data: Option<DataHeld>,
    /// Its backups (it-system).
    pub backups: Option<Backups>,
    /// What to do with it next (it-system).
    pub lifecycle: Option<Lifecycle>,
    /// What it costs a year, in pounds (it-system or supplier).
    pub annual_cost: Option<f64>,
    /// How far the plan to leave the supplier has got (supplier).
    pub exit_plan: Option<ExitPlan>,
    /// How easily another supplier could take over (supplier).
    pub substitutability: Option<Substitutability>,
}

impl Estate {
    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        *self == Estate::default()
    }
}

/// Keys for `it-system` assets.
const SYSTEM_KEYS: [&str; 7] = [
    "vendor",
    "product",
    "version",
    "hosting",
    "data",
    "backups",
    "lifecycle",
];
/// Keys for `supplier` assets.
const SUPPLIER_KEYS: [&str; 2] = ["exit_plan", "substitutability"];

/// Reads the estate fields of an asset of `kind` (None when its kind is missing or wrong,
/// which is reported already).
pub(crate) fn read(f: &mut Fields<'_>, kind: Option<AssetKind>, d: &mut Diagnostics) -> Estate {
    Estate {
        vendor: take(f, "vendor", kind, d).and_then(|n| text(n, "vendor", d)),
        product: take(f, "product", kind, d).and_then(|n| text(n, "product", d)),
        version: take(f, "version", kind, d).and_then(|n| text(n, "version", d)),
        hosting: take(f, "hosting", kind, d).and_then(|n| word(n, "hosting", d)),
        data: take(f, "data", kind, d).and_then(|n| read_data(n, d)),
        backups: take(f, "backups", kind, d).and_then(|n| read_backups(n, d)),
        lifecycle: take(f, "lifecycle", kind, d).and_then(|n| word(n, "lifecycle", d)),
        annual_cost: take(f, "annual_cost", kind, d).and_then(|n| pounds(n, "annual_cost", d)),
        exit_plan: take(f, "exit_plan", kind, d).and_then(|n| word(n, "exit_plan", d)),
        substitutability: take(f, "substitutability", kind, d)
            .and_then(|n| word(n, "substitutability", d)),
    }
}

/// Takes `key` when it is given and fits an asset of `kind`; reports it where it was written
/// when it does not.
fn take<'a>(
    f: &mut Fields<'a>,
    key: &'static str,
    kind: Option<AssetKind>,
    d: &mut Diagnostics,
) -> Option<&'a Node> {
    let node = f.take(key)?;
    let fits = match kind {
        None => true,
        Some(k) if SYSTEM_KEYS.contains(&key) => k == AssetKind::ItSystem,
        Some(k) if SUPPLIER_KEYS.contains(&key) => k == AssetKind::Supplier,
        Some(k) => matches!(k, AssetKind::ItSystem | AssetKind::Supplier),
    };
    if fits {
        return Some(node);
    }
    let for_kinds = if SYSTEM_KEYS.contains(&key) {
        "`it-system` assets"
    } else if SUPPLIER_KEYS.contains(&key) {
        "`supplier` assets"
    } else {
        "`it-system` and `supplier` assets"
    };
    let k = kind.map_or("", AssetKind::as_str);
    d.error(
        f.key_pos(key).unwrap_or(node.pos),
        format!("`{key}` is kept for {for_kinds}; this asset is a `{k}`"),
    );
    None
}

/// One of the words of `T`, with a hint at the nearest when it is not.
pub(crate) fn word<T: Word>(node: &Node, field: &str, d: &mut Diagnostics) -> Option<T> {
    let t = text(node, field, d)?;
    let found = T::ALL.iter().copied().find(|w| w.as_str() == t.trim());
    if found.is_none() {
        let all: Vec<&str> = T::ALL.iter().map(|w| w.as_str()).collect();
        let msg = format!("`{field}`: `{t}` is not one of {}", all.join(", "));
        let msg = d.hint(msg, &t, all.iter().copied());
        d.error(node.pos, msg);
    }
    found
}

/// An amount of money in pounds: a number of zero or more, without a currency sign.
fn pounds(node: &Node, field: &str, d: &mut Diagnostics) -> Option<f64> {
    let t = text(node, field, d)?;
    match t.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..1e13).contains(&v) => Some(v),
        _ => {
            d.error(
                node.pos,
                format!("`{field}`: `{t}` is not an amount; write pounds a year as a plain number, like `125000`"),
            );
            None
        }
    }
}

fn boolean(node: &Node, field: &str, d: &mut Diagnostics) -> Option<bool> {
    let t = text(node, field, d)?;
    let plain = matches!(node.kind, NodeKind::Scalar { plain: true, .. });
    match (t.as_str(), plain) {
        ("true", true) => Some(true),
        ("false", true) => Some(false),
        _ => {
            d.error(
                node.pos,
                format!("`{field}`: `{t}` is not `true` or `false`"),
            );
            None
        }
    }
}

fn read_data(node: &Node, d: &mut Diagnostics) -> Option<DataHeld> {
    let mut f = Fields::new(node, "`data`", d)?;
    let data = DataHeld {
        held: f
            .take("held")
            .map(|n| strings(n, "held", d))
            .unwrap_or_default(),
        classification: f
            .take("classification")
            .and_then(|n| word(n, "classification", d)),
        personal: f.take("personal").and_then(|n| word(n, "personal", d)),
    };
    f.finish_nested(d);
    Some(data)
}

fn read_backups(node: &Node, d: &mut Diagnostics) -> Option<Backups> {
    let mut f = Fields::new(node, "`backups`", d)?;
    let backups = Backups {
        immutable: f.take("immutable").and_then(|n| boolean(n, "immutable", d)),
        last_restore_test: f
            .take("last_restore_test")
            .and_then(|n| date(n, "last_restore_test", d)),
    };
    f.finish_nested(d);
    Some(backups)
}

/// A number as an integer when it is whole, so `2` is not written `2.0`.
fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

/// Writes the estate fields into an asset's `map`, in the order of the format.
pub(crate) fn export(e: &Estate, map: &mut Map<String, Value>) {
    let mut put = |key: &str, v: Option<Value>| {
        if let Some(v) = v {
            map.insert(key.into(), v);
        }
    };
    put("vendor", e.vendor.clone().map(Value::from));
    put("product", e.product.clone().map(Value::from));
    put("version", e.version.clone().map(Value::from));
    put("hosting", e.hosting.map(|w| json!(w.as_str())));
    put(
        "data",
        e.data.as_ref().map(|data| {
            let mut m = Map::new();
            if !data.held.is_empty() {
                m.insert("held".into(), json!(data.held));
            }
            if let Some(c) = data.classification {
                m.insert("classification".into(), json!(c.as_str()));
            }
            if let Some(p) = data.personal {
                m.insert("personal".into(), json!(p.as_str()));
            }
            Value::Object(m)
        }),
    );
    put(
        "backups",
        e.backups.as_ref().map(|b| {
            let mut m = Map::new();
            if let Some(i) = b.immutable {
                m.insert("immutable".into(), json!(i));
            }
            if let Some(t) = b.last_restore_test {
                m.insert("last_restore_test".into(), json!(t.to_string()));
            }
            Value::Object(m)
        }),
    );
    put("lifecycle", e.lifecycle.map(|w| json!(w.as_str())));
    put("annual_cost", e.annual_cost.map(number));
    put("exit_plan", e.exit_plan.map(|w| json!(w.as_str())));
    put(
        "substitutability",
        e.substitutability.map(|w| json!(w.as_str())),
    );
}

/// Where support or a contract stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Standing {
    /// The date has passed.
    Expired,
    /// It ends within twelve months.
    Within12Months,
    /// It ends later.
    Current,
    /// No date is recorded.
    Unknown,
}

impl Standing {
    /// Where an end date `end` stands on `today`: expired once the day has passed, within 12
    /// months when it falls within a year of today (inclusive).
    pub fn of(end: Option<NaiveDate>, today: NaiveDate) -> Standing {
        let Some(end) = end else {
            return Standing::Unknown;
        };
        let year = today
            .checked_add_months(chrono::Months::new(12))
            .unwrap_or(NaiveDate::MAX);
        if end < today {
            Standing::Expired
        } else if end <= year {
            Standing::Within12Months
        } else {
            Standing::Current
        }
    }
}
