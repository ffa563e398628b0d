//! The messages Gatehouse sends, in plain text and HTML, in the product's words.
use super::Message;
use crate::service::store::Timestamp;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The HTML body: paragraphs, and a button for the link when there is one.
fn html(paragraphs: &[String], link: Option<(&str, &str)>, footer: &str) -> String {
    let mut out = String::from(
        "<!DOCTYPE html><html><body style=\"font-family: -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1d2330; line-height: 1.5;\">\
         <div style=\"max-width: 560px; margin: 0 auto; padding: 24px;\">",
    );
    for p in paragraphs {
        out.push_str(&format!("<p>{}</p>", escape(p)));
    }
    if let Some((label, href)) = link {
        out.push_str(&format!(
            "<p><a href=\"{0}\" style=\"display: inline-block; background: #3b5bdb; color: #ffffff; padding: 10px 18px; border-radius: 8px; text-decoration: none;\">{1}</a></p>\
             <p style=\"font-size: 13px; color: #5b6477;\">Or open this address: <br><a href=\"{0}\">{0}</a></p>",
            escape(href),
            escape(label)
        ));
    }
    out.push_str(&format!("<p style=\"font-size: 13px; color: #5b6477;\">{}</p></div></body></html>", escape(footer)));
    out
}

fn text(paragraphs: &[String], link: Option<(&str, &str)>, footer: &str) -> String {
    let mut out = paragraphs.join("\n\n");
    if let Some((label, href)) = link {
        out.push_str(&format!("\n\n{label}:\n{href}"));
    }
    out.push_str(&format!("\n\n-- \n{footer}\n"));
    out
}

fn message(kind: &'static str, to: &str, subject: String, paragraphs: Vec<String>, link: Option<(&str, &str)>, footer: String, send_before: Option<Timestamp>) -> Message {
    Message { kind, to: to.to_string(), text: text(&paragraphs, link, &footer), html: html(&paragraphs, link, &footer), subject, send_before }
}

fn footer(org_name: &str) -> String {
    format!("Sent by Gatehouse for {org_name}. If you did not expect this message, you can ignore it.")
}

/// An invitation: the link to choose a password.
pub fn invitation(org_name: &str, first_name: &str, to: &str, link: &str, expires_at: Timestamp) -> Message {
    message(
        "invitation",
        to,
        format!("You are invited to {org_name}"),
        vec![
            format!("Hello {first_name},"),
            format!("An administrator of {org_name} added you to Gatehouse. Choose your password to sign in."),
            format!("The link works once, until {} (UTC).", short_time(expires_at)),
        ],
        Some(("Choose your password", link)),
        footer(org_name),
        Some(expires_at),
    )
}

/// A password reset link, from an administrator or asked for on the sign-in page.
pub fn password_reset(org_name: &str, to: &str, link: &str, expires_at: Timestamp, by_admin: bool) -> Message {
    let why = if by_admin {
        format!("An administrator of {org_name} reset your password. Choose a new one to sign in again.")
    } else {
        format!("Someone asked to reset the password of {to} in {org_name}. If it was you, choose a new password; if not, ignore this message: your password stays as it is.")
    };
    message(
        "password_reset",
        to,
        format!("Reset your password for {org_name}"),
        vec![why, "The link works once, for one hour. Your authenticator app, if you set one up, is still asked for after the new password.".to_string()],
        Some(("Choose a new password", link)),
        footer(org_name),
        Some(expires_at),
    )
}

/// Someone signed in from a browser that had not signed in as this person before.
pub fn new_sign_in(org_name: &str, to: &str, at: Timestamp, ip: &str, method: &str, profile: &str) -> Message {
    message(
        "sign_in_notice",
        to,
        format!("New sign-in to {org_name}"),
        vec![
            format!("You signed in to {org_name} from a new browser on {} (UTC), from the address {ip} ({method}).", short_time(at)),
            "If this was you, there is nothing to do. If it was not, change your password now and tell your administrator.".to_string(),
        ],
        Some(("Change your password", profile)),
        footer(org_name),
        None,
    )
}

/// The code of a sign-in's second step.
pub fn sign_in_code(org_name: &str, to: &str, code: &str, minutes: i64, until: Timestamp) -> Message {
    message(
        "sign_in_code",
        to,
        format!("Your sign-in code for {org_name}: {code}"),
        vec![
            format!("Your code to finish signing in to {org_name} is {code}"),
            format!("Enter it on the sign-in page within {minutes} minutes. It works once; a new code replaces it."),
            "If you did not just sign in, someone knows your password: change it now and tell your administrator.".to_string(),
        ],
        None,
        footer(org_name),
        Some(until),
    )
}

/// A person's password was changed (on Profile, or through a reset link).
pub fn password_changed(org_name: &str, to: &str, at: Timestamp, ip: &str, how: &str, sign_in: &str) -> Message {
    message(
        "password_changed",
        to,
        format!("Your password for {org_name} was changed"),
        vec![
            format!("The password of {to} in {org_name} was changed {how} on {} (UTC), from the address {ip}. Every other session of yours has ended.", short_time(at)),
            "If this was you, there is nothing to do. If it was not, reset your password from the sign-in page now and tell your administrator.".to_string(),
        ],
        Some(("Go to the sign-in page", sign_in)),
        footer(org_name),
        None,
    )
}

/// The Account page's test mail.
pub fn test(org_name: &str, to: &str, base_url: &str) -> Message {
    message(
        "test",
        to,
        format!("Test mail from Gatehouse for {org_name}"),
        vec![
            format!("This is the test mail you sent from Administration > Account in {org_name}."),
            format!("Mail from {base_url} reaches you: invitations, password reset links and sign-in notices will too."),
        ],
        None,
        footer(org_name),
        None,
    )
}

fn short_time(t: Timestamp) -> String {
    let s = t.to_string();
    // 2026-12-06T10:42:05.123456Z → 2026-12-06 10:42
    s.get(..16).map(|d| d.replace('T', " ")).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_bodies_escape_what_people_typed() {
        let m = invitation("Acme <script>", "Pat & Co", "pat@acme.example", "https://g.example/acme/invite/t", Timestamp::now());
        assert!(m.html.contains("Acme &lt;script&gt;") && m.html.contains("Pat &amp; Co"));
        assert!(!m.html.contains("<script>"));
        assert!(m.text.contains("Acme <script>") && m.text.contains("https://g.example/acme/invite/t"));
    }
}
