//! Standbys (alternatives with a switchover time) and stocks (assets that last a given time in
//! use): read with positions on every problem, exported to read back the same.

use super::errors;
use bulwark_model::export::{Format, to_value, write};
use bulwark_model::{EventKind, Need, load_str};

const FULL: &str = r#"bulwark: 1
assets:
  - {id: grid, name: Grid, kind: utility}
  - id: generator
    name: Generator
    kind: equipment
    stock: {lasts: 48h, resupply: 1d}
  - {id: salt, name: Salt barn, kind: other, stock: {lasts: 10d}}
  - {id: dc-a, name: Data centre A, kind: site}
  - {id: dc-b, name: Data centre B, kind: site}
  - {id: dc-c, name: Data centre C, kind: site}
  - id: hall
    name: Hall
    kind: site
    needs:
      - any: [grid, {standby: generator, switchover: 0h}]
  - id: platform
    name: Platform
    kind: it-system
    needs:
      - atleast: 1
        of:
          - dc-a
          - standby: [dc-b, hall]
            switchover: 4h
          - {standby: {any: [dc-c, dc-b]}, switchover: 1d12h}
scenarios:
  - id: power
    name: Power
    events:
      - {outage: grid, at: 0h, for: 3d}
      - {resupply: generator, at: 2d12h}
"#;

#[test]
fn standbys_and_stocks_read_and_round_trip() {
    let loaded = load_str("m.yaml", FULL);
    assert!(loaded.is_valid(), "{:?}", errors(&loaded));
    let m = &loaded.model;
    let generator = m.assets[1].stock.unwrap();
    assert_eq!(
        (
            generator.lasts.to_string(),
            generator.resupply.map(|d| d.to_string())
        ),
        ("2d".to_string(), Some("1d".to_string()))
    );
    assert_eq!(m.assets[2].stock.unwrap().resupply, None);
    let Some(Need::All(parts, _)) = &m.assets[6].needs else {
        panic!("{:?}", m.assets[6].needs)
    };
    let Need::Any(alternatives, _) = &parts[0] else {
        panic!()
    };
    assert!(
        matches!(&alternatives[1], Need::Standby { need, switchover, .. }
        if switchover.minutes() == 0 && matches!(need.as_ref(), Need::Ref(r) if r.id == "generator"))
    );
    let mut standbys = Vec::new();
    m.assets[7]
        .needs
        .as_ref()
        .unwrap()
        .for_each_standby(&mut |_, d| standbys.push(d.to_string()));
    assert_eq!(standbys, ["4h", "1d12h"]);
    assert!(
        matches!(&m.scenarios[0].events[1].kind, EventKind::Resupply(r) if r.id == "generator")
    );
    for (format, name) in [(Format::Yaml, "out.yaml"), (Format::Json, "out.json")] {
        let again = load_str(name, &write(m, format));
        assert!(again.is_valid(), "{:?}", errors(&again));
        assert_eq!(to_value(&again.model), to_value(m));
    }
    let yaml = write(m, Format::Yaml);
    for fragment in [
        "standby: generator",
        "switchover: 1d12h",
        "lasts: 2d",
        "resupply: generator",
    ] {
        assert!(yaml.contains(fragment), "missing `{fragment}` in\n{yaml}");
    }
}

#[test]
fn mistakes_in_standbys_and_stocks_are_reported_where_written() {
    let text = r#"bulwark: 1
assets:
  - {id: grid, name: Grid, kind: utility}
  - {id: gen, name: Generator, kind: equipment, stock: {lasts: -2h, resupply: 1 day}}
  - {id: tank, name: Tank, kind: equipment, stock: {resupply: 1d, size: 3}}
  - {id: empty, name: Empty, kind: equipment, stock: {lasts: 0h}}
  - {id: soon, name: Soon, kind: equipment, stock: {lasts: 1h, resupply: 0h}}
  - id: hall
    name: Hall
    kind: site
    needs:
      - any: [{standby: grid, switchover: 4h}]
      - {standby: gen, switchover: 1h}
      - atleast: 2
        of: [grid, {standby: gen, switchover: 2h}, {standby: tank}]
      - any: [grid, {standby: nowhere, switchover: soon}]
scenarios:
  - id: s
    name: S
    events:
      - {resupply: grid, at: 1d}
      - {resupply: nothing, at: 1d}
      - {resupply: gen, at: 1d, for: 2h}
"#;
    let loaded = load_str("m.yaml", text);
    let errs = errors(&loaded);
    let expect = [
        (4, 64, "`lasts`: `-2h` is not a duration"),
        (4, 79, "`resupply`: `1 day` is not a duration"),
        (5, 52, "`stock` needs `lasts`"),
        (5, 67, "unknown key `size` in `stock`"),
        (6, 62, "`lasts`: a stock must last some time in use"),
        (7, 74, "`resupply`: a delivery takes some time to arrive"),
        (
            12,
            9,
            "`any` needs at least one alternative without a switchover time",
        ),
        (
            13,
            9,
            "one of the alternatives of an `any` or `atleast` list",
        ),
        (
            14,
            9,
            "`atleast: 2` needs at least 2 of its list without a switchover time",
        ),
        (15, 52, "a standby needs `switchover`"),
        (16, 31, "unknown id `nowhere` in `needs`"),
        (16, 52, "`switchover`: `soon` is not a duration"),
        (
            21,
            20,
            "`resupply` names `grid`, which has no `stock` to fill",
        ),
        (22, 20, "unknown id `nothing` in `resupply`"),
        (23, 38, "a `resupply` event fills a stock at one moment"),
    ];
    for (line, column, fragment) in expect {
        assert!(
            errs.iter()
                .any(|(l, c, m)| *l == line && *c == column && m.contains(fragment)),
            "no `{fragment}` at {line}:{column} in {errs:#?}"
        );
    }
    // A stock with a bad `lasts` is still a stock: resupplying it is no second mistake.
    assert!(
        !errs
            .iter()
            .any(|(_, _, m)| m.contains("`gen`, which has no `stock`")),
        "{errs:#?}"
    );
}
