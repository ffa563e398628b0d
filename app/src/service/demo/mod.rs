//! Demo data: the organization `acme` with a few people, teams, the sample
//! orders dataset and documents over it (`gatehouse serve --demo`); and
//! generated people and teams for scale work (`gatehouse demo seed`). The
//! command line prints what it made; the writing is here.
pub mod data;

use super::setup::{create_organization, Proof, SetupInput};
use super::{Error, Result};
use crate::domain::{audit, permissions::BuiltIn, words::plural, Email, Origin};
use crate::service::store::{self, Db};

pub const DEMO_SLUG: &str = "acme";
pub const DEMO_ADMIN: &str = "admin@acme.example";
/// Rows of the demo's sample orders dataset.
pub const DEMO_ORDERS: u64 = 50_000;

/// The demo's people besides the admin: (first name, last name, email, account type).
pub const PEOPLE: &[(&str, &str, &str, BuiltIn)] = &[
    ("Casey", "Creator", "casey@acme.example", BuiltIn::Creator),
    ("Sam", "Analyst", "sam@acme.example", BuiltIn::Creator),
    ("Val", "Viewer", "val@acme.example", BuiltIn::Viewer),
    ("Riley", "Finance", "riley@acme.example", BuiltIn::Viewer),
];

const TEAMS: &[(&str, &str, &[&str])] = &[
    ("Analytics", "Builds the company's dashboards.", &["casey@acme.example", "sam@acme.example"]),
    ("Finance", "Budgets, forecasts and month-end.", &["riley@acme.example", DEMO_ADMIN]),
    ("Marketing", "Campaigns and web analytics.", &["val@acme.example"]),
];

/// The organization this database has, if any: the demo's or another.
pub async fn existing_org(db: &Db) -> Result<Option<String>> {
    Ok(store::orgs::first(db).await?.map(|o| o.slug))
}

fn seed_event<'a>(org_id: &'a str, action: &'a str, target: &'a str, detail: String) -> store::audit::Event<'a> {
    store::audit::Event { org_id, actor_id: None, actor: "demo seed", action, target, detail, ip: "" }
}

/// Creates the demo organization on an empty database: the admin and the
/// demo's people (all with `password`), teams, the orders dataset and documents.
pub async fn create(db: &Db, password: &str) -> Result<()> {
    let done = create_organization(
        db,
        SetupInput { org_name: "Acme".into(), org_slug: DEMO_SLUG.into(), first_name: "Ada".into(), last_name: "Admin".into(), email: DEMO_ADMIN.into(), password: password.to_string() },
        Proof::ServerMachine,
        "demo seed",
        "",
    )
    .await?;
    let org_id = done.org.id;
    let hash = super::passwords::hash(password.to_string()).await?;
    let mut tx = super::begin(db).await?;
    for (first, last, email, kind) in PEOPLE {
        let t = store::account_types::built_in(&mut *tx, &org_id, *kind).await?;
        let email = Email::parse("email", email)?;
        let new = store::users::NewUser {
            id: &store::new_id(),
            org_id: &org_id,
            email: &email,
            first_name: first,
            last_name: last,
            account_type_id: &t.id,
            password_hash: Some(&hash),
            invite_pending: false,
            is_guest: false,
        };
        store::users::insert(&mut *tx, new).await?;
        store::audit::record(&mut tx, seed_event(&org_id, audit::USER_CREATED, email.as_str(), format!("account type {}", t.name))).await?;
    }
    for (name, description, members) in TEAMS {
        let team_id = store::teams::insert(&mut *tx, &org_id, name, description, Origin::Local, None).await?;
        for m in *members {
            let user = store::users::by_email(&mut *tx, &org_id, m).await?.ok_or_else(|| Error::invalid("members", format!("the demo's {m} is missing")))?;
            store::teams::add_member(&mut *tx, &org_id, &team_id, &user.id).await?;
        }
        store::audit::record(&mut tx, seed_event(&org_id, audit::TEAM_CREATED, name, plural(members.len() as i64, "member", "members"))).await?;
    }
    tx.commit().await?;
    let dataset = data::orders_dataset(db, &org_id, DEMO_ORDERS).await?;
    let mut tx = super::begin(db).await?;
    data::seed_documents(&mut tx, &org_id, &dataset).await?;
    tx.commit().await?;
    Ok(())
}

/// Fills an organization with generated users and teams, for scale work
/// (`gatehouse demo seed`). Users get no password; every tenth is a Creator.
/// Writes in batches, one transaction each, and reports progress.
pub async fn seed_scale(db: &Db, org_slug: &str, users: usize, teams: usize, progress: &mut dyn FnMut(&str)) -> Result<()> {
    let org = store::orgs::by_slug(db, org_slug).await?.ok_or_else(|| Error::not_found(format!("there is no organization “{org_slug}”; create it first (gatehouse setup, or serve --demo)")))?;
    let viewer = store::account_types::built_in(db, &org.id, BuiltIn::Viewer).await?;
    let creator = store::account_types::built_in(db, &org.id, BuiltIn::Creator).await?;
    let start = store::users::count_all(db, &org.id).await?;
    const FIRST: &[&str] = &["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Radia", "Linus", "Frances", "John", "Hedy", "Dennis", "Sophie", "Tim"];
    const LAST: &[&str] =
        &["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson", "Perlman", "Torvalds", "Allen", "Backus", "Lamarr", "Ritchie", "Wilson", "Berners-Lee"];
    let now = store::now();
    let mut team_ids = Vec::with_capacity(teams);
    {
        let mut tx = super::begin(db).await?;
        for t in 0..teams {
            let name = format!("Team {:04}", start as usize + t);
            team_ids.push(store::teams::insert(&mut *tx, &org.id, &name, "Generated for scale work", Origin::Local, None).await?);
        }
        tx.commit().await?;
    }
    progress(&format!("created {teams} teams"));
    const BATCH: usize = 400;
    let mut done = 0;
    while done < users {
        let n = BATCH.min(users - done);
        let mut tx = super::begin(db).await?;
        let people: Vec<store::demo::Generated> = (0..n)
            .map(|i| {
                let k = start as usize + done + i;
                store::demo::Generated {
                    id: store::new_id(),
                    email: format!("user{k}@{org_slug}.example"),
                    first_name: FIRST[k % FIRST.len()].to_string(),
                    last_name: format!("{}{}", LAST[(k / FIRST.len()) % LAST.len()], k),
                    account_type_id: if k % 10 == 0 { creator.id.clone() } else { viewer.id.clone() },
                }
            })
            .collect();
        let memberships: Vec<String> = (0..n).filter(|_| !team_ids.is_empty()).map(|i| team_ids[(done + i) % team_ids.len()].clone()).collect();
        store::demo::insert_generated(&mut tx, &org.id, &people, (!team_ids.is_empty()).then_some(&memberships[..]), &now).await?;
        tx.commit().await?;
        done += n;
        if done % 10_000 < BATCH || done == users {
            progress(&format!("{done} of {users} users"));
        }
    }
    store::demo::analyze(db).await?;
    Ok(())
}
