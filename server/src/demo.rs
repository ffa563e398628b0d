//! The demo organization `acme` (`gatehouse serve --demo`): made by
//! `app::service::demo`; here its admin's password is kept and printed, so
//! there is something to look at at once.
pub use app::service::demo::seed_scale;
use app::service::demo::{self, DEMO_ADMIN, DEMO_SLUG, PEOPLE};
use app::service::Db;
use rand::distributions::Alphanumeric;
use rand::Rng;
use std::path::Path;

/// Creates the demo organization on an empty database, then prints how to sign in.
/// `credentials` is where the generated password is kept (mode 0600) so later
/// starts can print it again.
pub async fn ensure_demo(db: &Db, base_url: &str, credentials: &Path) -> anyhow::Result<()> {
    if let Some(slug) = demo::existing_org(db).await? {
        if slug == DEMO_SLUG {
            print_credentials(base_url, std::fs::read_to_string(credentials).ok().as_deref().map(str::trim));
        } else {
            println!("This database already has the organization “{slug}”; no demo data was added.");
        }
        return Ok(());
    }
    let password: String = rand::thread_rng().sample_iter(&Alphanumeric).take(16).map(char::from).collect();
    demo::create(db, &password).await.map_err(|e| anyhow::anyhow!(e.message))?;
    write_credentials(credentials, &password)?;
    print_credentials(base_url, Some(&password));
    Ok(())
}

fn write_credentials(path: &Path, password: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, format!("{password}\n"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn print_credentials(base_url: &str, password: Option<&str>) {
    println!();
    println!("  Gatehouse demo — organization “Acme”");
    println!("  Sign in at  {base_url}/{DEMO_SLUG}/login");
    println!("  Admin       {DEMO_ADMIN}");
    match password {
        Some(p) => println!("  Password    {p}   (every demo user has this password)"),
        None => println!("  Password    (printed when the demo was created; the file that kept it is gone)"),
    }
    println!("  Other users {}", PEOPLE.iter().map(|p| p.2).collect::<Vec<_>>().join(", "));
    println!();
}
