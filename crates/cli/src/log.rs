//! `bulwark log verify`: checks an incident's decision log in the database, entry by entry,
//! as the web app's verification page does, for scripts and for people without a browser.

use crate::server::{Database, open_existing};
use anstream::println;
use anyhow::bail;
use clap::Subcommand;
use std::process::ExitCode;

/// Decision log commands.
#[derive(Subcommand)]
pub enum LogCommand {
    /// Check that an incident's decision log is as it was recorded: exit status 0 when it is
    /// intact, 1 naming the first entry that is not.
    Verify {
        /// The organisation's id (the lead organisation or an invited partner).
        #[arg(long)]
        org: String,
        /// The incident's number, as in its web address.
        #[arg(long)]
        incident: i64,
        /// Print one JSON document: {"intact", "entries", "first_broken"}.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: Database,
    },
}

/// Runs a decision log command.
pub async fn run(command: LogCommand) -> anyhow::Result<ExitCode> {
    let LogCommand::Verify {
        org,
        incident,
        json,
        db,
    } = command;
    let store = open_existing(&db).await?;
    let Some(o) = store.org_by_slug(&org).await? else {
        bail!("there is no organisation with the id {org}");
    };
    let Some((i, _)) = store.incident_for(o.id, incident).await? else {
        bail!("{} has no incident {incident}", o.name);
    };
    let v = store.verify_decision_log(i.id).await?;
    if json {
        println!("{}", serde_json::to_string(&v)?);
    } else if v.intact {
        println!(
            "the decision log of incident {} ({}) is intact: {} {}, last hash {}",
            i.id,
            i.details.title,
            v.entries,
            if v.entries == 1 { "entry" } else { "entries" },
            if v.head_hash.is_empty() {
                "none"
            } else {
                &v.head_hash
            }
        );
    } else {
        println!(
            "the decision log of incident {} ({}) is NOT intact: broken at entry {}: {}",
            i.id,
            i.details.title,
            v.first_broken.unwrap_or_default(),
            v.problem
                .as_deref()
                .unwrap_or("it does not match its hashes")
        );
    }
    Ok(if v.intact {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
