//! Models as workbooks: an export reads back to the same model, every problem is placed by
//! sheet, row and column with the words YAML gets, and damaged or hostile workbooks give
//! problems, never a panic.

use super::examples;
use bulwark_model::export::{Format, to_value, write};
use bulwark_model::generate::{Shape, generate};
use bulwark_model::{Loaded, Severity, load, load_str, load_workbook, workbook};
use proptest::prelude::*;
use rust_xlsxwriter::Workbook;
use std::io::Write;
use std::path::Path;

fn read_back(bytes: &[u8]) -> Loaded {
    load_workbook(Path::new("model.xlsx"), bytes)
}

/// Every error, as printed.
fn problems(loaded: &Loaded) -> Vec<String> {
    loaded
        .problems()
        .filter(|p| p.diagnostic.severity == Severity::Error)
        .map(|p| p.to_string())
        .collect()
}

/// A workbook of the given sheets, each a grid of texts (row 1 the headings); an empty
/// text leaves the cell empty.
fn book(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                if !text.is_empty() {
                    ws.write_string(r as u32, c as u16, *text).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The model as the format writes it, with every top-level `needs` as a list: a workbook
/// holds needs as lines, all of them needed, so `needs: app` comes back as `needs: [app]`,
/// which means the same.
fn as_lists(model: &bulwark_model::Model) -> serde_json::Value {
    let mut value = to_value(model);
    let wrap = |item: &mut serde_json::Value| {
        if let Some(needs) = item.get_mut("needs")
            && !needs.is_array()
        {
            *needs = serde_json::Value::Array(vec![needs.take()]);
        }
    };
    for list in ["services", "assets"] {
        for item in value[list].as_array_mut().into_iter().flatten() {
            wrap(item);
            let workarounds = item.get_mut("workarounds").and_then(|w| w.as_array_mut());
            for w in workarounds.into_iter().flatten() {
                wrap(w);
            }
        }
    }
    value
}

#[test]
fn the_demo_round_trips_through_a_workbook() {
    let loaded = load(&examples().join("demo-council/council.yaml"));
    assert!(loaded.is_valid());
    let bytes = workbook::write(&loaded.model).unwrap();
    let again = read_back(&bytes);
    assert!(again.is_valid(), "{:?}", problems(&again));
    assert_eq!(to_value(&again.model), to_value(&loaded.model));
    // The demo writes every `needs` as a list, so nothing changes at all.
    assert_eq!(as_lists(&loaded.model), to_value(&loaded.model));
    // YAML, to a workbook, to YAML: the same text.
    assert_eq!(
        write(&again.model, Format::Yaml),
        write(&loaded.model, Format::Yaml)
    );
    // And the workbook of the read-back model is the workbook again (export of a workbook
    // gives back the same model).
    let twice = read_back(&workbook::write(&again.model).unwrap());
    assert_eq!(to_value(&twice.model), to_value(&loaded.model));
}

#[test]
fn a_file_on_disk_is_read_as_a_workbook_by_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("council.xlsx");
    let model = generate(Shape {
        services: 30,
        seed: 5,
    });
    std::fs::write(&path, workbook::write(&model).unwrap()).unwrap();
    let loaded = load(&path);
    assert!(loaded.is_valid(), "{:?}", problems(&loaded));
    assert_eq!(to_value(&loaded.model), as_lists(&model));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Generated councils of any size and seed read back the same.
    #[test]
    fn generated_models_round_trip(services in 1usize..120, seed in any::<u64>()) {
        let model = generate(Shape { services, seed });
        let again = read_back(&workbook::write(&model).unwrap());
        prop_assert!(again.is_valid(), "{:?}", problems(&again));
        prop_assert_eq!(to_value(&again.model), as_lists(&model));
        // Once a workbook, the same model every time.
        let twice = read_back(&workbook::write(&again.model).unwrap());
        prop_assert_eq!(to_value(&twice.model), to_value(&again.model));
    }
}

/// Nested things written in a model file come back from their cells: needs of every shape,
/// staff, workarounds, impacts, events of every kind, seasons, estate fields and values of
/// one's own.
#[test]
fn nested_fields_and_extensions_round_trip() {
    let text = r#"
bulwark: 1
x-source: {team: resilience, year: 2026}
skills:
  - {id: carer, name: Carer, headcount: 40.5, can_cover: [driver]}
  - {id: driver, name: Driver, headcount: 3}
services:
  - id: care
    name: "Care, at home"
    description: "Two\nlines"
    tags: [adults, "statutory duty"]
    criticality: critical
    mtpd: 1d12h
    rto: 1d
    rpo: 4h
    mbco: 60%
    needs: [app, {any: [hall, depot]}, {atleast: 2, of: [hall, depot, app]}, {all: [app, {any: [hall, depot]}]}]
    staff: [{skill: carer, fte: 12.5}]
    demand: {per_day: 120, unit: visits, kind: perishable}
    surge: 130%
    population: 2500
    impacts: {4h: 2, 1d: 4, 3d: 5}
    lgsl: 1234
    season: {from: 11-01, to: 03-31}
    workarounds:
      - {name: Paper rota, capacity: 50%, after: 2h, lasts: 3d, needs: [hall], staff: [{skill: driver, fte: 1}]}
      - {name: Phone triage, capacity: 30%, after: 30m}
    x-ref: "0042"
assets:
  - {id: app, name: CareApp, kind: it-system, vendor: Acme, hosting: saas, data: {held: [case records, "rotas"], personal: special-category}, backups: {immutable: true, last_restore_test: 2026-01-31}, lifecycle: invest, annual_cost: 12000.5, end_of_support: 2028-03-31, failure: {rate: 0.5, repair: 2d}, recovery: {rto: 1d}}
  - {id: hall, name: Hall, kind: site, failure: {probability: 0.05}}
  - {id: depot, name: Depot, kind: supplier, exit_plan: tested, substitutability: moderate, contract_end: 2027-06-30}
  - {id: fuel, name: Generator fuel, kind: equipment, stock: {lasts: 48h, resupply: 1d}}
  - {id: grid, name: Grid, kind: utility}
  - {id: power, name: Power, kind: utility, needs: [{any: [grid, {standby: fuel, switchover: 15m}]}]}
risks:
  - {id: r1, name: Cyber attack, likelihood: 3, impact: 4, period_years: 2, scenario: s1, controls: ["Backups, tested", Training], review: 2027-01-01, category: cyber}
scenarios:
  - id: s1
    name: Ransomware
    horizon: 60d
    start: 2026-12-01
    suspend: [care]
    events:
      - {outage: app, at: 0h, for: 21d, x-note: first}
      - {degrade: hall, to: 50%, at: 2h}
      - {absence: all, profile: [[0d, 0%], [14d, 15%]]}
      - {demand: care, factor: 1.4, at: 7d, for: 8w}
      - {resupply: fuel, at: 2d12h}
"#;
    let loaded = load_str("m.yaml", text);
    assert!(
        loaded.is_valid(),
        "{:?}",
        loaded.problems().map(|p| p.to_string()).collect::<Vec<_>>()
    );
    let again = read_back(&workbook::write(&loaded.model).unwrap());
    assert!(again.is_valid(), "{:?}", problems(&again));
    assert_eq!(to_value(&again.model), to_value(&loaded.model));
}

/// A mistake in a cell is reported at its sheet, row and column heading, in the words the
/// same mistake in YAML gets.
#[test]
fn problems_name_sheet_row_and_column_with_the_words_of_yaml() {
    let bytes = book(&[
        (
            "Services",
            &[
                &["ID", "Name", "Criticality", "MTPD", "RTO", "Needs"],
                &["care", "Care", "critcal", "24", "1d", "app"],
                &["", "No id", "", "", "", ""],
            ],
        ),
        (
            "Assets",
            &[&["ID", "Name", "Kind"], &["app", "App", "site"]],
        ),
    ]);
    let got = problems(&read_back(&bytes));
    let yaml = load_str(
        "m.yaml",
        "bulwark: 1\nservices: [{id: care, name: Care, criticality: critcal, mtpd: 24, rto: 1d, needs: [app]}]\nassets: [{id: app, name: App, kind: site}]\n",
    );
    let words = |s: &str| s.split_once(": ").unwrap().1.to_string();
    let yaml_words: Vec<String> = problems(&yaml).iter().map(|p| words(p)).collect();
    assert!(
        got.contains(&format!(
            "model.xlsx, sheet Services, row 2, column Criticality: {}",
            yaml_words
                .iter()
                .find(|w| w.contains("criticality"))
                .unwrap()
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&format!(
            "model.xlsx, sheet Services, row 2, column MTPD: {}",
            yaml_words.iter().find(|w| w.contains("mtpd")).unwrap()
        )),
        "{got:?}"
    );
    assert!(
        got.iter().any(
            |p| p.starts_with("model.xlsx, sheet Services, row 3, column ID: ")
                && p.contains("has no `id`")
        ),
        "{got:?}"
    );
}

#[test]
fn sheets_columns_and_rows_that_cannot_be_placed_are_reported() {
    let bytes = book(&[
        (
            "Services",
            &[
                &["ID", "Name", "MTDP", "", "x-mine"],
                &["care", "Care", "1d", "stray", "kept"],
            ],
        ),
        (
            "Workarounds",
            &[
                &["Service", "Name", "Capacity", "After"],
                &["nursing", "Paper", "50%", "2h"],
                &["care", "Phones", "", "2h"],
            ],
        ),
        (
            "Events",
            &[&["Scenario", "Event", "Item"], &["s1", "outge", "care"]],
        ),
        ("Scenarios", &[&["ID", "Name"], &["s1", "S"]]),
        ("Servces", &[&["ID"]]),
        ("x-notes", &[&["anything"]]),
        ("Read me", &[&["anything"]]),
    ]);
    let got = problems(&read_back(&bytes));
    let has =
        |start: &str, part: &str| got.iter().any(|p| p.starts_with(start) && p.contains(part));
    assert!(
        has(
            "model.xlsx, sheet Servces, row 1, column A: ",
            "did you mean `Services`?"
        ),
        "{got:?}"
    );
    assert!(
        has(
            "model.xlsx, sheet Services, row 1, column MTDP: ",
            "did you mean `MTPD`?"
        ),
        "{got:?}"
    );
    assert!(
        has(
            "model.xlsx, sheet Services, row 2, column D: ",
            "no heading"
        ),
        "{got:?}"
    );
    assert!(
        has(
            "model.xlsx, sheet Workarounds, row 2, column Service: ",
            "no `nursing` in sheet Services"
        ),
        "{got:?}"
    );
    assert!(
        has(
            "model.xlsx, sheet Workarounds, row 3, column",
            "a workaround needs `capacity`"
        ),
        "{got:?}"
    );
    assert!(
        has(
            "model.xlsx, sheet Events, row 2, column Event: ",
            "did you mean `outage`?"
        ),
        "{got:?}"
    );
    assert!(
        !got.iter()
            .any(|p| p.contains("x-notes") || p.contains("Read me")),
        "{got:?}"
    );
}

#[test]
fn spreadsheet_dates_numbers_and_percentages_read_as_typed() {
    use rust_xlsxwriter::{ExcelDateTime, Format};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Services").unwrap();
    for (c, h) in [
        "ID",
        "Name",
        "MBCO",
        "Surge",
        "Population",
        "Season from",
        "Season to",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.write_string(1, 0, "care").unwrap();
    ws.write_number(1, 1, 2024).unwrap(); // a name that is a number
    ws.write_number(1, 2, 0.6).unwrap(); // 60% as a spreadsheet keeps it
    ws.write_number(1, 3, 1.3).unwrap(); // 130%
    ws.write_number(1, 4, 2500).unwrap();
    let day = |m, d| ExcelDateTime::from_ymd(2026, m, d).unwrap();
    ws.write_datetime_with_format(1, 5, day(11, 1), &date)
        .unwrap();
    ws.write_datetime_with_format(1, 6, day(3, 31), &date)
        .unwrap();
    let loaded = read_back(&wb.save_to_buffer().unwrap());
    assert!(loaded.is_valid(), "{:?}", problems(&loaded));
    let s = &loaded.model.services[0];
    assert_eq!(s.meta.name, "2024");
    assert_eq!(s.mbco.unwrap().to_string(), "60%");
    assert_eq!(s.surge, Some(1.3));
    assert_eq!(s.population, Some(2500));
    let season = s.season.unwrap();
    assert_eq!((season.from, season.to), ((11, 1), (3, 31)));
}

#[test]
fn the_bia_template_reads_as_an_empty_model_and_filled_in_as_services() {
    let bytes = workbook::template_bia().unwrap();
    let empty = read_back(&bytes);
    assert!(empty.is_valid(), "{:?}", problems(&empty));
    assert!(empty.model.services.is_empty());
    let filled = book(&[
        (
            "Services",
            &[
                &[
                    "ID",
                    "Name",
                    "Criticality",
                    "MTPD",
                    "RTO",
                    "Needs",
                    "Impact after 4h",
                    "Impact after 1d",
                ],
                &["care", "Care", "critical", "1d", "4h", "app", "2", "5"],
            ],
        ),
        (
            "Assets",
            &[&["ID", "Name", "Kind"], &["app", "App", "it-system"]],
        ),
    ]);
    let loaded = read_back(&filled);
    assert!(loaded.is_valid(), "{:?}", problems(&loaded));
    let s = &loaded.model.services[0];
    assert_eq!(s.impacts.len(), 2);
    assert_eq!(s.impacts[1].1, 5);
}

#[test]
fn damaged_and_hostile_workbooks_are_refused_without_a_panic() {
    let good = workbook::write(&generate(Shape {
        services: 10,
        seed: 1,
    }))
    .unwrap();
    // Not a workbook at all; cut short; a zip holding nonsense.
    let mut zip_of_junk = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut zip_of_junk));
        let o = zip::write::SimpleFileOptions::default();
        z.start_file("xl/workbook.xml", o).unwrap();
        z.write_all(b"<workbook><sheets><sheet name=\"Services\" r:id=\"rId1\"/>")
            .unwrap();
        z.start_file("[Content_Types].xml", o).unwrap();
        z.write_all(b"\xff\xfe junk").unwrap();
        z.finish().unwrap();
    }
    for bytes in [
        b"bulwark: 1\n".to_vec(),
        Vec::new(),
        good[..good.len() / 2].to_vec(),
        zip_of_junk,
    ] {
        let loaded = read_back(&bytes);
        assert!(!loaded.is_valid());
        assert!(
            problems(&loaded)[0].starts_with("model.xlsx:1:1: cannot read the workbook")
                || problems(&loaded)[0].starts_with("model.xlsx, sheet"),
            "{:?}",
            problems(&loaded)
        );
    }
    // A part that unpacks to more than the limit.
    let mut bomb = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut bomb));
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("xl/sharedStrings.xml", o).unwrap();
        let block = vec![b'a'; 1 << 20];
        for _ in 0..=(workbook::MAX_UNPACKED_BYTES >> 20) {
            z.write_all(&block).unwrap();
        }
        z.finish().unwrap();
    }
    assert!(
        bomb.len() < 2 << 20,
        "the test's zip is small: {}",
        bomb.len()
    );
    let got = problems(&read_back(&bomb));
    assert!(got[0].contains("unpacks to more than"), "{got:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Bytes of a good workbook changed anywhere give a model or problems, never a panic.
    #[test]
    fn mutated_workbooks_never_panic(at in any::<prop::sample::Index>(), bytes in prop::collection::vec(any::<u8>(), 1..16)) {
        let mut good = workbook::write(&generate(Shape { services: 5, seed: 2 })).unwrap();
        let i = at.index(good.len());
        let end = (i + bytes.len()).min(good.len());
        good.splice(i..end, bytes);
        let _ = read_back(&good);
    }
}
