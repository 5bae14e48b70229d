//! The workbook's layout: its sheets, their columns, and how each column holds its field.
//! The reader and the writer both follow it, so they cannot disagree.

use crate::read::List;

/// How a column's cells hold a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Free text, kept exactly as typed (names, descriptions).
    Text,
    /// A single value read as the model format reads an unquoted one: a word, a number, a
    /// duration, a percentage, `true` or `false`.
    Value,
    /// A duration (`4h`), read like [`Kind::Value`]; offered with common durations.
    Duration,
    /// A percentage from 100% up (`130%`), read like [`Kind::Value`]; a number that a
    /// spreadsheet made of a typed percentage (1.3) is read as that percentage.
    Surge,
    /// A date, typed as text (`2027-03-31`) or as a spreadsheet date.
    Date,
    /// A day of the year (`11-01`), typed as text or as a spreadsheet date.
    MonthDay,
    /// Several texts, one a line.
    Texts,
    /// Several ids, separated by commas or lines.
    Ids,
    /// A dependency expression as lines ([`crate::lines`]).
    Needs,
    /// Staff as `skill: FTE` entries, separated by commas or lines.
    Staff,
    /// An absence profile as `time: percentage` points, separated by commas or lines.
    Profile,
}

/// One column of a sheet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    /// The heading in row 1.
    pub label: &'static str,
    /// The field's keys in an item of the model format (`["demand", "per_day"]`).
    pub path: &'static [&'static str],
    /// How its cells hold the value.
    pub kind: Kind,
    /// Words from a closed list, offered as a drop-down.
    pub choices: &'static [&'static str],
    /// What to write, shown as a note on the heading.
    pub help: &'static str,
}

const fn col(
    label: &'static str,
    path: &'static [&'static str],
    kind: Kind,
    help: &'static str,
) -> Column {
    Column {
        label,
        path,
        kind,
        choices: &[],
        help,
    }
}

const fn words(
    label: &'static str,
    path: &'static [&'static str],
    choices: &'static [&'static str],
    help: &'static str,
) -> Column {
    Column {
        label,
        path,
        kind: Kind::Value,
        choices,
        help,
    }
}

/// What a sheet's rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rows {
    /// Items of a top-level list.
    Items(List),
    /// Entries of a list inside items of another sheet: the column naming the item, and the
    /// key of the list in it.
    Children {
        /// The sheet of the items.
        parent: List,
        /// The column that names the item, like `Service`.
        by: &'static str,
        /// The list's key in the item, like `workarounds`.
        key: &'static str,
    },
}

/// One sheet of the workbook.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sheet {
    /// Its name on the tab.
    pub name: &'static str,
    /// What its rows are.
    pub rows: Rows,
    /// Its columns, in the order written.
    pub columns: &'static [Column],
}

/// The sheet of the model's own settings: format version and top-level `x-` keys.
pub(crate) const MODEL_SHEET: &str = "Model";
/// The sheet of instructions, never read.
pub(crate) const README_SHEET: &str = "Read me";
/// The heading prefix of a service's impact-over-time columns: `Impact after 4h`.
pub(crate) const IMPACT_PREFIX: &str = "Impact after ";
/// Events' kinds, as written in the `Event` column.
pub(crate) const EVENT_KINDS: [&str; 5] = ["outage", "degrade", "absence", "demand", "resupply"];
/// The heading of the events' column that says what happens.
pub(crate) const EVENT: &str = "Event";
/// The heading of the events' column that names what it happens to.
pub(crate) const EVENT_ITEM: &str = "Item";

const ID: Column = col(
    "ID",
    &["id"],
    Kind::Value,
    "A short unique id: lower-case letters, digits, `.`, `_` and `-`, like `home-care`.",
);
const NAME: Column = col("Name", &["name"], Kind::Text, "What people call it.");
const DESCRIPTION: Column = col("Description", &["description"], Kind::Text, "");
const OWNER: Column = col("Owner", &["owner"], Kind::Text, "Who is responsible.");
const TAGS: Column = col("Tags", &["tags"], Kind::Texts, "Labels, one a line.");
const ORGANISATION: Column = col(
    "Organisation",
    &["organisation"],
    Kind::Value,
    "The id of the organisation it belongs to (needed when the model has several).",
);

/// Durations offered in drop-downs (any other duration may be typed).
pub(crate) const DURATIONS: &[&str] = &["1h", "4h", "1d", "2d", "3d", "1w", "2w", "4w"];
/// Criticalities.
pub(crate) const CRITICALITIES: &[&str] = &["critical", "high", "medium", "low"];
/// The 1-5 scales.
pub(crate) const SCALE: &[&str] = &["1", "2", "3", "4", "5"];

/// Every sheet read and written, in the order written.
pub(crate) const SHEETS: &[Sheet] = &[
    Sheet {
        name: "Organisations",
        rows: Rows::Items(List::Organisations),
        columns: &[
            ID,
            NAME,
            DESCRIPTION,
            OWNER,
            TAGS,
            col(
                "Kind",
                &["kind"],
                Kind::Text,
                "Like `unitary council` or `NHS trust`.",
            ),
            col("Population", &["population"], Kind::Value, "People served."),
        ],
    },
    Sheet {
        name: "Skills",
        rows: Rows::Items(List::Skills),
        columns: &[
            ID,
            NAME,
            DESCRIPTION,
            OWNER,
            TAGS,
            col(
                "Headcount",
                &["headcount"],
                Kind::Value,
                "Full-time equivalents who hold the skill.",
            ),
            col(
                "Can cover",
                &["can_cover"],
                Kind::Ids,
                "Ids of skills these staff can stand in for, separated by commas.",
            ),
        ],
    },
    Sheet {
        name: "Services",
        rows: Rows::Items(List::Services),
        columns: &[
            ID,
            NAME,
            DESCRIPTION,
            OWNER,
            TAGS,
            ORGANISATION,
            words(
                "Criticality",
                &["criticality"],
                CRITICALITIES,
                "critical, high, medium or low.",
            ),
            col(
                "MTPD",
                &["mtpd"],
                Kind::Duration,
                "Maximum tolerable period of disruption. A duration: a number and a unit, like 4h, 2d or 1w.",
            ),
            col(
                "RTO",
                &["rto"],
                Kind::Duration,
                "Recovery time objective, no longer than the MTPD. A duration, like 4h or 1d.",
            ),
            col(
                "RPO",
                &["rpo"],
                Kind::Duration,
                "Recovery point objective: how much data may be lost. A duration, like 1d.",
            ),
            col(
                "MBCO",
                &["mbco"],
                Kind::Value,
                "Minimum business continuity objective: the least capacity still acceptable, like 60%. Blank means 100%.",
            ),
            col(
                "Needs",
                &["needs"],
                Kind::Needs,
                "What it needs, one a line: an id (all of these are needed), `any of: a, b` (one is enough) or `2 of: a, b, c`.",
            ),
            col(
                "Staff",
                &["staff"],
                Kind::Staff,
                "Staff needed at full capacity, as `skill: FTE`, separated by commas, like `care-worker: 12, team-leader: 2`.",
            ),
            col(
                "Demand per day",
                &["demand", "per_day"],
                Kind::Value,
                "Work arriving each day, as a number.",
            ),
            col(
                "Demand unit",
                &["demand", "unit"],
                Kind::Text,
                "What a unit of work is: cases, visits, calls.",
            ),
            words(
                "Demand kind",
                &["demand", "kind"],
                &["deferrable", "perishable"],
                "deferrable (work waits) or perishable (work not done that day is lost). Blank means deferrable.",
            ),
            col(
                "Maximum wait",
                &["demand", "max_wait"],
                Kind::Duration,
                "How long deferrable work may wait before it is overdue. A duration.",
            ),
            col(
                "Surge",
                &["surge"],
                Kind::Surge,
                "The most capacity reachable while clearing a backlog, like 130%.",
            ),
            col(
                "Population",
                &["population"],
                Kind::Value,
                "People who rely on it.",
            ),
            col(
                "LGSL",
                &["lgsl"],
                Kind::Value,
                "Local Government Service List code.",
            ),
            col(
                "Season from",
                &["season", "from"],
                Kind::MonthDay,
                "First day of the part of the year it runs in, as MM-DD, like 11-01.",
            ),
            col(
                "Season to",
                &["season", "to"],
                Kind::MonthDay,
                "Last day of its season, as MM-DD, like 03-31.",
            ),
        ],
    },
    Sheet {
        name: "Workarounds",
        rows: Rows::Children {
            parent: List::Services,
            by: "Service",
            key: "workarounds",
        },
        columns: &[
            col(
                "Service",
                &[],
                Kind::Value,
                "The id of the service it keeps going.",
            ),
            col(
                "Name",
                &["name"],
                Kind::Text,
                "What the procedure is, like `Paper referral forms`.",
            ),
            col(
                "Capacity",
                &["capacity"],
                Kind::Value,
                "The capacity it gives while in use, like 60%.",
            ),
            col(
                "After",
                &["after"],
                Kind::Duration,
                "Start-up time from the moment the service is lost. A duration, like 2h.",
            ),
            col(
                "Lasts",
                &["lasts"],
                Kind::Duration,
                "The longest it can be kept up. A duration; blank for no limit.",
            ),
            col(
                "Needs",
                &["needs"],
                Kind::Needs,
                "What it needs of its own, written like a service's needs.",
            ),
            col(
                "Staff",
                &["staff"],
                Kind::Staff,
                "Staff it needs, as `skill: FTE`.",
            ),
        ],
    },
    Sheet {
        name: "Assets",
        rows: Rows::Items(List::Assets),
        columns: &[
            ID,
            NAME,
            DESCRIPTION,
            OWNER,
            TAGS,
            ORGANISATION,
            words(
                "Kind",
                &["kind"],
                &[
                    "site",
                    "it-system",
                    "supplier",
                    "utility",
                    "data",
                    "equipment",
                    "vehicle",
                    "other",
                ],
                "site, it-system, supplier, utility, data, equipment, vehicle or other.",
            ),
            col(
                "Needs",
                &["needs"],
                Kind::Needs,
                "What it needs in turn, one a line: an id, `any of: a, b` or `2 of: a, b, c`.",
            ),
            col(
                "Failure probability",
                &["failure", "probability"],
                Kind::Value,
                "The chance it is lost in a year, like 5%. Or fill in failures per year and repair time instead.",
            ),
            col(
                "Failures per year",
                &["failure", "rate"],
                Kind::Value,
                "How often it fails in a year, with the repair time.",
            ),
            col(
                "Repair time",
                &["failure", "repair"],
                Kind::Duration,
                "Mean time to restore it. A duration.",
            ),
            col(
                "Recovery RTO",
                &["recovery", "rto"],
                Kind::Duration,
                "How soon it can be restored or worked around. A duration.",
            ),
            col(
                "Stock lasts",
                &["stock", "lasts"],
                Kind::Duration,
                "For a stock (fuel, salt, PPE): how long a full stock lasts while in use. A duration, like 48h.",
            ),
            col(
                "Stock resupply",
                &["stock", "resupply"],
                Kind::Duration,
                "For a stock: a delivery fills it this long after it runs out. A duration; blank for none.",
            ),
            col(
                "End of support",
                &["end_of_support"],
                Kind::Date,
                "For IT systems: when vendor support ends, as YYYY-MM-DD.",
            ),
            col(
                "Contract end",
                &["contract_end"],
                Kind::Date,
                "For suppliers: when the contract ends, as YYYY-MM-DD.",
            ),
            col("Vendor", &["vendor"], Kind::Text, "For IT systems."),
            col("Product", &["product"], Kind::Text, "For IT systems."),
            col("Version", &["version"], Kind::Text, "For IT systems."),
            words(
                "Hosting",
                &["hosting"],
                &["on-premises", "cloud", "saas"],
                "For IT systems: on-premises, cloud or saas.",
            ),
            col(
                "Data held",
                &["data", "held"],
                Kind::Texts,
                "For IT systems: the data it holds, one a line.",
            ),
            words(
                "Classification",
                &["data", "classification"],
                &["official", "official-sensitive", "secret", "top-secret"],
                "For IT systems: official, official-sensitive, secret or top-secret.",
            ),
            words(
                "Personal data",
                &["data", "personal"],
                &["none", "personal", "special-category"],
                "For IT systems: none, personal or special-category.",
            ),
            words(
                "Immutable backups",
                &["backups", "immutable"],
                &["true", "false"],
                "For IT systems: true when backups cannot be changed or deleted.",
            ),
            col(
                "Last restore test",
                &["backups", "last_restore_test"],
                Kind::Date,
                "For IT systems: when a restore was last tested, as YYYY-MM-DD.",
            ),
            words(
                "Lifecycle",
                &["lifecycle"],
                &["tolerate", "invest", "migrate", "eliminate"],
                "For IT systems: tolerate, invest, migrate or eliminate.",
            ),
            col(
                "Annual cost",
                &["annual_cost"],
                Kind::Value,
                "For IT systems and suppliers: pounds a year.",
            ),
            words(
                "Exit plan",
                &["exit_plan"],
                &["none", "documented", "tested"],
                "For suppliers: none, documented or tested.",
            ),
            words(
                "Substitutability",
                &["substitutability"],
                &["easy", "moderate", "difficult", "none"],
                "For suppliers: easy, moderate, difficult or none.",
            ),
        ],
    },
    Sheet {
        name: "Risks",
        rows: Rows::Items(List::Risks),
        columns: &[
            ID,
            NAME,
            DESCRIPTION,
            OWNER,
            TAGS,
            words(
                "Likelihood",
                &["likelihood"],
                SCALE,
                "1 (lowest) to 5 (highest), on the National Risk Register scale.",
            ),
            words(
                "Impact",
                &["impact"],
                SCALE,
                "1 (lowest) to 5 (highest), on the National Risk Register scale.",
            ),
            col(
                "Period (years)",
                &["period_years"],
                Kind::Value,
                "The years the likelihood is over: 5 in the National Risk Register, 2 for malicious risks.",
            ),
            col(
                "Scenario",
                &["scenario"],
                Kind::Value,
                "The id of the scenario that rehearses it.",
            ),
            col(
                "Controls",
                &["controls"],
                Kind::Texts,
                "Controls in place, one a line.",
            ),
            col(
                "Review",
                &["review"],
                Kind::Date,
                "Next review date, as YYYY-MM-DD.",
            ),
            col(
                "Category",
                &["category"],
                Kind::Text,
                "A theme, like cyber.",
            ),
        ],
    },
    Sheet {
        name: "Scenarios",
        rows: Rows::Items(List::Scenarios),
        columns: &[
            ID,
            NAME,
            DESCRIPTION,
            OWNER,
            TAGS,
            col(
                "Horizon",
                &["horizon"],
                Kind::Duration,
                "How long to rehearse. A duration, like 60d.",
            ),
            col(
                "Start",
                &["start"],
                Kind::Date,
                "The date it starts on, for seasons, as YYYY-MM-DD.",
            ),
            col(
                "Suspend",
                &["suspend"],
                Kind::Ids,
                "Ids of services deliberately stood down, separated by commas.",
            ),
        ],
    },
    Sheet {
        name: "Events",
        rows: Rows::Children {
            parent: List::Scenarios,
            by: "Scenario",
            key: "events",
        },
        columns: &[
            col(
                "Scenario",
                &[],
                Kind::Value,
                "The id of the scenario it belongs to.",
            ),
            words(
                EVENT,
                &[],
                &EVENT_KINDS,
                "outage (goes down), degrade (runs at part capacity), absence (staff absent), demand (more work) or resupply (a delivery fills a stock).",
            ),
            col(
                EVENT_ITEM,
                &[],
                Kind::Value,
                "The id of the asset or service (outage, degrade), skill (absence), service (demand) or asset with a stock (resupply); `all` for every skill or service.",
            ),
            col(
                "To",
                &["to"],
                Kind::Value,
                "For degrade: the capacity left, like 50%.",
            ),
            col(
                "Factor",
                &["factor"],
                Kind::Value,
                "For demand: what demand is multiplied by, like 1.4.",
            ),
            col(
                "Profile",
                &["profile"],
                Kind::Profile,
                "For absence: points `time: percentage absent`, separated by commas, like `0d: 0%, 14d: 15%, 28d: 30%`.",
            ),
            col(
                "At",
                &["at"],
                Kind::Duration,
                "When it starts, from the scenario's start. A duration, like 2h.",
            ),
            col(
                "For",
                &["for"],
                Kind::Duration,
                "How long it lasts; blank for to the end of the scenario. A duration.",
            ),
        ],
    },
];

/// A heading as compared: lower case, spaces collapsed.
pub(crate) fn normal(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A column's letters, as a spreadsheet shows them: 1 is `A`, 27 is `AA`.
pub fn column_letters(mut column: u32) -> String {
    let mut out = Vec::new();
    while column > 0 {
        let rem = (column - 1) % 26;
        out.push(char::from(b'A' + rem as u8));
        column = (column - 1) / 26;
    }
    out.iter().rev().collect()
}
