//! Personal data from the command line: where its keys are (`--people-key-file`), `retention
//! run` (delete what has expired), and key rotation (`people new-key`, `people rekey`).

use crate::server::{Database, connect};
use anstream::println;
use anyhow::Context;
use bulwark_store::{
    Actor, Keyring, ListDetails, NewPerson, PersonDetails, SourceDetails, Store, default_key_file,
};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Where the keys for personal data are.
#[derive(Args, Clone)]
pub struct KeyArgs {
    /// The key file that seals personal data (person records). With SQLite it defaults to
    /// the database's path with `.people-keys` added, created (readable by its owner only) if
    /// missing; with PostgreSQL there is no default, and without a key file person records
    /// can be neither added nor read. See "Personal data keys" in the README.
    #[arg(long, env = "BULWARK_PEOPLE_KEY_FILE", value_name = "PATH")]
    pub people_key_file: Option<PathBuf>,
}

impl KeyArgs {
    /// The keys for the database at `url`: from the key file given, or the one beside an
    /// SQLite database (created if `create`); `None` for PostgreSQL without a key file.
    pub fn keyring(&self, url: &str, create: bool) -> anyhow::Result<Option<Keyring>> {
        if let Some(path) = &self.people_key_file {
            return Ok(Some(Keyring::load(path)?));
        }
        match default_key_file(url) {
            Some(path) if create => Ok(Some(Keyring::load_or_create(&path)?)),
            Some(path) if path.exists() => Ok(Some(Keyring::load(&path)?)),
            _ => Ok(None),
        }
    }

    /// The key file to use for `url`, or an error saying how to name one.
    fn path(&self, url: &str) -> anyhow::Result<PathBuf> {
        self.people_key_file
            .clone()
            .or_else(|| default_key_file(url))
            .context("with PostgreSQL, name the key file with --people-key-file (or BULWARK_PEOPLE_KEY_FILE)")
    }
}

/// Retention of personal data.
#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Delete every person record and request for help past its expiry date that is not
    /// under legal hold, and say how many of each were deleted and how many are held.
    Run {
        #[command(flatten)]
        db: Database,
        /// Print one JSON document: {"deleted": n, "held": n, "requests": {"deleted": n,
        /// "held": n}} (the first two count person records).
        #[arg(long)]
        json: bool,
    },
}

/// Keys for personal data.
#[derive(Subcommand)]
pub enum PeopleCommand {
    /// Add a new key to the key file (created if missing); it seals from now on. Then run
    /// `people rekey`, and remove the old key from the file once it has finished.
    NewKey {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        keys: KeyArgs,
    },
    /// Seal every person record, request for help and volunteer again with the newest key of
    /// the key file (the server may keep running).
    Rekey {
        #[command(flatten)]
        db: Database,
        #[command(flatten)]
        keys: KeyArgs,
    },
}

fn actor() -> Actor {
    Actor {
        user_id: None,
        label: "retention (command line)".into(),
    }
}

/// Runs `retention run`.
pub async fn retention(command: RetentionCommand) -> anyhow::Result<ExitCode> {
    let RetentionCommand::Run { db, json } = command;
    let store = connect(&db.database_url).await?;
    let done = store
        .run_retention(bulwark_web::exercises::today(), &actor())
        .await?;
    if json {
        println!("{}", serde_json::to_string(&done)?);
    } else {
        let records = |n: u64| if n == 1 { "record" } else { "records" };
        let requests = |n: u64| if n == 1 { "request" } else { "requests" };
        println!(
            "Deleted {} personal {} past their expiry date; {} {} past expiry kept under legal hold.",
            done.deleted,
            records(done.deleted),
            done.held,
            records(done.held)
        );
        let r = done.requests;
        println!(
            "Deleted {} {} for help past their expiry date; {} {} past expiry kept under legal hold.",
            r.deleted,
            requests(r.deleted),
            r.held,
            requests(r.held)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `n` and the word for it, like `1 volunteer` or `2 volunteers`.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Runs `people new-key` or `people rekey`.
pub async fn people(command: PeopleCommand) -> anyhow::Result<ExitCode> {
    match command {
        PeopleCommand::NewKey { db, keys } => {
            let path = keys.path(&db.database_url)?;
            let id = Keyring::add_key(&path)?;
            println!(
                "Added key {id} to {}: it seals from now on. Run `bulwark people rekey` next.",
                path.display()
            );
        }
        PeopleCommand::Rekey { db, keys } => {
            let path = keys.path(&db.database_url)?;
            let ring = Keyring::load(&path)?;
            let store = connect(&db.database_url).await?;
            let n = store.rekey_people(&ring).await?;
            let (requests, volunteers) = store.rekey_community(&ring).await?;
            println!(
                "Sealed {}, {} and {} again with key {}; older keys may now be removed from {}.",
                count(n, "person record", "person records"),
                count(requests, "request for help", "requests for help"),
                count(volunteers, "volunteer", "volunteers"),
                ring.current(),
                path.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Gives the demo council a list of lists, a list activated for a flood, and fictional people
/// on it (in Riverside, NM4), so a hub coordinator has something to find.
pub async fn seed_demo(
    store: &Store,
    org: i64,
    keys: &Keyring,
    actor: &Actor,
) -> anyhow::Result<()> {
    let today = bulwark_web::exercises::today();
    let source = |name: &str, holder: &str, contents: &str, art9: &str| {
        SourceDetails {
        name: name.into(),
        holder: holder.into(),
        contents: contents.into(),
        how_to_request: "Email the duty data protection officer with the incident name; out of hours, call the emergency line".into(),
        article6: "6(1)(e) public task (Civil Contingencies Act 2004)".into(),
        article9: art9.into(),
        schedule1: "Part 2 para 6 statutory purposes; para 18 safeguarding".into(),
        agreement: "Northmoor LRF vulnerable people data sharing agreement v3".into(),
        review_on: Some(today + chrono::Duration::days(200)),
        triggers: "A flood warning or a power cut expected to last over 12 hours in the borough".into(),
    }
    };
    store
        .create_people_source(
            org,
            &source(
                "Adult social care clients",
                "Northmoor Borough Council, Adult Social Care",
                "People receiving home care or reablement: name, address, care package, key safe, needs",
                "9(2)(h) health or social care",
            ),
            actor,
        )
        .await?;
    let psr = store
        .create_people_source(
            org,
            &source(
                "Priority Services Register",
                "Northern Power Networks (fictional)",
                "Customers who depend on electricity for medical equipment: name, address, phone, needs",
                "9(2)(g) substantial public interest",
            ),
            actor,
        )
        .await?;
    let list = store
        .activate_people_list(
            org,
            &ListDetails {
                name: "Riverside flood risk area: welfare calls".into(),
                purpose:
                    "Welfare calls and visits to vulnerable residents in the Riverside flood risk area when the river is high"
                        .into(),
                source: Some(psr),
                // A standing hub: no incident yet.
                incident: None,
            },
            actor,
        )
        .await?;
    let people = [
        (
            "Ada Marsh",
            "4 Weir Cottages, Riverside",
            "NM4 2QD",
            &["Oxygen at home", "Lives alone"][..],
            &["grid-marsh-lane"][..],
        ),
        (
            "Bernard Okafor",
            "12 Tannery Row, Riverside",
            "NM4 2RF",
            &["Electricity-dependent equipment"][..],
            &["grid-marsh-lane"][..],
        ),
        (
            "Carys Llewellyn",
            "1 Mill Yard, Riverside",
            "NM4 3AB",
            &["Home care visits", "Limited mobility"][..],
            &["as-home-care"][..],
        ),
        (
            "Dev Patel",
            "27 High Street, Oakshaw",
            "NM7 1XY",
            &["Medicine kept cold"][..],
            &["grid-oakshaw"][..],
        ),
    ];
    for (i, (name, address, postcode, needs, relies_on)) in people.into_iter().enumerate() {
        let person = NewPerson {
            details: PersonDetails {
                name: name.into(),
                address: address.into(),
                postcode: postcode.into(),
                phone: Some(format!("01632 960 {:03}", 100 + i)),
                needs: needs.iter().map(|n| n.to_string()).collect(),
                relies_on: relies_on.iter().map(|n| n.to_string()).collect(),
                ..PersonDetails::default()
            },
            list: Some(list),
            source: "Priority Services Register".into(),
            lawful_basis: "UK GDPR 6(1)(e), 9(2)(g); DPA 2018 Sch 1 para 18".into(),
            expires_on: today + chrono::Duration::days(90),
        };
        store.create_person(org, &person, keys, actor).await?;
    }
    seed_volunteers(store, org, keys, actor).await
}

/// Gives the demo hub four fictional volunteers: one whose DBS check has expired, one due for
/// renewal within a month, and one not available now.
async fn seed_volunteers(
    store: &Store,
    org: i64,
    keys: &Keyring,
    actor: &Actor,
) -> anyhow::Result<()> {
    use bulwark_store::{Category::*, DbsLevel, NewVolunteer, VolunteerContact};
    let today = bulwark_web::exercises::today();
    let days = chrono::Duration::days;
    let volunteers = [
        (
            "Priya Shah",
            "NM4 2QA",
            vec![Food, Medicine, WelfareCheck],
            DbsLevel::EnhancedBarred,
            Some(today + days(400)),
            true,
            "Weekday mornings",
        ),
        (
            "Tom Hughes",
            "NM4 3BD",
            vec![Transport, Shelter, Energy],
            DbsLevel::Enhanced,
            Some(today + days(20)),
            true,
            "Evenings and weekends; has a car",
        ),
        (
            "Grace Adeyemi",
            "NM7 1AA",
            vec![Food, Energy],
            DbsLevel::Basic,
            Some(today - days(10)),
            true,
            "Any time",
        ),
        (
            "Owen Price",
            "NM4 2RF",
            vec![WelfareCheck, Medicine],
            DbsLevel::Enhanced,
            Some(today + days(300)),
            false,
            "Away until next month",
        ),
    ];
    for (i, (name, postcode, skills, dbs_level, dbs_expires_on, available, availability)) in
        volunteers.into_iter().enumerate()
    {
        let v = NewVolunteer {
            contact: VolunteerContact {
                name: name.into(),
                phone: Some(format!("07700 900 {:03}", 200 + i)),
                email: None,
                postcode: postcode.into(),
            },
            skills,
            dbs_level,
            dbs_expires_on,
            available,
            availability: availability.into(),
        };
        store.create_volunteer(org, &v, keys, actor).await?;
    }
    Ok(())
}
