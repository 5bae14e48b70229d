//! `serve`, `import`, `user create`, `token create`, `migrate`, `backup`, `restore`,
//! `retention run`, `people new-key`/`rekey` and the demo server: the web app and its database from the command line.

use crate::demo::{ROOT, demo_files};
use anstream::{eprintln, println};
use anyhow::{Context, bail};
use bulwark_model::export::to_value;
use bulwark_model::load::load_with;
use bulwark_store::{Actor, Role, SchemaStatus, Store, StoreError, new_secret};
use bulwark_web::{AppState, Settings};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Server and database commands.
#[derive(Subcommand)]
pub enum ServerCommand {
    /// Run the web app and API.
    Serve {
        /// Address to listen on, like 127.0.0.1:8080 or 0.0.0.0:443 behind a proxy.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(flatten)]
        db: Database,
        /// Mark cookies Secure (with the __Host- prefix) and send HSTS: set this when users
        /// reach Bulwark over HTTPS.
        #[arg(long)]
        secure_cookies: bool,
        /// The largest upload accepted (model imports), in MiB.
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=4096))]
        max_upload_mib: u32,
        /// Heavy analyses (loading, drawing, simulating) run at once; more wait briefly, then
        /// get "busy, try again" (503). Default: twice the number of cores.
        #[arg(long)]
        max_jobs: Option<usize>,
        /// Take each caller's address from the last X-Forwarded-For entry, for sign-in
        /// throttling: set this only behind a proxy that sets that header.
        #[arg(long)]
        behind_proxy: bool,
        #[command(flatten)]
        sign_on: crate::sign_on::SignOnArgs,
        /// Serve Prometheus metrics at http://ADDR/metrics on this second address, like
        /// 127.0.0.1:9464: choose one that only your monitoring can reach. Without it there
        /// are no metrics.
        #[arg(long, value_name = "ADDR")]
        metrics_listen: Option<String>,
        /// How log lines are written to standard error: `text` for people, `json` (one JSON
        /// object a line) for log collectors.
        #[arg(long, env = "BULWARK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
        log_format: LogFormat,
        #[command(flatten)]
        keys: crate::people::KeyArgs,
        /// Requests for help the public form (`/help/ORG`) takes from one address in an hour;
        /// more are refused until the hour has passed. Each server counts its own.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        public_requests_per_hour: u32,
    },
    /// Load a model into an organisation, replacing its model: all or nothing.
    Import {
        /// The model's root file (YAML or JSON; includes are followed).
        model: PathBuf,
        /// The organisation's id; it is created if new.
        #[arg(long)]
        org: String,
        /// The organisation's name, when it is created (default: the model's first organisation).
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        db: Database,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Upgrade the database's schema to this version of Bulwark (back it up first).
    Migrate {
        #[command(flatten)]
        db: Database,
    },
    /// Write a consistent backup of the whole database to a file; the server can keep running.
    Backup {
        /// The backup file to write (replaced if it exists).
        #[arg(long, short)]
        output: PathBuf,
        #[command(flatten)]
        db: Database,
    },
    /// Load a backup into a new, empty database, SQLite or PostgreSQL.
    Restore {
        /// The backup file, as written by `bulwark backup`.
        file: PathBuf,
        #[command(flatten)]
        db: Database,
    },
    /// Check incidents' decision logs.
    #[command(subcommand)]
    Log(crate::log::LogCommand),
    /// Retention of personal data.
    #[command(subcommand)]
    Retention(crate::people::RetentionCommand),
    /// Keys for personal data: add one, seal every record again with the newest.
    #[command(subcommand)]
    People(crate::people::PeopleCommand),
}

/// API token commands.
#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for an account and print it; it is shown only this once.
    Create {
        /// The account's login email.
        #[arg(long)]
        email: String,
        /// What the token is for, like the script that will use it.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: Database,
    },
}

/// Account commands.
#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from BULWARK_PASSWORD, or asked for.
    Create {
        /// Login email.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Make a site administrator (can create organisations and accounts).
        #[arg(long)]
        admin: bool,
        /// Add to this organisation (created if new).
        #[arg(long)]
        org: Option<String>,
        /// Role in that organisation: viewer, editor, hub-coordinator or admin.
        #[arg(long, default_value = "admin")]
        role: String,
        #[command(flatten)]
        db: Database,
    },
}

/// How log lines are written.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Readable lines.
    Text,
    /// One JSON object a line, with the request's id, method and route.
    Json,
}

/// Where the database is.
#[derive(Args)]
pub struct Database {
    /// `sqlite://PATH` (created if missing) or `postgres://...`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://bulwark.db")]
    pub(crate) database_url: String,
}

/// Opens an existing database whose schema is this version's, for commands that only read
/// or check it (a missing SQLite file is an error, not a new database).
pub(crate) async fn open_existing(db: &Database) -> anyhow::Result<Store> {
    let url = &db.database_url;
    let store = Store::connect_existing(url)
        .await
        .with_context(|| format!("cannot open the database at {}", redact(url)))?;
    match store.schema_status().await? {
        SchemaStatus::Current => Ok(store),
        SchemaStatus::Empty => bail!("the database at {} holds no Bulwark data", redact(url)),
        SchemaStatus::Behind(_) => bail!(
            "the database at {} needs upgrading to this version of Bulwark first: back it up with `bulwark backup`, then run `bulwark migrate`",
            redact(url)
        ),
        SchemaStatus::Newer(version) => bail!(newer_schema(url, &store, version)),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    // Colours only for a person at a terminal, never into a log file or collector.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => logs.try_init(),
        // The request's span (its id, method and route) on every line, flat for collectors.
        LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

/// Opens the database for the app and its accounts. A new, empty database is given the
/// schema; an existing one must already be up to date, so that upgrading it stays a
/// deliberate step (`bulwark backup`, then `bulwark migrate`).
pub(crate) async fn connect(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect_without_migrating(url)
        .await
        .with_context(|| format!("cannot open the database at {}", redact(url)))?;
    match store.schema_status().await? {
        SchemaStatus::Empty => {
            store.migrate().await?;
            tracing::info!("created Bulwark's tables in the new database");
        }
        SchemaStatus::Current => {}
        SchemaStatus::Behind(pending) => {
            let pending: Vec<String> = pending.iter().map(ToString::to_string).collect();
            bail!(
                "the database at {} needs upgrading to this version of Bulwark (waiting: {}); back it up with `bulwark backup`, then run `bulwark migrate` with the same --database-url",
                redact(url),
                pending.join(", ")
            );
        }
        SchemaStatus::Newer(version) => bail!(newer_schema(url, &store, version)),
    }
    Ok(store)
}

/// Why this build refuses a database upgraded by a newer one.
fn newer_schema(url: &str, store: &Store, version: i64) -> String {
    format!(
        "the database at {} has schema version {version}, from a newer version of Bulwark than this one (which knows up to {}): run the newer version",
        redact(url),
        store.latest_schema_version()
    )
}

/// The URL without any password, for messages.
fn redact(url: &str) -> String {
    match url
        .split_once("://")
        .and_then(|(scheme, rest)| Some((scheme, rest.rsplit_once('@')?.1)))
    {
        Some((scheme, host)) => format!("{scheme}://…@{host}"),
        None => url.to_string(),
    }
}

/// Runs a server or database command.
pub fn run(command: ServerCommand) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    match command {
        ServerCommand::Serve {
            listen,
            db,
            secure_cookies,
            max_upload_mib,
            max_jobs,
            behind_proxy,
            sign_on,
            metrics_listen,
            log_format,
            keys,
            public_requests_per_hour,
        } => rt.block_on(async {
            init_logging(log_format);
            let sign_on = sign_on.provider()?;
            let store = connect(&db.database_url).await?;
            let people_keys = keys.keyring(&db.database_url, true)?.map(std::sync::Arc::new);
            if people_keys.is_none() {
                tracing::warn!(
                    "no key file for personal data (--people-key-file): person records can be neither added nor read"
                );
            }
            let defaults = Settings::default();
            let settings = Settings {
                secure_cookies,
                max_upload: max_upload_mib as usize * 1024 * 1024,
                max_jobs: max_jobs.unwrap_or(defaults.max_jobs),
                behind_proxy,
                sign_on,
                people_keys,
                public_requests_per_hour: public_requests_per_hour as usize,
                ..defaults
            };
            let server = Server {
                listen: &listen,
                metrics_listen: metrics_listen.as_deref(),
                banner: None,
            };
            serve(store, server, settings).await
        }),
        ServerCommand::Import {
            model,
            org,
            name,
            db,
        } => rt.block_on(import(&model, &org, name, &db.database_url)),
        ServerCommand::User(UserCommand::Create {
            email,
            name,
            admin,
            org,
            role,
            db,
        }) => {
            let password = match std::env::var("BULWARK_PASSWORD") {
                Ok(p) => p,
                Err(_) => rpassword::prompt_password(format!("Password for {email}: "))
                    .context("cannot read the password")?,
            };
            if let Some(why) = bulwark_web::password::weakness(&password, &email, &name) {
                bail!("{why}");
            }
            let role = Role::parse(&role)
                .with_context(|| format!("`{role}` is not a role: use viewer, editor, hub-coordinator or admin"))?;
            rt.block_on(async {
                let store = connect(&db.database_url).await?;
                let hash = bulwark_web::password::hash(&password);
                let user = store.create_user(&email, &name, &hash, admin).await?;
                if let Some(slug) = org {
                    let o = match store.org_by_slug(&slug).await? {
                        Some(o) => o,
                        None => store.create_org(&slug, &slug).await?,
                    };
                    let actor = Actor {
                        user_id: None,
                        label: "command line".into(),
                    };
                    store.set_membership(user.id, o.id, role, &actor).await?;
                    eprintln!(
                        "created {} ({}) as {} of {}",
                        user.email,
                        if admin {
                            "site administrator"
                        } else {
                            "account"
                        },
                        role.as_str(),
                        o.slug
                    );
                } else {
                    eprintln!(
                        "created {}{}",
                        user.email,
                        if admin { " as site administrator" } else { "" }
                    );
                }
                Ok(ExitCode::SUCCESS)
            })
        }
        ServerCommand::Token(TokenCommand::Create { email, name, db }) => {
            rt.block_on(create_token(&email, &name, &db.database_url))
        }
        ServerCommand::Migrate { db } => rt.block_on(migrate(&db.database_url)),
        ServerCommand::Backup { output, db } => rt.block_on(backup(&output, &db.database_url)),
        ServerCommand::Restore { file, db } => rt.block_on(restore(&file, &db.database_url)),
        ServerCommand::Log(command) => rt.block_on(crate::log::run(command)),
        ServerCommand::Retention(command) => rt.block_on(crate::people::retention(command)),
        ServerCommand::People(command) => rt.block_on(crate::people::people(command)),
    }
}

/// `token create`: prints a new token for the account, as the web page does.
async fn create_token(email: &str, name: &str, url: &str) -> anyhow::Result<ExitCode> {
    let name = name.trim();
    if name.is_empty() {
        bail!("give the token a name with --name, like the script that will use it");
    }
    let store = connect(url).await?;
    let Some(user) = store.user_by_email(email).await? else {
        bail!("there is no account for {email}: create it first with `bulwark user create`");
    };
    let token = store.create_token(user.id, name).await?;
    println!("{token}");
    eprintln!(
        "created API token `{name}` for {}: this is the only time it is shown, so keep it somewhere safe",
        user.email
    );
    Ok(ExitCode::SUCCESS)
}

/// `migrate`: applies pending migrations and says which.
async fn migrate(url: &str) -> anyhow::Result<ExitCode> {
    let store = Store::connect_without_migrating(url)
        .await
        .with_context(|| format!("cannot open the database at {}", redact(url)))?;
    if let SchemaStatus::Newer(version) = store.schema_status().await? {
        bail!(newer_schema(url, &store, version));
    }
    let applied = store.migrate().await?;
    let version = store.latest_schema_version();
    if applied.is_empty() {
        println!("the schema is up to date (version {version}): nothing to do");
    } else {
        for migration in &applied {
            println!("applied {migration}");
        }
        println!("the schema is now at version {version}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `backup`: writes the snapshot beside `output` and renames it into place when complete,
/// so that a failed backup never leaves a partial file under the name asked for.
async fn backup(output: &Path, url: &str) -> anyhow::Result<ExitCode> {
    let store = Store::connect_existing(url)
        .await
        .with_context(|| format!("cannot open the database at {}", redact(url)))?;
    let folder = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Readable by its owner only: it holds password and token hashes.
    let mut file = tempfile::Builder::new()
        .prefix(".bulwark-backup-")
        .tempfile_in(folder)
        .with_context(|| format!("cannot write a backup in {}", folder.display()))?;
    let summary = store.backup(file.as_file_mut()).await?;
    file.as_file()
        .sync_all()
        .with_context(|| format!("cannot write a backup in {}", folder.display()))?;
    file.persist(output)
        .with_context(|| format!("cannot write {}", output.display()))?;
    eprintln!(
        "backed up {} rows in {} tables (schema version {}) to {}",
        summary.rows(),
        summary.tables.len(),
        summary.schema_version,
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `restore`: loads a backup into an empty database, then upgrades it if the backup is older.
async fn restore(file: &Path, url: &str) -> anyhow::Result<ExitCode> {
    let reader = std::fs::File::open(file)
        .with_context(|| format!("cannot open the backup {}", file.display()))?;
    let store = Store::connect_without_migrating(url)
        .await
        .with_context(|| format!("cannot open the database at {}", redact(url)))?;
    let summary = store
        .restore(reader)
        .await
        .with_context(|| format!("cannot restore {} into {}", file.display(), redact(url)))?;
    println!(
        "restored {} rows in {} tables (schema version {}) into {}",
        summary.rows(),
        summary.tables.len(),
        summary.schema_version,
        redact(url)
    );
    for migration in &summary.migrated {
        println!("then applied {migration}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(
    path: &Path,
    slug: &str,
    name: Option<String>,
    url: &str,
) -> anyhow::Result<ExitCode> {
    // A model with any error is refused whole: nothing is written.
    let loaded = match crate::check::load_valid(path) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let store = connect(url).await?;
    let org = match store.org_by_slug(slug).await? {
        Some(o) => o,
        None => {
            let name = name
                .or_else(|| {
                    loaded
                        .model
                        .organisations
                        .first()
                        .map(|o| o.meta.name.clone())
                })
                .unwrap_or_else(|| slug.to_string());
            store.create_org(slug, &name).await?
        }
    };
    let actor = Actor {
        user_id: None,
        label: "command line".into(),
    };
    let version = store
        .replace_model(org.id, &to_value(&loaded.model), None, &actor)
        .await?;
    let m = &loaded.model;
    println!(
        "imported {} services and {} assets into {} (model version {version})",
        m.services.len(),
        m.assets.len(),
        org.slug
    );
    Ok(ExitCode::SUCCESS)
}

/// Binds `listen`, or a free port on the same address if it is taken and `fallback` allows.
async fn bind(listen: &str, fallback: bool) -> anyhow::Result<tokio::net::TcpListener> {
    match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => Ok(l),
        Err(e) if fallback && e.kind() == std::io::ErrorKind::AddrInUse => {
            let host = listen.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
            Ok(tokio::net::TcpListener::bind(format!("{host}:0")).await?)
        }
        Err(e) => Err(e).with_context(|| format!("cannot listen on {listen}")),
    }
}

/// Where a server listens, and what it says when it starts.
struct Server<'a> {
    listen: &'a str,
    metrics_listen: Option<&'a str>,
    /// The demo's accounts; a demo also moves to a free port if its own is taken.
    banner: Option<String>,
}

async fn serve(store: Store, server: Server<'_>, settings: Settings) -> anyhow::Result<ExitCode> {
    let listener = bind(server.listen, server.banner.is_some()).await?;
    let addr = listener.local_addr()?;
    let metrics = match server.metrics_listen {
        Some(at) => Some(bind(at, false).await?),
        None => None,
    };
    println!("Bulwark is running at http://{addr}/  (Ctrl-C to stop)");
    if let Some(b) = server.banner {
        println!("{b}");
    }
    let state = AppState::with_settings(store, settings);
    if let Some(metrics) = metrics {
        let at = metrics.local_addr()?;
        println!("Metrics for Prometheus at http://{at}/metrics");
        if at.ip().is_unspecified() {
            tracing::warn!(
                "the metrics listen on every network interface ({at}): make sure a firewall lets only your monitoring reach them"
            );
        }
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = bulwark_web::observability::serve_metrics(metrics, state).await {
                tracing::error!("the metrics listener stopped: {e}");
            }
        });
    }
    bulwark_web::serve(listener, state).await?;
    Ok(ExitCode::SUCCESS)
}

/// A password for a demo account: random, so a demo left running is not open to anyone.
fn demo_password() -> String {
    new_secret("")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect()
}

/// `bulwark demo`: a fresh SQLite database with the demo council, a partner organisation
/// that it shares services with, and three accounts; then the web app.
pub fn demo(listen: &str) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    rt.block_on(async {
        init_logging(LogFormat::Text);
        // The demo's database lives in a temporary folder, removed when the demo stops.
        let dir = tempfile::Builder::new().prefix("bulwark-demo-").tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("demo.db").display());
        let store = connect(&url).await?;
        let actor = Actor {
            user_id: None,
            label: "demo setup".into(),
        };
        let loaded = load_with(&demo_files(), Path::new(ROOT));
        if !loaded.is_valid() {
            bail!("the built-in demo model has errors; this is a bug in Bulwark");
        }
        let north = create_org(&store, "northmoor", "Northmoor Borough Council").await?;
        store
            .replace_model(north.id, &to_value(&loaded.model), None, &actor)
            .await?;
        seed_demo_exercises(&store, north.id, &actor).await?;
        let key_file = bulwark_store::default_key_file(&url).context("the demo runs on SQLite")?;
        let keys = std::sync::Arc::new(bulwark_store::Keyring::load_or_create(&key_file)?);
        crate::people::seed_demo(&store, north.id, &keys, &actor).await?;
        let mut partner = bulwark_model::generate::generate(bulwark_model::generate::Shape {
            services: 25,
            seed: 7,
        });
        if let Some(o) = partner.organisations.first_mut() {
            o.meta.name = "Southdale District Council (fictional partner)".into();
        }
        let south = create_org(&store, "southdale", "Southdale District Council").await?;
        store
            .replace_model(south.id, &to_value(&partner), None, &actor)
            .await?;
        crate::demo_incident::seed_demo_incident(&store, &north, &south).await?;
        for service in [
            "as-hospital-discharge",
            "env-flood-response",
            "cm-emergency-planning",
        ] {
            if loaded
                .model
                .services
                .iter()
                .any(|s| s.meta.id.as_str() == service)
            {
                store.share(north.id, service, south.id, &actor).await?;
            }
        }
        let mut lines = vec!["Demo accounts (passwords are new each run):".to_string()];
        for (email, name, org, role, admin) in [
            (
                "planner@northmoor.example",
                "Pat Planner",
                north.id,
                Role::Admin,
                true,
            ),
            (
                "duty.officer@northmoor.example",
                "Dee Duty Officer",
                north.id,
                Role::Editor,
                false,
            ),
            (
                "hub@northmoor.example",
                "Harper Hub Coordinator",
                north.id,
                Role::HubCoordinator,
                false,
            ),
            (
                "viewer@northmoor.example",
                "Val Viewer",
                north.id,
                Role::Viewer,
                false,
            ),
            (
                "partner@southdale.example",
                "Sam Partner",
                south.id,
                Role::Admin,
                false,
            ),
        ] {
            let password = demo_password();
            let user = store
                .create_user(email, name, &bulwark_web::password::hash(&password), admin)
                .await?;
            store.set_membership(user.id, org, role, &actor).await?;
            lines.push(format!(
                "  {email:<31} {password}   ({} of {})",
                role.as_str(),
                if org == north.id {
                    "Northmoor"
                } else {
                    "Southdale"
                }
            ));
        }
        lines.push(
            "The demo's database is temporary: it is removed when you stop the demo.".to_string(),
        );
        let server = Server {
            listen,
            metrics_listen: None,
            banner: Some(lines.join("\n")),
        };
        let settings = Settings {
            people_keys: Some(keys),
            ..Settings::default()
        };
        let result = serve(store, server, settings).await;
        drop(dir);
        result
    })
}

/// Gives the demo council a past pandemic exercise with a lesson (one action closed with
/// evidence, one still open) and an exercise programme, so the exercise pages have history.
async fn seed_demo_exercises(store: &Store, org: i64, actor: &Actor) -> anyhow::Result<()> {
    use bulwark_store::{
        ActionDetails, ActionProgress, ActionStatus, ExerciseDetails, ExerciseFormat, Participant,
    };
    let participant = |name: &str, sector: &str| Participant {
        name: name.into(),
        sector: sector.into(),
    };
    let day =
        |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).context("a demo date is not a real day");
    let details = ExerciseDetails {
        title: "Exercise Moorland Flu".into(),
        scenario_id: "pandemic-wave".into(),
        held_on: day(2025, 5, 14)?,
        format: ExerciseFormat::Tabletop,
        lead: "Emergency planning officer".into(),
        objectives: "Test whether adult social care, death management and health protection can hold their minimum service through the peak of a pandemic wave.".into(),
        participants: vec![
            participant("Northmoor Borough Council", "local authority"),
            participant("Moorside Homecare (fictional)", "social care"),
            participant("Northmoor Voluntary Action (fictional)", "voluntary sector"),
            participant("Moorland Integrated Care Board (fictional)", "health"),
            participant("Moorland Fire and Rescue (fictional)", "emergency services"),
        ],
    };
    let exercise = store.create_exercise(org, &details, actor).await?;
    let lesson = store
        .add_lesson(
            org,
            exercise,
            "Home care cannot absorb peak absence without mutual aid",
            "Rotas fell below the minimum in week four; no agreement existed to borrow carers from neighbouring councils.",
            day(2025, 5, 20)?,
            actor,
        )
        .await?;
    let closed = store
        .add_action(
            org,
            lesson,
            &ActionDetails {
                description: "Agree mutual aid for home care with Southdale".into(),
                owner: "Director of Adult Social Care".into(),
                due_on: day(2025, 9, 30)?,
                service_id: Some("as-home-care".into()),
                plan: Some("Adult social care business continuity plan, section 3".into()),
            },
            actor,
        )
        .await?;
    store
        .update_action(
            org,
            closed,
            &ActionProgress {
                status: ActionStatus::Done,
                evidence: Some("Mutual aid agreement signed 12 September 2025; copy on the resilience SharePoint".into()),
                closed_on: Some(day(2025, 9, 12)?),
            },
            actor,
        )
        .await?;
    store
        .add_action(
            org,
            lesson,
            &ActionDetails {
                description: "Cross-train library and leisure staff as care support workers".into(),
                owner: "Head of Workforce Development".into(),
                due_on: day(2026, 3, 31)?,
                service_id: None,
                plan: Some("Staff redeployment register".into()),
            },
            actor,
        )
        .await?;
    store
        .set_programme(org, "ransomware-careledger", Some(12), actor)
        .await?;
    store
        .set_programme(org, "river-flood-tillen", Some(24), actor)
        .await?;
    // The demo's approved technology catalogue, for the IT estate page.
    if let Some(text) = demo_files().0.get(Path::new("demo-council/catalogue.yaml")) {
        store
            .set_catalogue(org, "catalogue.yaml", Some(text), actor)
            .await?;
    }
    Ok(())
}

async fn create_org(
    store: &Store,
    slug: &str,
    name: &str,
) -> anyhow::Result<bulwark_store::Organisation> {
    match store.create_org(slug, name).await {
        Ok(o) => Ok(o),
        Err(StoreError::Conflict(_)) => Ok(store
            .org_by_slug(slug)
            .await?
            .context("organisation vanished")?),
        Err(e) => Err(e.into()),
    }
}
