//! Allowed IP addresses over HTTP: an admin cannot save a list that shuts out
//! their own address (adding or removing, two admins at once included); bad
//! lines change nothing; requests from outside are refused on pages, server
//! functions, single sign-on paths and SCIM, and counted in the audit log
//! rather than written one by one; `X-Forwarded-For` counts only behind a
//! trusted proxy; the operator's command clears the list.
use crate::common;

use app::domain::permissions::BuiltIn;
use app::domain::views::{Allowlist, RangesAdded};
use common::*;
use reqwest::StatusCode;

const PW: &str = "a long enough secret";

/// A server function called from `ip` (the app trusts `X-Forwarded-For`).
async fn call_from(app: &TestApp, s: &mut Session, ip: &str, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.http.post(format!("{}/api/{endpoint}", app.base)).header("origin", &app.base).header("x-forwarded-for", ip).form(form);
    if let Some(c) = &s.cookie {
        req = req.header("cookie", format!("gatehouse_session={c}"));
    }
    let res = req.send().await.unwrap();
    s.absorb(&res);
    res
}

async fn page_from(app: &TestApp, s: &Session, ip: &str, path: &str) -> reqwest::Response {
    let mut req = app.http.get(format!("{}{path}", app.base)).header("x-forwarded-for", ip);
    if let Some(c) = &s.cookie {
        req = req.header("cookie", format!("gatehouse_session={c}"));
    }
    req.send().await.unwrap()
}

async fn sign_in_from(app: &TestApp, ip: &str, email: &str, password: &str) -> Session {
    let mut s = Session::default();
    let res = call_from(app, &mut s, ip, "sign_in", &[("org", "acme"), ("email", email), ("password", password)]).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    s
}

async fn add(app: &TestApp, s: &mut Session, ip: &str, ranges: &str, scope: &str) -> reqwest::Response {
    call_from(app, s, ip, "add_allowed_ranges", &[("org", "acme"), ("ranges", ranges), ("scope", scope)]).await
}

async fn list(app: &TestApp, s: &mut Session, ip: &str) -> Allowlist {
    ok_json(call_from(app, s, ip, "ip_allowlist", &[("org", "acme")]).await).await
}

async fn behind_a_proxy() -> TestApp {
    let app = spawn_app_with(|s| s.trust_proxy = true).await;
    app.setup_acme().await;
    app
}

const OFFICE: &str = "198.51.100.7";
const OUTSIDE: &str = "203.0.113.9";

#[tokio::test]
async fn an_allowlist_that_would_shut_the_admin_out_is_refused_and_bad_lines_change_nothing() {
    let app = behind_a_proxy().await;
    let mut admin = sign_in_from(&app, OFFICE, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let (status, e) = error_of(add(&app, &mut admin, OFFICE, "203.0.113.0/24", "both").await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(e.message.contains("shut you out") && e.message.contains(OFFICE), "{}", e.message);
    assert_eq!(e.field.as_deref(), Some("ranges"));
    assert!(list(&app, &mut admin, OFFICE).await.ranges.is_empty(), "nothing saved");

    // A line that is wrong, among good ones: nothing is added, and the line is named.
    for (text, says) in [
        ("198.51.100.0/24\n10.0.0.1/8", "Line 2: “10.0.0.1/8” has bits set past its prefix: did you mean 10.0.0.0/8?"),
        ("2001:db8::/129", "Line 1: “2001:db8::/129” is not an address range"),
        ("intranet.acme.example", "is not an IP address"),
        ("\n  \n", "Enter an address or a range"),
    ] {
        let (status, e) = error_of(add(&app, &mut admin, OFFICE, text, "app").await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        assert!(e.message.contains(says), "{text}: {}", e.message);
    }
    let (status, _) = error_of(add(&app, &mut admin, OFFICE, "198.51.100.0/24", "everything").await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an unknown scope");
    assert!(list(&app, &mut admin, OFFICE).await.ranges.is_empty(), "nothing saved");

    // SCIM only never shuts the admin out; the admin's own range, with a note, IPv6 beside it.
    let r: RangesAdded = ok_json(add(&app, &mut admin, OFFICE, "192.0.2.0/24", "scim").await).await;
    assert_eq!(r.added, 1);
    let r: RangesAdded = ok_json(add(&app, &mut admin, OFFICE, "198.51.100.0/24 # office\n2001:db8::/32\n198.51.100.0/24", "app").await).await;
    assert_eq!((r.added, r.already.len()), (2, 0), "the same range twice in one box is added once");
    let r: RangesAdded = ok_json(add(&app, &mut admin, OFFICE, "198.51.100.0/24\n::ffff:203.0.113.0/120", "app").await).await;
    assert_eq!(r.added, 1);
    assert_eq!(r.already, vec!["198.51.100.0/24".to_string()]);
    let l = list(&app, &mut admin, OFFICE).await;
    assert_eq!(l.your_address, OFFICE);
    let cidrs: Vec<_> = l.ranges.iter().map(|r| r.cidr.as_str()).collect();
    assert_eq!(cidrs, vec!["192.0.2.0/24", "198.51.100.0/24", "2001:db8::/32", "203.0.113.0/24"], "IPv4 written as IPv6 is kept as IPv4");
    assert_eq!(l.ranges.iter().find(|r| r.cidr == "198.51.100.0/24").unwrap().note, "office");
    let audit = app.audit_actions().await;
    assert_eq!(audit.iter().filter(|a| a.0 == "ip_allowlist.added").count(), 3, "one entry per save that added something");
}

#[tokio::test]
async fn requests_from_outside_are_refused_everywhere_and_counted_not_written_each() {
    let app = behind_a_proxy().await;
    let mut admin = sign_in_from(&app, OFFICE, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let _: RangesAdded = ok_json(add(&app, &mut admin, OFFICE, "198.51.100.0/24\n2001:db8::/32", "app").await).await;

    // Pages, the sign-in page, single sign-on paths, downloads: an error page that says why.
    for path in ["/acme/login", "/acme", "/acme/admin/users", "/acme/saml/metadata", "/acme/documents/x/orders.csv"] {
        let res = page_from(&app, &admin, OUTSIDE, path).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
        let body = res.text().await.unwrap();
        assert!(body.contains("is not on Acme's list of allowed IP addresses"), "{path}: {body}");
    }
    // Server functions: the sign-in itself, and the admin's own session used from outside.
    let mut stranger = Session::default();
    let (status, e) = error_of(call_from(&app, &mut stranger, OUTSIDE, "sign_in", &[("org", "acme"), ("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(e.message.contains(OUTSIDE), "{}", e.message);
    assert!(stranger.cookie.is_none(), "no session for a refused sign-in");
    let (status, _) = error_of(call_from(&app, &mut admin, OUTSIDE, "ip_allowlist", &[("org", "acme")]).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a session does not carry past the list");

    // Inside: IPv4, IPv6 in a listed range, and IPv4 as a dual-stack socket writes it.
    for ip in ["198.51.100.200", "2001:db8:5::1", "::ffff:198.51.100.9"] {
        assert_eq!(page_from(&app, &Session::default(), ip, "/acme/login").await.status(), StatusCode::OK, "{ip}");
    }
    // The API isn't restricted by an app range.
    let t: app::domain::views::NewProvisioningToken =
        ok_json(call_from(&app, &mut admin, OFFICE, "create_provisioning_token", &[("org", "acme"), ("name", "Okta"), ("acknowledged", "true")]).await).await;
    let scim = app.http.get(format!("{}/scim/v2/Users", app.base)).bearer_auth(&t.token).header("x-forwarded-for", OUTSIDE).send().await.unwrap();
    assert_eq!(scim.status(), StatusCode::OK, "a range for Gatehouse only leaves the SCIM API open");

    // A flood from outside: one audit row per address and window.
    for _ in 0..40 {
        assert_eq!(page_from(&app, &Session::default(), OUTSIDE, "/acme/login").await.status(), StatusCode::FORBIDDEN);
        let res = call_from(&app, &mut Session::default(), OUTSIDE, "login_info", &[("org", "acme")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    let rows = app.audit_actions().await.into_iter().filter(|a| a.0 == "auth.access_denied" && a.2.contains(OUTSIDE)).count();
    assert_eq!(rows, 1, "refusals from one address are counted in one row");
    let other = "203.0.113.10";
    assert_eq!(page_from(&app, &Session::default(), other, "/acme/login").await.status(), StatusCode::FORBIDDEN);
    let rows = app.audit_actions().await.into_iter().filter(|a| a.0 == "auth.access_denied").count();
    assert_eq!(rows, 2, "another address, another row");
}

#[tokio::test]
async fn scim_from_outside_its_ranges_is_refused_as_scim_json() {
    let app = behind_a_proxy().await;
    let mut admin = sign_in_from(&app, OFFICE, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let t: app::domain::views::NewProvisioningToken =
        ok_json(call_from(&app, &mut admin, OFFICE, "create_provisioning_token", &[("org", "acme"), ("name", "Okta"), ("acknowledged", "true")]).await).await;
    let _: RangesAdded = ok_json(add(&app, &mut admin, OFFICE, "192.0.2.0/24 # the identity provider", "scim").await).await;
    let scim = |ip: &'static str| app.http.get(format!("{}/scim/v2/Users", app.base)).bearer_auth(&t.token).header("x-forwarded-for", ip).send();
    let res = scim(OUTSIDE).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/scim+json"));
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
    assert_eq!(body["status"], "403");
    assert!(body["detail"].as_str().unwrap().contains("Allowed IP addresses"), "{body}");
    assert_eq!(scim("192.0.2.77").await.unwrap().status(), StatusCode::OK);
    // A wrong token from outside is told the token is wrong, as anywhere: the
    // list is the organization's, known only once the token names it.
    let res = app.http.get(format!("{}/scim/v2/Users", app.base)).bearer_auth("gh_scim_wrong").header("x-forwarded-for", OUTSIDE).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The application is not restricted by a SCIM range.
    assert_eq!(page_from(&app, &Session::default(), OUTSIDE, "/acme/login").await.status(), StatusCode::OK);
    let rows = app.audit_actions().await.into_iter().filter(|a| a.0 == "auth.access_denied" && a.1 == "the SCIM API").count();
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
    // No proxy trusted: the socket's address (127.0.0.1) is the one that counts.
    let app = spawn_app().await;
    app.setup_acme().await;
    let mut admin = app.admin_session().await;
    let (status, e) = error_of(add(&app, &mut admin, "198.51.100.7", "198.51.100.0/24", "app").await).await;
    assert_eq!(status, StatusCode::CONFLICT, "a forged X-Forwarded-For does not make the admin's address");
    assert!(e.message.contains("127.0.0.1"), "{}", e.message);
    let _: RangesAdded = ok_json(add(&app, &mut admin, "", "127.0.0.1/32", "app").await).await;
    let _: RangesAdded = ok_json(add(&app, &mut admin, "", "192.0.2.0/24", "scim").await).await;
    let t = app.provisioning_token(&mut admin).await;
    let res = app.http.get(format!("{}/scim/v2/Users", app.base)).bearer_auth(&t.token).header("x-forwarded-for", "192.0.2.5").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a forwarded address inside the SCIM range does not help a request from outside it");
    assert_eq!(page_from(&app, &Session::default(), "10.9.9.9", "/acme/login").await.status(), StatusCode::OK, "nor does one outside hurt");
}

#[tokio::test]
async fn removing_the_admins_own_range_is_refused_and_the_operator_clears_the_list() {
    let app = behind_a_proxy().await;
    let mut admin = sign_in_from(&app, OFFICE, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let _: RangesAdded = ok_json(add(&app, &mut admin, OFFICE, "198.51.100.0/24\n203.0.113.0/24", "both").await).await;
    let l = list(&app, &mut admin, OFFICE).await;
    let id_of = |cidr: &str| l.ranges.iter().find(|r| r.cidr == cidr).unwrap().id.clone();
    let (status, e) = error_of(call_from(&app, &mut admin, OFFICE, "remove_allowed_range", &[("org", "acme"), ("id", &id_of("198.51.100.0/24"))]).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(e.message.contains("shut you out"), "{}", e.message);
    let res = call_from(&app, &mut admin, OFFICE, "remove_allowed_range", &[("org", "acme"), ("id", &id_of("203.0.113.0/24"))]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (status, _) = error_of(call_from(&app, &mut admin, OFFICE, "remove_allowed_range", &[("org", "acme"), ("id", &id_of("203.0.113.0/24"))]).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "removed already");
    assert_eq!(page_from(&app, &Session::default(), OUTSIDE, "/acme/login").await.status(), StatusCode::FORBIDDEN);

    let out = app.cli(&["admin", "clear-allowlist", "--org", "acme"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Removed 1 range"), "{}", String::from_utf8_lossy(&out.stdout));
    // Another process changed it: this instance reads the list again within `CACHE_TTL`.
    tokio::time::sleep(app::service::allowlist::CACHE_TTL + std::time::Duration::from_millis(100)).await;
    assert_eq!(page_from(&app, &Session::default(), OUTSIDE, "/acme/login").await.status(), StatusCode::OK);
    let out = app.cli(&["admin", "clear-allowlist", "--org", "acme"]).await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("Nothing changed"));
    let audit = app.audit_actions().await;
    assert!(audit.iter().any(|a| a.0 == "ip_allowlist.removed" && a.1 == "203.0.113.0/24"));
    assert_eq!(audit.iter().filter(|a| a.0 == "ip_allowlist.cleared").count(), 2);
}

#[tokio::test]
async fn only_administrators_see_or_change_the_list() {
    let app = behind_a_proxy().await;
    app.add_user("creator@acme.example", PW, BuiltIn::Creator).await;
    let mut creator = sign_in_from(&app, OFFICE, "creator@acme.example", PW).await;
    for (endpoint, form) in [
        ("ip_allowlist", vec![("org", "acme")]),
        ("add_allowed_ranges", vec![("org", "acme"), ("ranges", "0.0.0.0/0"), ("scope", "both")]),
        ("remove_allowed_range", vec![("org", "acme"), ("id", "x")]),
    ] {
        let res = call_from(&app, &mut creator, OFFICE, endpoint, &form).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{endpoint}");
    }
    let res = call_from(&app, &mut Session::default(), OFFICE, "add_allowed_ranges", &[("org", "acme"), ("ranges", "0.0.0.0/0"), ("scope", "both")]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let mut admin = sign_in_from(&app, OFFICE, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(list(&app, &mut admin, OFFICE).await.ranges.is_empty());
}

/// Two admins, each removing the range the other connects from, at the same
/// moment: each change alone leaves its author in; both together would shut
/// both out. They take turns, and the second is refused.
#[tokio::test]
async fn two_admins_removing_each_others_range_at_once_cannot_shut_both_out() {
    let app = behind_a_proxy().await;
    app.add_user("second@acme.example", PW, BuiltIn::Admin).await;
    let other_office = "203.0.113.7";
    let mut a = sign_in_from(&app, OFFICE, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let mut b = sign_in_from(&app, other_office, "second@acme.example", PW).await;
    let _: RangesAdded = ok_json(add(&app, &mut a, OFFICE, "198.51.100.0/24\n203.0.113.0/24\n192.0.2.0/24", "app").await).await;
    let l = list(&app, &mut a, OFFICE).await;
    let id_of = |cidr: &str| l.ranges.iter().find(|r| r.cidr == cidr).unwrap().id.clone();
    let (ra, rb) = (id_of("203.0.113.0/24"), id_of("198.51.100.0/24"));
    let (form_a, form_b) = ([("org", "acme"), ("id", ra.as_str())], [("org", "acme"), ("id", rb.as_str())]);
    let fa = call_from(&app, &mut a, OFFICE, "remove_allowed_range", &form_a);
    let fb = call_from(&app, &mut b, other_office, "remove_allowed_range", &form_b);
    let (x, y) = tokio::join!(fa, fb);
    let statuses = [x.status(), y.status()];
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    // The second is refused either way: by the guard (409) when both were
    // let in before the first committed, or at the door (403) when the first
    // had already removed the second's range by the time it arrived.
    let refused = statuses.iter().filter(|s| matches!(**s, StatusCode::CONFLICT | StatusCode::FORBIDDEN)).count();
    assert_eq!(refused, 1, "{statuses:?}");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ip_allowlist").fetch_one(&app.db).await.unwrap();
    assert_eq!(left, 2, "one range removed, the other kept");
}
