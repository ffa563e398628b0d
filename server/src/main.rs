//! `gatehouse`: serve the console, set up an organization, or run migrations.
use app::service::{provisioning, sso, Actor};
use clap::{Parser, Subcommand};
use gatehouse_server::ops::backup::{self, ServeLock};
use gatehouse_server::ops::logging::{self, LogFormat};
use gatehouse_server::ops::ServeOptions;
use gatehouse_server::{demo, open_database, serve, Settings};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "gatehouse",
    version,
    about = "Gatehouse: a self-hosted admin console for sign-in, SSO and SCIM provisioning",
    after_help = "Without a command, Gatehouse serves (`gatehouse serve --help` lists its options). Every option can also be set by the environment variable shown beside it."
)]
struct Cli {
    /// The database: sqlite://path/to/file.db (created when missing) or postgres://user:password@host/db
    #[arg(long, env = "GATEHOUSE_DATABASE_URL", default_value = "sqlite://data/gatehouse.db", global = true)]
    database_url: String,
    /// The public URL people and identity providers use, such as
    /// https://gatehouse.example.com: http or https, a host, an optional port,
    /// no path (default: http://<bind>).
    #[arg(long, env = "GATEHOUSE_BASE_URL", global = true)]
    base_url: Option<String>,
    /// The log's form: text, or json (one JSON object per line).
    #[arg(long, env = "GATEHOUSE_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Option<Command>,
}

/// `gatehouse serve`'s options (and Gatehouse's without a command).
#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "GATEHOUSE_BIND", default_value = "127.0.0.1:3000")]
    bind: SocketAddr,
    /// The compiled site: the folder holding pkg/bundle.txt and the bundle
    /// folder it names (pkg/<hash>/ with gatehouse.js, the wasm modules and
    /// the stylesheet), as scripts/build.sh writes it.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = gatehouse_server::DEFAULT_SITE_ROOT)]
    site_root: String,
    /// Serve without the site (pages then load without their stylesheet and
    /// code): for measuring the API alone. Off, a missing site stops the start.
    #[arg(long, env = "GATEHOUSE_ALLOW_MISSING_SITE", default_value_t = false, value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    allow_missing_site: bool,
    /// Behind a reverse proxy (nginx, a load balancer): take client addresses
    /// from X-Forwarded-For. Leave off when clients reach Gatehouse directly.
    /// true/false, yes/no, on/off or 1/0.
    #[arg(long, env = "GATEHOUSE_TRUST_PROXY", default_value_t = false, value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    trust_proxy: bool,
    /// The first-run setup code (default: a new one, printed at start while no
    /// organization exists).
    #[arg(long, env = "GATEHOUSE_SETUP_CODE")]
    setup_code: Option<String>,
    /// Seconds a request may take to be answered, and to send its headers or body.
    #[arg(long, env = "GATEHOUSE_REQUEST_TIMEOUT", default_value_t = 60)]
    request_timeout: u64,
    /// Serve Prometheus metrics at http://<address>/metrics (off when not set).
    /// Use a private address: the numbers are for your monitoring, not the public.
    #[arg(long, env = "GATEHOUSE_METRICS_BIND")]
    metrics_bind: Option<SocketAddr>,
    /// After SIGTERM, how many seconds requests in flight may take to finish.
    #[arg(long, env = "GATEHOUSE_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    shutdown_timeout: u64,
    /// Let webhook exports post to loopback, private and link-local addresses
    /// (receivers inside your network). Off, only public addresses.
    #[arg(long, env = "GATEHOUSE_WEBHOOK_ALLOW_PRIVATE", default_value_t = false, value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    webhook_allow_private: bool,
    /// Days the audit log keeps events, for organizations whose admins chose
    /// no retention of their own (Administration > Account).
    #[arg(long, env = "GATEHOUSE_AUDIT_RETENTION_DAYS", default_value_t = app::service::account::DEFAULT_AUDIT_RETENTION_DAYS, value_parser = clap::value_parser!(i64).range(1..=36500))]
    audit_retention_days: i64,
    /// The mail server (SMTP) Gatehouse sends invitations, password reset
    /// links and sign-in notices through. Not set: no mail; links are shown to copy.
    #[arg(long, env = "GATEHOUSE_SMTP_HOST")]
    smtp_host: Option<String>,
    /// The mail server's port (default: 587 for starttls, 465 for tls, 25 for none).
    #[arg(long, env = "GATEHOUSE_SMTP_PORT")]
    smtp_port: Option<u16>,
    /// How the connection is protected: starttls (the default), tls, or none
    /// (a relay on the same machine or network only).
    #[arg(long, env = "GATEHOUSE_SMTP_SECURITY", default_value = "starttls")]
    smtp_security: String,
    /// The user to sign in to the mail server as (none: no sign-in).
    #[arg(long, env = "GATEHOUSE_SMTP_USER")]
    smtp_user: Option<String>,
    /// A file holding the mail server's password (its first line is used).
    #[arg(long, env = "GATEHOUSE_SMTP_PASSWORD_FILE")]
    smtp_password_file: Option<PathBuf>,
    /// The sender of Gatehouse's mail, e.g. "Gatehouse <gatehouse@example.com>".
    #[arg(long, env = "GATEHOUSE_MAIL_FROM")]
    mail_from: Option<String>,
    /// Seconds before a message the mail server did not take is tried again
    /// (then twice as long each time, at most an hour).
    #[arg(long, env = "GATEHOUSE_MAIL_RETRY_SECONDS", default_value_t = 30)]
    mail_retry_seconds: u64,
}

#[derive(Subcommand)]
enum Command {
    /// Serve Gatehouse (the default).
    Serve {
        /// On an empty database, first create the demo organization "acme" with users and teams.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        args: ServeArgs,
    },
    /// Create the organization and its first admin without a browser (refused once one exists).
    Setup {
        /// The organization's URL name, as in <base>/acme: lowercase letters, digits and dashes.
        #[arg(long)]
        org: String,
        /// The organization's display name.
        #[arg(long)]
        name: String,
        /// The first admin's email address; they sign in with it.
        #[arg(long)]
        admin_email: String,
        /// A file holding the admin's password (its first line is used).
        #[arg(long)]
        admin_password_file: PathBuf,
        #[arg(long, default_value = "Admin")]
        admin_first_name: String,
        #[arg(long, default_value = "User")]
        admin_last_name: String,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Copy the SQLite database to a new file while Gatehouse runs (a consistent snapshot).
    Backup {
        /// The file to write; it must not exist.
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace the SQLite database with a backup (Gatehouse must be stopped).
    Restore {
        /// A file written by `gatehouse backup`.
        #[arg(long)]
        from: PathBuf,
    },
    /// Provisioning (SCIM) tokens.
    Provisioning {
        #[command(subcommand)]
        command: ProvisioningCommand,
    },
    /// Break-glass administration, on the server's machine.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Demo data.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
}

#[derive(Subcommand)]
enum ProvisioningCommand {
    /// Token commands.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a provisioning token and print it (it is stored only as a hash).
    Create {
        /// The organization, by its URL name (as in <base>/acme).
        #[arg(long)]
        org: String,
        /// A name that says where the token is used, such as "okta".
        #[arg(long)]
        name: String,
        /// The admin on whose behalf the token acts (receives documents of
        /// deprovisioned people); default: the organization's first admin.
        #[arg(long)]
        created_by: Option<String>,
    },
    /// List the organization's tokens: id, name, who it acts for, when it was
    /// made and last used, and whether it is revoked (never the token itself).
    List {
        /// The organization, by its URL name (as in <base>/acme).
        #[arg(long)]
        org: String,
    },
    /// Revoke a token: the identity provider's next request with it is refused. Audited.
    Revoke {
        /// The organization, by its URL name (as in <base>/acme).
        #[arg(long)]
        org: String,
        /// The token's id, or its name when only one active token has it.
        #[arg(long)]
        token: String,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Set the sign-in method back to password (when SSO is broken and SAML-only
    /// locks everyone out). Audited.
    ResetAuth {
        /// The organization, by its URL name (as in <base>/acme).
        #[arg(long)]
        org: String,
    },
    /// Remove a person's authenticator app and recovery codes (they lost their
    /// phone). They then sign in with their password, and set up a new app at
    /// once if the organization requires one. Audited.
    ResetMfa {
        /// The organization, by its URL name (as in <base>/acme).
        #[arg(long)]
        org: String,
        /// The person's email.
        #[arg(long)]
        email: String,
    },
    /// Remove every allowed IP address range (an allowlist that shuts
    /// everyone out, the identity provider included). Audited.
    ClearAllowlist {
        /// The organization, by its URL name (as in <base>/acme).
        #[arg(long)]
        org: String,
    },
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Fill an organization with generated users and teams, for scale work.
    Seed {
        /// The organization, by its URL name (as in <base>/acme).
        #[arg(long, default_value = "acme")]
        org: String,
        #[arg(long, default_value_t = 1000)]
        users: usize,
        #[arg(long, default_value_t = 10)]
        teams: usize,
    },
}

#[tokio::main]
async fn main() {
    return_large_blocks();
    let mut cli = Cli::parse();
    if cli.command.is_none() {
        // No command: serve, with serve's options read from the environment.
        let mut argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
        argv.push("serve".into());
        cli = Cli::parse_from(argv);
    }
    let format = cli.log_format;
    logging::init(format);
    if let Err(e) = run(cli).await {
        match format {
            LogFormat::Text => eprintln!("gatehouse: {e:#}"),
            // A log collector reads this line like every other one.
            LogFormat::Json => tracing::error!("gatehouse: {e:#}"),
        }
        std::process::exit(1);
    }
}

/// Large blocks (a password hash's 19 MiB, an export's buffers) go back to
/// the system when they are freed. glibc otherwise raises its mmap threshold
/// to the largest block freed so far and keeps later ones in its per-thread
/// heaps: 500 wrong-password sign-ins, 30 of them hashed two at a time, then
/// left the server at 490 MB instead of 91 MB (`make bench`, hostile section).
fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes glibc's allocation policy; a fixed threshold
    // is one of its documented settings and every later allocation stays valid.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let base_url = cli.base_url.as_deref().map(gatehouse_server::check_base_url).transpose().map_err(anyhow::Error::msg)?;
    let mut settings = Settings { database_url: cli.database_url.clone(), base_url, ..Settings::default() };
    let command = cli.command.expect("main() makes serve the default command");
    match &command {
        Command::Serve { args, .. } => {
            settings.bind = args.bind;
            settings.site_root = args.site_root.clone();
            settings.trust_proxy = args.trust_proxy;
            settings.setup_code = args.setup_code.clone();
            settings.request_timeout = std::time::Duration::from_secs(args.request_timeout.max(1));
            settings.webhook_allow_private = args.webhook_allow_private;
            settings.audit_retention_days = args.audit_retention_days;
            settings.mail = mail_settings(args)?;
            if !args.allow_missing_site {
                gatehouse_server::check_site(&settings.site_root).map_err(anyhow::Error::msg)?;
            }
        }
        // The other commands print addresses at the server's default one.
        _ => {
            if let Some(bind) = std::env::var("GATEHOUSE_BIND").ok().and_then(|b| b.parse().ok()) {
                settings.bind = bind;
            }
        }
    }

    // These two must not open the database as a server would (and migrate it).
    match &command {
        Command::Backup { out } => {
            let started = std::time::Instant::now();
            let summary = backup::backup(&settings.database_url, out).await?;
            println!("Backed up the database to {} ({summary}) in {:.1} s.", out.display(), started.elapsed().as_secs_f64());
            println!("Restore it with: gatehouse restore --from {}", out.display());
            return Ok(());
        }
        Command::Restore { from } => {
            let restored = backup::restore(&settings.database_url, from).await?;
            let target = backup::sqlite_path(&settings.database_url)?.unwrap_or_default();
            println!("Restored {} to {} ({}).", from.display(), target.display(), restored.summary);
            if let Some(aside) = restored.replaced {
                println!("The database it replaced is kept as {} (delete it once you no longer need it).", aside.display());
            }
            if restored.summary.schema < backup::latest_schema() {
                println!("The backup's schema is older than this Gatehouse's; it is brought up to date when Gatehouse starts.");
            }
            println!("Start Gatehouse again (systemctl start gatehouse).");
            return Ok(());
        }
        _ => {}
    }
    // A server holds its SQLite database from before the migrations until it stops.
    let _serve_lock = match (&command, backup::sqlite_path(&settings.database_url)?) {
        (Command::Serve { .. }, Some(path)) => Some(ServeLock::take(&path)?),
        _ => None,
    };
    let db = open_database(&settings.database_url).await?;
    match command {
        Command::Backup { .. } | Command::Restore { .. } => unreachable!("answered above"),
        Command::Serve { demo, args } => {
            if demo {
                let credentials = data_dir(&settings.database_url).join("demo-credentials.txt");
                demo::ensure_demo(&db, &settings.base_url_for(settings.bind), &credentials).await?;
            }
            let options = ServeOptions { metrics_bind: args.metrics_bind, shutdown_timeout: std::time::Duration::from_secs(args.shutdown_timeout) };
            serve(settings, db, options).await
        }
        Command::Setup { org, name, admin_email, admin_password_file, admin_first_name, admin_last_name } => {
            let password = std::fs::read_to_string(&admin_password_file).map_err(|e| anyhow::anyhow!("cannot read the password file {}: {e}", admin_password_file.display()))?;
            let password = password.lines().next().unwrap_or("").to_string();
            let input = app::service::setup::SetupInput { org_name: name, org_slug: org, first_name: admin_first_name, last_name: admin_last_name, email: admin_email, password };
            let done = app::service::setup::create_organization(&db, input, app::service::setup::Proof::ServerMachine, "gatehouse setup", "").await.map_err(|e| match e.field {
                Some(f) => anyhow::anyhow!("{} (--{})", e.message, cli_flag(&f)),
                None => anyhow::anyhow!(e.message),
            })?;
            println!("Created organization “{}”. Its admin signs in at {}/{}/login", done.org.name, settings.base_url_for(settings.bind), done.org.slug);
            Ok(())
        }
        Command::Provisioning { command: ProvisioningCommand::Token { command: TokenCommand::Create { org, name, created_by } } } => {
            let o = organization(&db, &org).await?;
            let admin = provisioning::token_admin(&db, &o, created_by.as_deref()).await?;
            let actor = Actor::operator(&o.id, "gatehouse provisioning (command line)");
            // The operator turns provisioning on knowingly: docs/scim.md is this command's guidance.
            let token = provisioning::create_token(&db, &actor, &name, (&admin.id, &admin.email), provisioning::Guidance::Acknowledged).await?;
            eprintln!("Directory Base URL: {}/scim/v2", settings.base_url_for(settings.bind));
            eprintln!("Bearer token (shown once; acts for {}):", admin.email);
            println!("{token}");
            Ok(())
        }
        Command::Provisioning { command: ProvisioningCommand::Token { command: TokenCommand::List { org } } } => {
            let o = organization(&db, &org).await?;
            let tokens = provisioning::tokens(&db, &o.id).await?;
            if tokens.is_empty() {
                println!("“{}” has no provisioning tokens.", o.slug);
                return Ok(());
            }
            let day = |t: &str| t.get(..16).map(|d| d.replace('T', " ")).unwrap_or_default();
            println!("{:<36}  {:<20}  {:<28}  {:<16}  {:<16}  STATE", "ID", "NAME", "ACTS FOR", "CREATED (UTC)", "LAST USED (UTC)");
            for t in tokens {
                let state = t.revoked_at.as_deref().map(|r| format!("revoked {}", day(r))).unwrap_or_else(|| "active".into());
                let used = t.last_used_at.as_deref().map(day).unwrap_or_else(|| "never".into());
                println!("{:<36}  {:<20}  {:<28}  {:<16}  {:<16}  {state}", t.id, t.name, t.created_by, day(&t.created_at), used);
            }
            Ok(())
        }
        Command::Provisioning { command: ProvisioningCommand::Token { command: TokenCommand::Revoke { org, token } } } => {
            let o = organization(&db, &org).await?;
            let t = provisioning::active_token_named(&db, &o.id, &token).await?;
            provisioning::revoke_token(&db, &Actor::operator(&o.id, "gatehouse provisioning (command line)"), &t.id).await?;
            println!("Revoked the token “{}” ({}). The identity provider's next request with it is refused.", t.name, t.id);
            Ok(())
        }
        Command::Demo { command: DemoCommand::Seed { org, users, teams } } => {
            let started = std::time::Instant::now();
            demo::seed_scale(&db, &org, users, teams, &mut |m| println!("  {m}")).await?;
            println!("Seeded {users} users and {teams} teams into “{org}” in {:.1} s", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Admin { command: AdminCommand::ResetAuth { org } } => {
            let o = organization(&db, &org).await?;
            let before = sso::reset_to_password(&db, &Actor::operator(&o.id, "gatehouse admin reset-auth (command line)")).await?;
            if before == app::domain::AuthMethod::Password.as_str() {
                println!("Sign-in for “{}” is already by password: nothing changed.", o.name);
                return Ok(());
            }
            println!("Sign-in for “{}” is now by password (it was {before}). Admins sign in at {}/{}/login; the change is in the audit log.", o.name, settings.base_url_for(settings.bind), o.slug);
            Ok(())
        }
        Command::Admin { command: AdminCommand::ResetMfa { org, email } } => {
            let o = organization(&db, &org).await?;
            let actor = Actor::operator(&o.id, "gatehouse admin reset-mfa (command line)");
            let user = app::service::mfa::reset_by_email(&db, &actor, &email).await?;
            println!("{} signs in with their password alone now (the change is in the audit log).", user.email);
            Ok(())
        }
        Command::Admin { command: AdminCommand::ClearAllowlist { org } } => {
            let o = organization(&db, &org).await?;
            let n = app::service::allowlist::clear(&db, &o, "gatehouse admin clear-allowlist (command line)").await?;
            if n == 0 {
                println!("“{}” has no allowed IP addresses: it can be reached from anywhere. Nothing changed.", o.name);
            } else {
                println!(
                    "Removed {} from “{}”'s allowed IP addresses: it can be reached from anywhere again (within a second on every instance; the change is in the audit log).",
                    app::domain::words::plural(n as i64, "range", "ranges"),
                    o.name
                );
            }
            Ok(())
        }
        Command::Migrate => {
            println!("The database schema is up to date.");
            Ok(())
        }
    }
}

/// The SMTP settings, when `--smtp-host` is set.
fn mail_settings(cli: &ServeArgs) -> anyhow::Result<Option<app::service::mail::Settings>> {
    use app::service::mail::{Security, Settings};
    let Some(host) = cli.smtp_host.clone().filter(|h| !h.trim().is_empty()) else {
        return Ok(None);
    };
    let security = Security::parse(&cli.smtp_security).map_err(|e| anyhow::anyhow!("{e} (GATEHOUSE_SMTP_SECURITY)"))?;
    let password = match &cli.smtp_password_file {
        Some(f) => Some(
            std::fs::read_to_string(f)
                .map_err(|e| anyhow::anyhow!("cannot read the mail server's password file {} (GATEHOUSE_SMTP_PASSWORD_FILE): {e}", f.display()))?
                .lines()
                .next()
                .unwrap_or("")
                .to_string(),
        ),
        None => None,
    };
    if cli.smtp_user.is_some() != password.is_some() {
        anyhow::bail!("set both GATEHOUSE_SMTP_USER and GATEHOUSE_SMTP_PASSWORD_FILE to sign in to the mail server, or neither");
    }
    let from = cli.mail_from.clone().ok_or_else(|| anyhow::anyhow!("mail is set up (GATEHOUSE_SMTP_HOST): set its sender too, GATEHOUSE_MAIL_FROM (e.g. “Gatehouse <gatehouse@example.com>”)"))?;
    let settings = Settings {
        port: cli.smtp_port.unwrap_or(security.default_port()),
        host,
        security,
        user: cli.smtp_user.clone(),
        password,
        from,
        retry_base: std::time::Duration::from_secs(cli.mail_retry_seconds.max(1)),
    };
    settings.check().map_err(anyhow::Error::msg)?;
    Ok(Some(settings))
}

/// The organization a command names, or a message that says there is none.
async fn organization(db: &app::service::Db, slug: &str) -> anyhow::Result<app::service::access::Org> {
    Ok(app::service::access::org(db, slug).await?)
}

/// The command-line flag that supplies a form field.
fn cli_flag(field: &str) -> &str {
    match field {
        "org_name" => "name",
        "org_slug" => "org",
        "email" => "admin-email",
        "password" => "admin-password-file",
        "first_name" => "admin-first-name",
        "last_name" => "admin-last-name",
        other => other,
    }
}

/// The folder beside a SQLite file (or `data/`), for files the demo keeps.
fn data_dir(url: &str) -> PathBuf {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or("");
    if url.starts_with("sqlite") {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                return dir.to_path_buf();
            }
        }
    }
    PathBuf::from("data")
}
