//! `serve`, `import`, `user create` and the demo server: the web app and its database from
//! the command line.

use crate::demo::{ROOT, demo_files};
use anstream::{eprintln, println};
use anyhow::{Context, bail};
use bulwark_model::export::to_value;
use bulwark_model::load::load_with;
use bulwark_store::{Actor, Role, Store, StoreError, new_secret};
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
        /// Role in that organisation: viewer, editor or admin.
        #[arg(long, default_value = "admin")]
        role: String,
        #[command(flatten)]
        db: Database,
    },
}

/// Where the database is.
#[derive(Args)]
pub struct Database {
    /// `sqlite://PATH` (created if missing) or `postgres://...`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://bulwark.db")]
    database_url: String,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn connect(url: &str) -> anyhow::Result<Store> {
    Store::connect(url)
        .await
        .with_context(|| format!("cannot open the database at {}", redact(url)))
}

/// The URL without any password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
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
        } => rt.block_on(async {
            init_logging();
            let store = connect(&db.database_url).await?;
            let defaults = Settings::default();
            let settings = Settings {
                secure_cookies,
                max_upload: max_upload_mib as usize * 1024 * 1024,
                max_jobs: max_jobs.unwrap_or(defaults.max_jobs),
                behind_proxy,
                ..defaults
            };
            serve(store, &listen, settings, None).await
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
                .with_context(|| format!("`{role}` is not a role: use viewer, editor or admin"))?;
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
    }
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

async fn serve(
    store: Store,
    listen: &str,
    settings: Settings,
    banner: Option<String>,
) -> anyhow::Result<ExitCode> {
    let listener = bind(listen, banner.is_some()).await?;
    let addr = listener.local_addr()?;
    println!("Bulwark is running at http://{addr}/  (Ctrl-C to stop)");
    if let Some(b) = banner {
        println!("{b}");
    }
    bulwark_web::serve(listener, AppState::with_settings(store, settings)).await?;
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
        init_logging();
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
                "  {email:<28} {password}   ({} of {})",
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
        let result = serve(store, listen, Settings::default(), Some(lines.join("\n"))).await;
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
    let details = ExerciseDetails {
        title: "Exercise Moorland Flu".into(),
        scenario_id: "pandemic-wave".into(),
        held_on: "2025-05-14".into(),
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
            "2025-05-20",
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
                due_on: "2025-09-30".into(),
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
                closed_on: Some("2025-09-12".into()),
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
                due_on: "2026-03-31".into(),
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
