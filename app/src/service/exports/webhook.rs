//! Export to webhook: POST the rows as JSON to a destination an admin allowed.
//!
//! Where a destination leads is checked when an admin allows it and again
//! before every post, since a host name's DNS answer can change in between.
//! Gatehouse posts to public addresses only, unless the operator allows
//! destinations inside the network (`--webhook-allow-private`); it never posts
//! to the cloud metadata address, multicast, broadcast or unspecified
//! addresses. The post connects only to the addresses that were checked (no
//! second DNS answer), through no proxy, and follows no redirect. What went
//! wrong is told in plain words; the HTTP client's own error goes to the
//! server log only.
use crate::error::AppError;
use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// How long connecting to a destination may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole post may take, rows included.
pub const POST_TIMEOUT: Duration = Duration::from_secs(60);
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Where an address leads, for deciding whether to post there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    Public,
    /// Loopback, private, link-local, shared (carrier-grade NAT): inside the
    /// network. Allowed only with `--webhook-allow-private`.
    Internal(&'static str),
    /// Never a webhook destination.
    Never(&'static str),
}

/// Classifies `ip`; the text names the kind of address for messages.
pub fn reach(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(a) => reach_v4(a),
        IpAddr::V6(a) => reach_v6(a),
    }
}

fn reach_v4(a: Ipv4Addr) -> Reach {
    let [o1, o2, o3, o4] = a.octets();
    match (o1, o2, o3, o4) {
        (169, 254, 169, 254) | (100, 100, 100, 200) => Reach::Never("the cloud metadata address"),
        (0, ..) => Reach::Never("the unspecified address"),
        (127, ..) => Reach::Internal("a loopback address (this server itself)"),
        (10, ..) | (172, 16..=31, ..) | (192, 168, ..) => Reach::Internal("a private address"),
        (169, 254, ..) => Reach::Internal("a link-local address"),
        (100, 64..=127, ..) => Reach::Internal("a shared address (carrier-grade NAT)"),
        (224..=239, ..) => Reach::Never("a multicast address"),
        (255, 255, 255, 255) => Reach::Never("the broadcast address"),
        (192, 0, 2, _) | (198, 51, 100, _) | (203, 0, 113, _) => Reach::Never("a documentation address"),
        (192, 0, 0, _) | (192, 88, 99, _) | (198, 18..=19, ..) | (240..=255, ..) => Reach::Never("a reserved address"),
        _ => Reach::Public,
    }
}

fn reach_v6(a: Ipv6Addr) -> Reach {
    let s = a.segments();
    // Addresses that carry an IPv4 address lead where that address leads:
    // mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96), 6to4 (2002::/16).
    if let Some(v4) = a.to_ipv4_mapped() {
        return reach_v4(v4);
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return reach_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
    }
    if s[0] == 0x2002 {
        return match reach_v4(Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8)) {
            Reach::Public => Reach::Public,
            _ => Reach::Never("a 6to4 address of a non-public IPv4 address"),
        };
    }
    if a == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
        return Reach::Never("the cloud metadata address");
    }
    match s[0] {
        _ if a.is_unspecified() => Reach::Never("the unspecified address"),
        _ if a.is_loopback() => Reach::Internal("a loopback address (this server itself)"),
        0xfc00..=0xfdff => Reach::Internal("a private address (unique local)"),
        0xfe80..=0xfebf => Reach::Internal("a link-local address"),
        0xfec0..=0xfeff => Reach::Internal("a site-local address"),
        0xff00..=0xffff => Reach::Never("a multicast address"),
        0x2001 if s[1] == 0x0db8 => Reach::Never("a documentation address"),
        // Teredo tunnels, and the rest of ::/8 (IPv4-compatible, discard-only).
        0x2001 if s[1] == 0 => Reach::Never("a reserved address"),
        0x0000..=0x00ff | 0x0100 => Reach::Never("a reserved address"),
        _ => Reach::Public,
    }
}

/// Why a destination was not posted to (or not allowed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The URL itself is not acceptable (scheme, credentials, length).
    BadUrl(String),
    /// The host name has no address now.
    Unresolved(String),
    /// The host leads to an address Gatehouse does not post to.
    NotAllowed {
        host: String,
        ip: IpAddr,
        kind: &'static str,
        internal: bool,
    },
    /// Plain http to a public address.
    NeedsHttps,
    /// No answer within this long.
    NoAnswer(Duration),
    Refused,
    /// Connecting failed another way (unreachable, TLS).
    CouldNotConnect,
    /// The connection broke before an answer came.
    Broken,
}

impl Failure {
    /// What a person exporting reads: what happened, without this server's
    /// view of the network.
    pub fn message(&self) -> String {
        match self {
            Failure::BadUrl(m) => m.clone(),
            Failure::Unresolved(host) => format!("the destination's host name {host} could not be resolved"),
            Failure::NotAllowed { .. } | Failure::NeedsHttps => "the destination leads to an address Gatehouse does not post to; ask an administrator to check it (Administration > Account)".into(),
            Failure::NoAnswer(d) => format!("the destination did not answer within {} s", d.as_secs()),
            Failure::Refused => "the destination refused the connection".into(),
            Failure::CouldNotConnect => "could not connect to the destination (unreachable, or its TLS certificate was not accepted)".into(),
            Failure::Broken => "the destination closed the connection before answering".into(),
        }
    }

    /// What the admin who allows a destination reads: what is wrong with it
    /// and what to do.
    pub fn for_admin(&self) -> String {
        match self {
            Failure::NotAllowed { host, ip, kind, internal: true } => format!(
                "{host} leads to {ip}, {kind}. Gatehouse posts only to public addresses, unless the server is started with --webhook-allow-private (GATEHOUSE_WEBHOOK_ALLOW_PRIVATE=true) for receivers inside your network."
            ),
            Failure::NotAllowed { host, ip, kind, internal: false } => {
                format!("{host} leads to {ip}, {kind}, which is never a webhook destination. Use the receiver's own address.")
            }
            Failure::NeedsHttps => {
                "Use https. Plain http is allowed only for receivers inside your network, when the server is started with --webhook-allow-private.".into()
            }
            Failure::Unresolved(host) => format!("The host name {host} could not be resolved. Check the URL."),
            other => capitalized(&other.message()),
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// A destination whose addresses were checked: post to it with `post`.
#[derive(Debug)]
pub struct Checked {
    url: Url,
    /// The host name, when the URL has one (an IP address needs no resolving).
    name: Option<String>,
    addrs: Vec<SocketAddr>,
}

/// The URL's shape: https (http only for addresses inside the network,
/// checked by `check`), no credentials, not too long.
fn parse(raw: &str) -> Result<Url, Failure> {
    let raw = raw.trim();
    let bad = |m: &str| Failure::BadUrl(m.to_string());
    if raw.len() > 2000 {
        return Err(bad("The URL is too long."));
    }
    let url = Url::parse(raw).map_err(|_| bad("Enter a full URL, such as https://hooks.example.com/gatehouse."))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("Leave credentials out of the URL; the receiver should authenticate by its own URL path or token."));
    }
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(bad("Use an https URL."));
    }
    Ok(url)
}

/// Resolves the destination's host now and checks every address it leads to.
/// `allow_private` is the operator's `--webhook-allow-private`.
pub async fn check(raw: &str, allow_private: bool) -> Result<Checked, Failure> {
    let url = parse(raw)?;
    let http = url.scheme() == "http";
    if http && !allow_private {
        return Err(Failure::NeedsHttps);
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let host = url.host_str().unwrap_or_default().to_string();
    // The URL parser has already turned every IPv4 spelling into dotted form.
    let literal = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok();
    let (name, addrs) = match literal {
        Some(ip) => (None, vec![SocketAddr::new(ip, port)]),
        None => {
            let found = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host.as_str(), port))).await;
            let mut addrs: Vec<SocketAddr> = match found {
                Ok(Ok(a)) => a.collect(),
                Ok(Err(e)) => {
                    tracing::warn!(host = %host, error = %e, "webhook destination: the host name does not resolve");
                    Vec::new()
                }
                Err(_) => {
                    tracing::warn!(host = %host, "webhook destination: resolving the host name timed out");
                    Vec::new()
                }
            };
            addrs.sort();
            addrs.dedup();
            if addrs.is_empty() {
                return Err(Failure::Unresolved(host.clone()));
            }
            (Some(host.clone()), addrs)
        }
    };
    let mut all_internal = true;
    for a in &addrs {
        match reach(a.ip()) {
            Reach::Public => all_internal = false,
            Reach::Internal(_) if allow_private => {}
            Reach::Internal(kind) => return Err(Failure::NotAllowed { host, ip: a.ip(), kind, internal: true }),
            Reach::Never(kind) => return Err(Failure::NotAllowed { host, ip: a.ip(), kind, internal: false }),
        }
    }
    // Plain http crosses no public network only when every address is inside it.
    if http && !all_internal {
        return Err(Failure::NeedsHttps);
    }
    Ok(Checked { url, name, addrs })
}

/// Checks a URL an admin wants to allow; the URL as it will be stored.
pub async fn check_destination(raw: &str, allow_private: bool) -> Result<String, AppError> {
    match check(raw, allow_private).await {
        Ok(c) => Ok(c.url.to_string()),
        Err(f) => Err(AppError::invalid("url", f.for_admin())),
    }
}

/// Refuses every name: the client connects only to the addresses `check`
/// approved (given as overrides), never to a second DNS answer.
struct NoLookups;

impl reqwest::dns::Resolve for NoLookups {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let name = name.as_str().to_string();
        Box::pin(async move { Err(format!("{name} was not checked as a webhook destination").into()) })
    }
}

/// Posts `body` to the checked destination; the HTTP status it answered.
pub async fn post(dest: &Checked, body: reqwest::Body) -> Result<u16, Failure> {
    let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().dns_resolver(Arc::new(NoLookups)).connect_timeout(CONNECT_TIMEOUT).timeout(POST_TIMEOUT);
    if let Some(name) = &dest.name {
        builder = builder.resolve_to_addrs(name, &dest.addrs);
    }
    let client = builder.build().map_err(|e| {
        tracing::error!(error = ?e, "webhook: building the HTTP client");
        Failure::CouldNotConnect
    })?;
    let res = client.post(dest.url.clone()).header("content-type", "application/json").body(body).send().await;
    match res {
        Ok(r) => Ok(r.status().as_u16()),
        Err(e) => {
            tracing::warn!(url = %crate::service::webhooks::redact(dest.url.as_str()), addrs = ?dest.addrs, error = ?e, "webhook export: the post failed");
            Err(failure_of(&e))
        }
    }
}

/// The plain-words reason of a failed post.
fn failure_of(e: &reqwest::Error) -> Failure {
    if e.is_timeout() {
        return Failure::NoAnswer(if e.is_connect() { CONNECT_TIMEOUT } else { POST_TIMEOUT });
    }
    if e.is_connect() {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(s) = source {
            if s.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused) {
                return Failure::Refused;
            }
            source = s.source();
        }
        return Failure::CouldNotConnect;
    }
    Failure::Broken
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(ip: &str) -> Reach {
        reach(ip.parse().unwrap())
    }

    #[test]
    fn public_internal_and_never_addresses() {
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1", "100.128.0.1", "2002:5db8:d822::1"] {
            assert_eq!(kind(ip), Reach::Public, "{ip}");
        }
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.1.1",
            "100.64.0.1",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(matches!(kind(ip), Reach::Internal(_)), "{ip}: {:?}", kind(ip));
        }
        for ip in [
            "169.254.169.254",
            "100.100.100.200",
            "fd00:ec2::254",
            "::ffff:169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "::",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "ff02::1",
            "240.0.0.1",
            "192.0.2.1",
            "2001:db8::1",
            "::127.0.0.1",
            "2002:7f00:1::1",
            "2001:0:4136:e378::1",
        ] {
            assert!(matches!(kind(ip), Reach::Never(_)), "{ip}: {:?}", kind(ip));
        }
    }

    #[test]
    fn url_shape() {
        assert!(parse("https://hooks.example.com/x").is_ok());
        assert!(parse("http://127.0.0.1:9000/in").is_ok());
        assert!(parse("ftp://x.example").is_err());
        assert!(parse("https://user:pw@x.example").is_err());
        assert!(parse("not a url").is_err());
        assert!(parse(&format!("https://x.example/{}", "a".repeat(2000))).is_err());
    }

    #[tokio::test]
    async fn addresses_are_checked_without_the_network() {
        // Literal addresses and "localhost" need no DNS server.
        let refused = |r: Result<Checked, Failure>| match r {
            Err(f @ Failure::NotAllowed { .. }) => f,
            other => panic!("{other:?}"),
        };
        assert!(matches!(refused(check("https://127.0.0.1/x", false).await), Failure::NotAllowed { internal: true, .. }));
        assert!(matches!(refused(check("https://localhost:8443/x", false).await), Failure::NotAllowed { internal: true, .. }));
        assert!(matches!(refused(check("https://2130706433/x", false).await), Failure::NotAllowed { internal: true, .. }), "127.0.0.1 as a number");
        assert!(matches!(refused(check("https://[::ffff:7f00:1]/x", false).await), Failure::NotAllowed { internal: true, .. }));
        assert!(matches!(refused(check("https://169.254.169.254/latest", true).await), Failure::NotAllowed { internal: false, .. }), "metadata even when private is allowed");
        assert!(check("https://127.0.0.1/x", true).await.is_ok());
        assert!(check("http://127.0.0.1/x", true).await.is_ok());
        assert_eq!(check("http://127.0.0.1/x", false).await.unwrap_err(), Failure::NeedsHttps);
        assert_eq!(check("http://93.184.216.34/x", true).await.unwrap_err(), Failure::NeedsHttps);
        assert!(check("https://93.184.216.34/x", false).await.is_ok());
    }

    #[tokio::test]
    async fn a_post_connects_only_to_the_checked_addresses() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n").await;
            }
        });
        // A name no DNS server knows, checked as leading to the listener: the
        // post goes there without asking DNS.
        let url: Url = format!("http://receiver.gatehouse.invalid:{}/hook", addr.port()).parse().unwrap();
        let pinned = Checked { url: url.clone(), name: Some("receiver.gatehouse.invalid".into()), addrs: vec![addr] };
        assert_eq!(post(&pinned, reqwest::Body::from("{}")).await, Ok(204));
        // A name that was not checked is never looked up.
        let unchecked = Checked { url, name: None, addrs: vec![] };
        assert_eq!(post(&unchecked, reqwest::Body::from("{}")).await, Err(Failure::CouldNotConnect));
    }
}
