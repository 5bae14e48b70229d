//! The additions to version 1: workarounds, demand kinds, seasons, scenario start dates and
//! suspended services. Read with positions on every problem, and exported to read back the same.

use super::errors;
use bulwark_model::export::{Format, to_value, write};
use bulwark_model::{DemandKind, load_str};

const FULL: &str = r#"bulwark: 1
skills:
  - {id: social-worker, name: Social worker, headcount: 20}
assets:
  - {id: careledger, name: CareLedger, kind: it-system}
  - {id: telephony, name: Telephony, kind: utility}
services:
  - id: mash
    name: MASH triage
    mbco: 50%
    mtpd: 4h
    needs: [careledger, telephony]
    staff: [{skill: social-worker, fte: 10}]
    demand: {per_day: 35, unit: referrals, max_wait: 1d}
    workarounds:
      - name: Paper referral forms and phone triage
        capacity: 60%
        after: 2h
        lasts: 3d
        needs: [telephony]
        staff: [{skill: social-worker, fte: 4}]
      - name: Weekly CareLedger export
        capacity: 30%
  - id: home-care
    name: Home care visits
    demand: {per_day: 900, unit: visits, kind: perishable}
  - id: gritting
    name: Winter gritting
    season: {from: 11-01, to: 03-31}
scenarios:
  - id: pandemic
    name: Pandemic
    start: 2027-07-01
    suspend: [gritting]
    events:
      - {outage: careledger, at: 0h, for: 1d}
"#;

#[test]
fn every_addition_reads_and_round_trips() {
    let loaded = load_str("m.yaml", FULL);
    assert!(loaded.is_valid(), "{:?}", errors(&loaded));
    let m = &loaded.model;
    let mash = &m.services[0];
    assert_eq!(mash.workarounds.len(), 2);
    let w = &mash.workarounds[0];
    assert_eq!(
        (
            w.capacity.fraction(),
            w.after.to_string(),
            w.lasts.map(|d| d.to_string())
        ),
        (0.6, "2h".to_string(), Some("3d".to_string()))
    );
    assert_eq!(w.staff[0].fte, 4.0);
    // `after` defaults to no start-up time.
    assert_eq!(mash.workarounds[1].after.minutes(), 0);
    assert_eq!(
        mash.demand
            .as_ref()
            .unwrap()
            .max_wait
            .map(|(d, _)| d.to_string()),
        Some("1d".into())
    );
    assert_eq!(
        m.services[1].demand.as_ref().unwrap().kind(),
        DemandKind::Perishable
    );
    let season = m.services[2].season.unwrap();
    assert_eq!((season.from, season.to), ((11, 1), (3, 31)));
    let winter = chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
    let summer = chrono::NaiveDate::from_ymd_opt(2027, 7, 15).unwrap();
    assert!(season.contains(winter) && !season.contains(summer));
    assert_eq!(m.scenarios[0].start.unwrap().to_string(), "2027-07-01");
    assert_eq!(m.scenarios[0].suspend[0].id, "gritting");
    for (format, name) in [(Format::Yaml, "out.yaml"), (Format::Json, "out.json")] {
        let again = load_str(name, &write(m, format));
        assert!(again.is_valid(), "{:?}", errors(&again));
        assert_eq!(to_value(&again.model), to_value(m));
    }
    let yaml = write(m, Format::Yaml);
    for fragment in [
        "workarounds:",
        "after: 2h",
        "kind: perishable",
        "max_wait: 1d",
        "from: 11-01",
        "2027-07-01",
        "suspend:",
    ] {
        assert!(yaml.contains(fragment), "missing `{fragment}` in\n{yaml}");
    }
}

#[test]
fn mistakes_in_the_additions_are_reported_where_written() {
    let text = r#"bulwark: 1
skills:
  - {id: clerk, name: Clerk, headcount: 2}
assets:
  - {id: app, name: App, kind: it-system}
services:
  - id: a
    name: A
    demand: {per_day: 5, kind: perishible}
    workarounds:
      - name: Paper
        capacity: 150%
        after: 2
        needs: [nothing-here]
        staff: [{skill: clark, fte: 1}]
      - capacity: 50%
        speed: fast
  - id: b
    name: B
    demand: {per_day: 5, kind: perishable, max_wait: 1d}
    season: {from: 13-01, to: 02-30}
  - id: c
    name: C
    needs: [app]
    workarounds:
      - {name: Loop, capacity: 50%, needs: [d]}
  - id: d
    name: D
    needs: [c]
scenarios:
  - id: s
    name: S
    start: 2027-02-30
    suspend: [app, nobody]
    events: []
"#;
    let loaded = load_str("m.yaml", text);
    let errs = errors(&loaded);
    let expect = [
        (9, 32, "`kind`: `perishible` is not a kind of demand"),
        (12, 19, "`capacity`"),
        (13, 16, "`after`"),
        (
            14,
            17,
            "unknown id `nothing-here` in the workaround's `needs`",
        ),
        (15, 25, "unknown id `clark` in the workaround's `staff`"),
        (16, 9, "a workaround needs `name`"),
        (17, 9, "unknown key `speed` in a workaround"),
        (20, 54, "`max_wait` is for deferrable demand"),
        (21, 20, "`from`: `13-01` is not a day of the year"),
        (21, 31, "`to`: `02-30` is not a day of the year"),
        (26, 45, "dependency cycle"),
        (33, 12, "`start`: `2027-02-30` is not a date"),
        (
            34,
            15,
            "`suspend` names `app`, which is an asset, not a service",
        ),
        (34, 20, "unknown id `nobody` in `suspend`"),
    ];
    for (line, column, fragment) in expect {
        assert!(
            errs.iter()
                .any(|(l, c, m)| *l == line && *c == column && m.contains(fragment)),
            "no `{fragment}` at {line}:{column} in {errs:#?}"
        );
    }
}
