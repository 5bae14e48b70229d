//! Personal data from the command line: where its keys are (`--people-key-file`), `retention
//! run` (delete what has expired), and key rotation (`people new-key`, `people rekey`).

use crate::server::{Database, connect};
use anstream::println;
use anyhow::Context;
use bulwark_store::{Actor, Keyring, default_key_file};
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
    /// Delete every person record past its expiry date that is not under legal hold, and
    /// say how many were deleted and how many are held.
    Run {
        #[command(flatten)]
        db: Database,
        /// Print one JSON document: {"deleted": n, "held": n}.
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
    /// Seal every person record again with the newest key of the key file, in one
    /// transaction (the server may keep running).
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
        println!(
            "Deleted {} personal {} past their expiry date; {} {} past expiry kept under legal hold.",
            done.deleted,
            records(done.deleted),
            done.held,
            records(done.held)
        );
    }
    Ok(ExitCode::SUCCESS)
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
            println!(
                "Sealed {n} person records again with key {}; older keys may now be removed from {}.",
                ring.current(),
                path.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
