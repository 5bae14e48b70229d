//! The IT estate register's and supply chain's fields on assets: read, checked where they
//! are written, and exported back to the same model.

use super::errors;
use bulwark_model::estate::{
    Classification, ExitPlan, Hosting, Lifecycle, PersonalData, Substitutability,
};
use bulwark_model::export::{Format, to_value, write};
use bulwark_model::{AssetKind, Standing, load_str};
use chrono::NaiveDate;

const ESTATE: &str = r#"bulwark: 1
assets:
  - id: carefirst
    name: CareFirst case management
    kind: it-system
    owner: Head of Adults' Systems
    vendor: OLM Systems
    product: CareFirst
    version: "6.14"
    hosting: on-premises
    data:
      held: [adult social care case records, care packages]
      classification: official-sensitive
      personal: special-category
    backups: {immutable: false, last_restore_test: 2025-02-11}
    end_of_support: 2026-03-31
    lifecycle: migrate
    annual_cost: 184000
    needs: [sup-olm]
  - id: sup-olm
    name: OLM Systems Ltd
    kind: supplier
    contract_end: 2027-03-31
    exit_plan: documented
    substitutability: difficult
    annual_cost: 96500.5
services:
  - {id: care, name: Adult social care, needs: [carefirst]}
"#;

#[test]
fn estate_fields_are_read_and_round_trip_in_yaml_and_json() {
    let loaded = load_str("m.yaml", ESTATE);
    assert!(loaded.is_valid(), "{:#?}", errors(&loaded));
    let system = &loaded.model.assets[0];
    let e = &system.estate;
    assert_eq!(system.kind, AssetKind::ItSystem);
    assert_eq!(e.vendor.as_deref(), Some("OLM Systems"));
    assert_eq!(e.version.as_deref(), Some("6.14"));
    assert_eq!(e.hosting, Some(Hosting::OnPremises));
    assert_eq!(e.lifecycle, Some(Lifecycle::Migrate));
    assert_eq!(e.annual_cost, Some(184000.0));
    let data = e.data.as_ref().unwrap();
    assert_eq!(data.held.len(), 2);
    assert_eq!(data.classification, Some(Classification::OfficialSensitive));
    assert_eq!(data.personal, Some(PersonalData::SpecialCategory));
    let backups = e.backups.as_ref().unwrap();
    assert_eq!(backups.immutable, Some(false));
    assert_eq!(
        backups.last_restore_test,
        NaiveDate::from_ymd_opt(2025, 2, 11)
    );
    let supplier = &loaded.model.assets[1].estate;
    assert_eq!(supplier.exit_plan, Some(ExitPlan::Documented));
    assert_eq!(supplier.substitutability, Some(Substitutability::Difficult));
    assert_eq!(supplier.annual_cost, Some(96500.5));

    for (format, name) in [(Format::Yaml, "out.yaml"), (Format::Json, "out.json")] {
        let text = write(&loaded.model, format);
        let again = load_str(name, &text);
        assert!(again.is_valid(), "{text}\n{:#?}", errors(&again));
        assert_eq!(to_value(&again.model), to_value(&loaded.model));
        assert_eq!(again.model.assets[0].estate, loaded.model.assets[0].estate);
        assert_eq!(again.model.assets[1].estate, loaded.model.assets[1].estate);
    }
    // The version stays text, even though it looks like a number.
    let yaml = write(&loaded.model, Format::Yaml);
    assert!(!yaml.contains("version: 6.14\n"), "{yaml}");
}

#[test]
fn estate_mistakes_are_reported_where_they_are_written() {
    let text = r#"bulwark: 1
assets:
  - id: app
    name: App
    kind: it-system
    hosting: clowd
    lifecycle: keep
    backups: {immutable: yes, last_restore_test: 2025-13-01, offsite: true}
    data: {classification: restricted, held: case records}
    annual_cost: £12k
    exit_plan: tested
  - id: depot
    name: Depot
    kind: site
    vendor: Acme
  - id: sup
    name: Supplier
    kind: supplier
    substitutability: impossible
    product: Something
"#;
    let errs = errors(&load_str("m.yaml", text));
    let at = |line: u32, words: &[&str]| {
        assert!(
            errs.iter()
                .any(|e| e.0 == line && words.iter().all(|w| e.2.contains(w))),
            "no error on line {line} with {words:?}: {errs:#?}"
        );
    };
    at(
        6,
        &[
            "`hosting`",
            "`clowd`",
            "on-premises, cloud, saas",
            "did you mean `cloud`",
        ],
    );
    at(7, &["`lifecycle`", "tolerate, invest, migrate, eliminate"]);
    at(8, &["`immutable`", "`true` or `false`"]);
    at(8, &["`last_restore_test`", "YYYY-MM-DD"]);
    at(8, &["unknown key `offsite`"]);
    at(9, &["`classification`", "official-sensitive"]);
    at(9, &["`held` should be a list"]);
    at(10, &["`annual_cost`", "plain number"]);
    at(
        11,
        &["`exit_plan` is kept for `supplier` assets", "`it-system`"],
    );
    at(15, &["`vendor` is kept for `it-system` assets", "`site`"]);
    at(
        19,
        &["`substitutability`", "easy, moderate, difficult, none"],
    );
    at(
        20,
        &["`product` is kept for `it-system` assets", "`supplier`"],
    );
    assert_eq!(errs.len(), 12, "{errs:#?}");
}

#[test]
fn support_and_contracts_stand_expired_within_a_year_or_later() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    assert_eq!(Standing::of(None, today), Standing::Unknown);
    assert_eq!(Standing::of(day(2026, 11, 29), today), Standing::Expired);
    assert_eq!(
        Standing::of(day(2026, 11, 30), today),
        Standing::Within12Months
    );
    assert_eq!(
        Standing::of(day(2027, 11, 30), today),
        Standing::Within12Months
    );
    assert_eq!(Standing::of(day(2027, 12, 1), today), Standing::Current);
}
