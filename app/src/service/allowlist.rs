//! Allowed IP addresses (Administration > Authentication): the address ranges
//! an organization may be reached from, for the application (pages, sign-in,
//! exports), the SCIM API, or both. No range for a scope: no restriction.
//!
//! The rules: a list an administrator saves never shuts out the address they
//! are saving it from (the operator's `gatehouse admin clear-allowlist` is the
//! way back from anything else); a refusal is counted in the audit log, one
//! row per address and window, so a flood from outside writes nothing more;
//! the request's address is the one `ClientIp` decided (`X-Forwarded-For`
//! only behind a trusted proxy). Each instance reads the list at most once a
//! second per organization (`CACHE_TTL`); a change is seen at once by the
//! instance that made it and within that second by the others.
use super::access::{Caller, Org};
use super::{Error, Result};
use crate::domain::audit;
use crate::domain::views::{AllowedRange, Allowlist, RangeScope, RangesAdded};
use crate::service::store::{self, Db};
use ipnet::IpNet;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The most ranges an organization may list.
pub const MAX_RANGES: usize = 1_000;
/// How long an instance reuses the list it read.
pub const CACHE_TTL: Duration = Duration::from_secs(1);

type Ranges = Arc<Vec<(IpNet, RangeScope)>>;

fn cache() -> &'static Mutex<std::collections::HashMap<String, (Instant, Ranges)>> {
    static C: OnceLock<Mutex<std::collections::HashMap<String, (Instant, Ranges)>>> = OnceLock::new();
    C.get_or_init(Default::default)
}

fn forget(org_id: &str) {
    cache().lock().unwrap_or_else(|e| e.into_inner()).remove(org_id);
}

async fn ranges(db: &Db, org_id: &str) -> Result<Ranges> {
    let now = Instant::now();
    if let Some((at, r)) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(org_id) {
        if now.duration_since(*at) < CACHE_TTL {
            return Ok(r.clone());
        }
    }
    let rows = store::ip_allowlist::list(db, org_id).await?;
    let r: Ranges = Arc::new(parsed(&rows));
    let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
    c.retain(|_, (at, _)| now.duration_since(*at) < CACHE_TTL);
    c.insert(org_id.to_string(), (now, r.clone()));
    Ok(r)
}

/// An address as ranges are compared with it: IPv4 written as IPv6
/// (`::ffff:203.0.113.7`, what a dual-stack socket reports) is IPv4.
pub fn address(ip: &str) -> Option<IpAddr> {
    let ip: IpAddr = ip.trim().parse().ok()?;
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    })
}

fn allows(ranges: &[(IpNet, RangeScope)], scope: RangeScope, ip: &str) -> bool {
    let mut applicable = ranges.iter().filter(|(_, s)| s.covers(scope)).peekable();
    if applicable.peek().is_none() {
        return true;
    }
    let Some(ip) = address(ip) else { return false };
    applicable.any(|(net, _)| net.contains(&ip))
}

/// Refuses a request from `ip` to `org` when the organization lists ranges
/// for `scope` and none holds the address (see the module's comment).
pub async fn check(db: &Db, org: &Org, ip: &str, scope: RangeScope) -> Result<()> {
    let list = ranges(db, &org.id).await?;
    if allows(&list, scope, ip) {
        return Ok(());
    }
    let target = match scope {
        RangeScope::Scim => "the SCIM API",
        _ => "Gatehouse",
    };
    let event =
        store::audit::Event { org_id: &org.id, actor_id: None, actor: "anonymous", action: audit::ACCESS_DENIED, target, detail: format!("the address {ip} is not on the allowed IP addresses"), ip };
    let address = super::sign_in::address_key(ip);
    let count = store::audit::Count { kind: "ip allowlist", address: &address, window_secs: super::sign_in::WINDOW_MINUTES * 60 };
    store::audit::record_counted(db, event, count).await?;
    crate::metrics::ip_refused(scope.key());
    Err(Error::forbidden(match scope {
        RangeScope::Scim => format!(
            "Requests to {}'s SCIM API are not allowed from {ip}. An administrator can add the identity provider's addresses in Administration > Authentication > Allowed IP addresses.",
            org.name
        ),
        _ => format!(
            "Your address, {ip}, is not on {}'s list of allowed IP addresses. Connect from your organization's network (or its VPN), or ask an administrator of {} to add your address.",
            org.name, org.name
        ),
    }))
}

/// `check` for the application, for a request to `/{slug}/…` (pages, single
/// sign-on, downloads); an unknown organization is the page guard's to answer.
pub async fn check_path(db: &Db, slug: &str, ip: &str) -> Result<()> {
    match store::orgs::by_slug(db, slug).await? {
        Some(org) => check(db, &org, ip, RangeScope::App).await,
        None => Ok(()),
    }
}

/// One line of the "Add" box: an address or a CIDR range, IPv4 or IPv6, and
/// after `#` a note. Ok(None) for a blank line.
pub fn parse_line(line: &str) -> std::result::Result<Option<(IpNet, String)>, String> {
    let (range, note) = match line.split_once('#') {
        Some((r, n)) => (r.trim(), n.trim()),
        None => (line.trim(), ""),
    };
    if range.is_empty() {
        return if note.is_empty() { Ok(None) } else { Err("a note needs an address before it".into()) };
    }
    if note.chars().count() > 200 {
        return Err("the note is longer than 200 characters".into());
    }
    let net = if range.contains('/') {
        let net: IpNet = range.parse().map_err(|_| format!("“{range}” is not an address range: write it as 203.0.113.0/24 or 2001:db8::/32"))?;
        if net.trunc() != net {
            return Err(format!("“{range}” has bits set past its prefix: did you mean {}?", net.trunc()));
        }
        net
    } else {
        let ip = address(range).ok_or_else(|| format!("“{range}” is not an IP address: write it as 203.0.113.7, 2001:db8::7, or a range such as 203.0.113.0/24"))?;
        IpNet::from(ip)
    };
    // IPv4 written as IPv6 is compared as IPv4 (`address`): keep it so.
    let net = match net {
        IpNet::V6(v6) if v6.prefix_len() >= 96 && v6.addr().to_ipv4_mapped().is_some() => {
            let v4 = v6.addr().to_ipv4_mapped().unwrap_or(std::net::Ipv4Addr::UNSPECIFIED);
            IpNet::new(IpAddr::V4(v4), v6.prefix_len() - 96).unwrap_or(net)
        }
        n => n,
    };
    Ok(Some((net, note.to_string())))
}

/// The list as the Authentication page shows it, with the caller's address.
pub async fn view(db: &Db, admin: &Caller) -> Result<Allowlist> {
    let ranges = store::ip_allowlist::list(db, &admin.org.id)
        .await?
        .into_iter()
        .map(|r| AllowedRange { scope: RangeScope::parse(&r.scope).unwrap_or(RangeScope::Both), id: r.id, cidr: r.cidr, note: r.note, created_at: r.created_at })
        .collect();
    Ok(Allowlist { ranges, your_address: admin.ip.clone() })
}

/// Refused when `after` (the list as it would be) has ranges for the
/// application and none holds the admin's own address.
fn keeps_admin_in(after: &[(IpNet, RangeScope)], admin: &Caller) -> Result<()> {
    if allows(after, RangeScope::App, &admin.ip) {
        return Ok(());
    }
    Err(Error::conflict(format!(
        "This would shut you out: your address, {}, would not be on the list for Gatehouse itself. Add a range that holds it (for instance {}) in the same step, or choose “SCIM API” only.",
        admin.ip,
        address(&admin.ip).map(|a| IpNet::from(a).to_string()).unwrap_or_else(|| admin.ip.clone())
    ))
    .on("ranges"))
}

fn parsed(rows: &[store::ip_allowlist::Range]) -> Vec<(IpNet, RangeScope)> {
    rows.iter().filter_map(|r| Some((r.cidr.parse().ok()?, RangeScope::parse(&r.scope)?))).collect()
}

/// Adds the ranges written in `text`, one per line, for `scope`. Nothing is
/// added when a line is wrong (its number and what is wrong are said), or
/// when the list would shut the admin out.
pub async fn add(db: &Db, admin: &Caller, text: &str, scope: RangeScope) -> Result<RangesAdded> {
    let mut wanted: Vec<(IpNet, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match parse_line(line) {
            Ok(Some(r)) => {
                if !wanted.iter().any(|(n, _)| *n == r.0) {
                    wanted.push(r)
                }
            }
            Ok(None) => {}
            Err(why) => return Err(Error::invalid("ranges", format!("Line {}: {why}. Nothing was added.", i + 1))),
        }
    }
    if wanted.is_empty() {
        return Err(Error::invalid("ranges", "Enter an address or a range, one per line (203.0.113.7, 203.0.113.0/24, 2001:db8::/32)."));
    }
    let mut tx = super::begin(db).await?;
    // Two admins changing the list at once take turns: each checks the list
    // the other left.
    store::orgs::lock(&mut tx, &admin.org.id).await?;
    let rows = store::ip_allowlist::list(&mut *tx, &admin.org.id).await?;
    let already: Vec<String> = wanted.iter().filter(|(n, _)| rows.iter().any(|r| r.cidr == n.to_string())).map(|(n, _)| n.to_string()).collect();
    let new: Vec<&(IpNet, String)> = wanted.iter().filter(|(n, _)| !already.contains(&n.to_string())).collect();
    if rows.len() + new.len() > MAX_RANGES {
        return Err(Error::invalid("ranges", format!("An organization can list at most {MAX_RANGES} ranges; this would make {}. Merge neighbouring ranges into wider ones.", rows.len() + new.len())));
    }
    let mut after = parsed(&rows);
    after.extend(new.iter().map(|(n, _)| (*n, scope)));
    keeps_admin_in(&after, admin)?;
    for (net, note) in &new {
        store::ip_allowlist::insert(&mut tx, &admin.org.id, &net.to_string(), scope.key(), note, Some(&admin.user.id)).await?;
    }
    if !new.is_empty() {
        let names = new.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>();
        let target = crate::domain::words::clip(&names.join(", "), 400);
        let actor = admin.actor();
        store::audit::record(&mut tx, actor.event(audit::IP_RANGES_ADDED, &target, format!("for {}", scope.label()))).await?;
    }
    tx.commit().await?;
    forget(&admin.org.id);
    Ok(RangesAdded { added: new.len(), already })
}

/// Removes one range, unless the list left would shut the admin out.
pub async fn remove(db: &Db, admin: &Caller, id: &str) -> Result<()> {
    let mut tx = super::begin(db).await?;
    store::orgs::lock(&mut tx, &admin.org.id).await?;
    let rows = store::ip_allowlist::list(&mut *tx, &admin.org.id).await?;
    let Some(gone) = rows.iter().find(|r| r.id == id) else {
        return Err(Error::not_found("That range was already removed."));
    };
    let left: Vec<_> = rows.iter().filter(|r| r.id != id).cloned().collect();
    keeps_admin_in(&parsed(&left), admin)?;
    store::ip_allowlist::delete(&mut tx, &admin.org.id, id).await?;
    store::audit::record(&mut tx, admin.actor().event(audit::IP_RANGE_REMOVED, &gone.cidr, String::new())).await?;
    tx.commit().await?;
    forget(&admin.org.id);
    Ok(())
}

/// The operator's break-glass: every range removed; how many there were.
pub async fn clear(db: &Db, org: &Org, by: &str) -> Result<u64> {
    let mut tx = super::begin(db).await?;
    let n = store::ip_allowlist::clear(&mut tx, &org.id).await?;
    let event =
        store::audit::Event { org_id: &org.id, actor_id: None, actor: by, action: audit::IP_ALLOWLIST_CLEARED, target: "", detail: crate::domain::words::plural(n as i64, "range", "ranges"), ip: "" };
    store::audit::record(&mut tx, event).await?;
    tx.commit().await?;
    forget(&org.id);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn lines_are_addresses_or_ranges_with_notes() {
        assert_eq!(parse_line("203.0.113.7").unwrap().unwrap().0, net("203.0.113.7/32"));
        assert_eq!(parse_line(" 2001:db8::/32  # office ").unwrap().unwrap(), (net("2001:db8::/32"), "office".into()));
        assert_eq!(parse_line("::ffff:198.51.100.0/120").unwrap().unwrap().0, net("198.51.100.0/24"));
        assert_eq!(parse_line("   ").unwrap(), None);
        assert!(parse_line("10.0.0.1/8").unwrap_err().contains("did you mean 10.0.0.0/8"));
        assert!(parse_line("10.0.0.0/33").unwrap_err().contains("not an address range"));
        assert!(parse_line("2001:db8::/129").unwrap_err().contains("not an address range"));
        assert!(parse_line("example.com").unwrap_err().contains("not an IP address"));
        assert!(parse_line("# just a note").is_err());
    }

    #[test]
    fn a_scope_without_ranges_restricts_nothing_and_v4_in_v6_is_v4() {
        let list = vec![(net("198.51.100.0/24"), RangeScope::Scim), (net("2001:db8::/32"), RangeScope::Both)];
        assert!(allows(&list, RangeScope::Scim, "198.51.100.9"));
        assert!(allows(&list, RangeScope::Scim, "::ffff:198.51.100.9"));
        assert!(!allows(&list, RangeScope::Scim, "203.0.113.1"));
        assert!(allows(&list, RangeScope::App, "2001:db8:1::5"));
        assert!(!allows(&list, RangeScope::App, "198.51.100.9"), "a SCIM-only range does not open the application");
        assert!(!allows(&list, RangeScope::App, ""), "an address that cannot be read is outside");
        assert!(allows(&[(net("198.51.100.0/24"), RangeScope::Scim)], RangeScope::App, "203.0.113.1"));
    }
}
