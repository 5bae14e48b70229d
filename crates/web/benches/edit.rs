//! Single-service edits on a large organisation, through the real path: the store (SQLite in
//! a temporary folder), the model checks and the model cache.
//!
//! `cargo bench -p bulwark-web --bench edit` (10,000 services, 41 edits; `-- --services N`,
//! `-- --edits N`). Each edit is timed as the web app does it: read the service, write the
//! changed service with `models::put_item` (checks, then writes in one transaction), then
//! read the organisation and its model again, as the page shown after the edit does.
//! Prints the median and spread; figures are recorded in docs/benchmarks.md.
#![allow(clippy::unwrap_used, clippy::string_slice)] // bench code: a panic is a failed run

use bulwark_model::export::{Format, write};
use bulwark_model::generate::{Shape, generate};
use bulwark_store::{Actor, Backend, ItemKind};
use bulwark_testkit::TestDatabase;
use bulwark_web::{AppState, models};
use serde_json::Value;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let services: usize = value("--services").map_or(10_000, |v| v.parse().unwrap());
    let edits: usize = value("--edits").map_or(41, |v| v.parse().unwrap());
    let db = TestDatabase::new(Backend::Sqlite).await;
    let store = db.store().await;
    let org = store.create_org("bench", "Bench council").await.unwrap();
    let state = AppState::new(store, false);
    let actor = Actor {
        user_id: None,
        label: "bench".into(),
    };
    let text = write(&generate(Shape { services, seed: 1 }), Format::Yaml);
    let started = Instant::now();
    models::import(&state, &org, "bench.yaml", &text, &actor)
        .await
        .unwrap();
    println!("{services} services imported in {:.2?}", started.elapsed());
    let ids: Vec<String> = state
        .store()
        .items(org.id, Some(ItemKind::Service))
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    let org = state.store().org_by_slug("bench").await.unwrap().unwrap();
    let started = Instant::now();
    models::org_model(&state, &org).await.unwrap();
    println!(
        "first read of the model (cold cache): {:.2?}",
        started.elapsed()
    );

    let (mut writes, mut pages, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..edits {
        let id = &ids[(i * 7919) % ids.len()];
        let started = Instant::now();
        // The request: the organisation (access check), the service as it is, the write.
        let org = state.store().org_by_slug("bench").await.unwrap().unwrap();
        let mut body = state
            .store()
            .item(org.id, ItemKind::Service, id)
            .await
            .unwrap()
            .unwrap()
            .body;
        body["name"] = Value::from(format!("Edited service {i}"));
        models::put_item(
            &state,
            &org,
            ItemKind::Service,
            body,
            org.model_version,
            &actor,
        )
        .await
        .unwrap();
        let written = started.elapsed();
        // The page after the redirect: the organisation and its (checked, compiled) model.
        let org = state.store().org_by_slug("bench").await.unwrap().unwrap();
        let m = models::org_model(&state, &org).await.unwrap();
        assert!(m.compiled.is_some());
        let total = started.elapsed();
        writes.push(written);
        pages.push(total - written);
        totals.push(total);
    }
    let show = |name: &str, mut v: Vec<Duration>| {
        v.sort();
        println!(
            "{name}: median {:.1?}, fastest {:.1?}, slowest {:.1?}",
            v[v.len() / 2],
            v[0],
            v[v.len() - 1]
        );
    };
    println!("{edits} single-service edits on {services} services (SQLite):");
    show("  edit (check and write)", writes);
    show("  page after it (model read)", pages);
    show("  both", totals);
}
