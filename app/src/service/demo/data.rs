//! The demo organization's sample dataset (orders, generated the same way on
//! every run) and a few documents over it.
use crate::domain::documents::{assign_slots, ColumnKind, Filter, FilterOp, Sort, TableView};
use crate::service::store::{self, datasets::Cell, documents::NewDocument, Conn};
use crate::service::{Error, Result};

pub const ORDERS_DATASET: &str = "Orders (sample)";

const COLUMNS: &[(&str, ColumnKind)] = &[
    ("Order ID", ColumnKind::Number),
    ("Order date", ColumnKind::Text),
    ("Customer", ColumnKind::Text),
    ("Region", ColumnKind::Text),
    ("Product", ColumnKind::Text),
    ("Category", ColumnKind::Text),
    ("Quantity", ColumnKind::Number),
    ("Unit price", ColumnKind::Number),
    ("Amount", ColumnKind::Number),
    ("Status", ColumnKind::Text),
];

const REGIONS: &[&str] = &["North", "South", "East", "West", "Central"];
const PRODUCTS: &[(&str, &str, f64)] = &[
    ("Desk lamp", "Furniture", 39.0),
    ("Office chair", "Furniture", 189.0),
    ("Standing desk", "Furniture", 499.0),
    ("Laptop stand", "Accessories", 49.5),
    ("USB-C hub", "Accessories", 34.99),
    ("Monitor 27\"", "Electronics", 279.0),
    ("Keyboard", "Electronics", 89.0),
    ("Mouse", "Electronics", 25.0),
    ("Notebook, A5", "Stationery", 4.75),
    ("Pens (box of 12)", "Stationery", 9.6),
];
const CUSTOMERS: &[&str] = &["Initech", "Globex", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne", "Soylent", "Acme West"];
const STATUSES: &[&str] = &["Delivered", "Delivered", "Delivered", "Shipped", "Processing", "Returned"];

/// splitmix64: the same rows for the same index, on every machine.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Order number `i` (0-based).
pub(crate) fn order(i: u64) -> Vec<Cell> {
    let r = mix(i);
    let (product, category, price) = PRODUCTS[(r % PRODUCTS.len() as u64) as usize];
    let qty = 1 + (r >> 8) % 12;
    let day = (i * 731 / 50_000).min(730); // two years, in order
    let date = time::Date::from_calendar_date(2024, time::Month::January, 1).expect("date") + time::Duration::days(day as i64);
    let amount = (price * qty as f64 * 100.0).round() / 100.0;
    vec![
        Cell::Number(Some((100_000 + i) as f64)),
        Cell::Text(Some(date.to_string())),
        Cell::Text(Some(CUSTOMERS[((r >> 16) % CUSTOMERS.len() as u64) as usize].into())),
        Cell::Text(Some(REGIONS[((r >> 24) % REGIONS.len() as u64) as usize].into())),
        Cell::Text(Some(product.into())),
        Cell::Text(Some(category.into())),
        Cell::Number(Some(qty as f64)),
        Cell::Number(Some(price)),
        Cell::Number(Some(amount)),
        Cell::Text(Some(STATUSES[((r >> 32) % STATUSES.len() as u64) as usize].into())),
    ]
}

/// Creates the orders dataset with `rows` rows; returns its id.
pub async fn orders_dataset(db: &store::Db, org_id: &str, rows: u64) -> Result<String> {
    let columns = assign_slots(&COLUMNS.iter().map(|(n, k)| (n.to_string(), *k)).collect::<Vec<_>>()).expect("fits the slots");
    let mut tx = store::begin(db).await?;
    let id = store::datasets::insert(&mut tx, org_id, ORDERS_DATASET, &columns, "demo", None).await?;
    tx.commit().await?;
    const BATCH: u64 = 5_000;
    let mut done = 0;
    while done < rows {
        let n = BATCH.min(rows - done);
        let batch: Vec<Vec<Cell>> = (done..done + n).map(order).collect();
        let mut tx = store::begin(db).await?;
        store::datasets::insert_rows(&mut tx, &id, &columns, done as i64 + 1, &batch).await?;
        tx.commit().await?;
        done += n;
    }
    Ok(id)
}

pub fn all_columns() -> Vec<String> {
    COLUMNS.iter().map(|(n, _)| n.to_string()).collect()
}

/// The demo's documents: (owner email, team name or none, name, view).
pub fn demo_documents() -> Vec<(&'static str, Option<&'static str>, &'static str, TableView)> {
    let cols = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        ("casey@acme.example", None, "All orders", TableView { columns: all_columns(), filters: vec![], sort: None }),
        (
            "casey@acme.example",
            Some("Analytics"),
            "Large orders by amount",
            TableView {
                columns: cols(&["Order ID", "Order date", "Customer", "Product", "Amount"]),
                filters: vec![Filter { column: "Amount".into(), op: FilterOp::Ge, value: "1000".into() }],
                sort: Some(Sort { column: "Amount".into(), desc: true }),
            },
        ),
        (
            "sam@acme.example",
            None,
            "Returns in the West",
            TableView {
                columns: cols(&["Order ID", "Order date", "Customer", "Product", "Status"]),
                filters: vec![Filter { column: "Region".into(), op: FilterOp::Eq, value: "West".into() }, Filter { column: "Status".into(), op: FilterOp::Eq, value: "Returned".into() }],
                sort: None,
            },
        ),
        (
            "admin@acme.example",
            Some("Finance"),
            "Revenue by customer",
            TableView { columns: cols(&["Customer", "Order date", "Amount"]), filters: vec![], sort: Some(Sort { column: "Customer".into(), desc: false }) },
        ),
    ]
}

/// Seeds the demo documents over `dataset_id`.
pub async fn seed_documents(conn: &mut Conn, org_id: &str, dataset_id: &str) -> Result<()> {
    for (owner, team, name, view) in demo_documents() {
        let owner_id = store::users::by_email(&mut *conn, org_id, owner).await?.ok_or_else(|| Error::invalid("owner", format!("the demo's {owner} is missing")))?.id;
        let team_id = match team {
            Some(t) => Some(store::teams::id_named(conn, org_id, t).await?),
            None => None,
        };
        let id = store::documents::insert(&mut *conn, NewDocument { org_id, name, dataset_id, view: &view, owner_id: &owner_id, team_id: team_id.as_deref() }).await?;
        if name == "All orders" {
            // Shared with Marketing, so Val (a Viewer) has something shared with them.
            let marketing = store::teams::id_named(conn, org_id, "Marketing").await?;
            store::documents::share(conn, org_id, &id, "team", &marketing, &owner_id).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn orders_are_deterministic() {
        let a = format!("{:?}", super::order(4242));
        assert_eq!(a, format!("{:?}", super::order(4242)));
        assert_ne!(a, format!("{:?}", super::order(4243)));
    }
}
