use crate::error::{AppError, ErrorKind};
use leptos::prelude::*;

/// The one design for a page that cannot be shown (401, 403, 404, 500): the
/// status, what happened, what to do, and a way out. The server renders the
/// same card on its own for visits it refuses before the app runs.
#[component]
pub fn ErrorCard(
    status: u16,
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    #[prop(into)] action_href: String,
    #[prop(into)] action_label: String,
) -> impl IntoView {
    view! {
        <section class="card error-card" data-testid="error-panel" data-status=status.to_string()>
            <p class="error-code" aria-hidden="true">{status.to_string()}</p>
            <h1>{title}</h1>
            <p class="error-message">{message}</p>
            <a class="btn btn-primary" href=action_href rel="external">{action_label}</a>
        </section>
    }
}

/// A whole page with only the error card, for visits outside any frame.
#[component]
pub fn ErrorPage(
    status: u16,
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    #[prop(into)] action_href: String,
    #[prop(into)] action_label: String,
) -> impl IntoView {
    view! {
        <main class="centered error-page">
            <ErrorCard status title message action_href action_label />
        </main>
    }
}

/// The status, title and way out for an error, given the organization in the URL (if any).
pub fn describe(kind: ErrorKind, org: Option<&str>) -> (u16, &'static str, String, &'static str) {
    let home = org.map(|o| format!("/{o}")).unwrap_or_else(|| "/".into());
    match kind {
        ErrorKind::Unauthenticated => (401, "Sign in to continue", org.map(|o| format!("/{o}/login")).unwrap_or(home), "Sign in"),
        ErrorKind::Forbidden => (403, "You do not have access to this page", home, "Go to your home page"),
        ErrorKind::NotFound => (404, "There is nothing here", home, if org.is_some() { "Go to your home page" } else { "Go to Gatehouse" }),
        _ => (500, "Something went wrong", home, "Go to your home page"),
    }
}

/// A server function's error where a screen should have been.
#[component]
pub fn ErrorPanel(error: AppError, #[prop(optional, into)] org: Option<String>) -> impl IntoView {
    let (status, title, href, label) = describe(error.kind, org.as_deref());
    view! { <ErrorCard status title message=error.message action_href=href action_label=label /> }
}

/// The message under a form field, when the last submission was refused because of it.
#[component]
pub fn FieldError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })
}

/// The message at the top of a form for errors that belong to no one field.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>, #[prop(optional)] fields: &'static [&'static str]) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| e.field.as_deref().is_none_or(|f| !fields.contains(&f)))
            .map(|e| view! { <div class="alert alert-error" role="alert" data-testid="form-error">{e.message}</div> })
    }
}

/// The same card as a complete HTML document, for the server to answer with
/// before any page renders (a refused Administration visit, an unknown
/// organization). It needs no script: its one link works without the app.
#[cfg(feature = "ssr")]
pub fn standalone_document(status: u16, title: &str, message: &str, action_href: &str, action_label: &str) -> String {
    let (title, message, href, label) = (title.to_string(), message.to_string(), action_href.to_string(), action_label.to_string());
    let page_title = title.clone();
    let body = Owner::new().with(move || view! { <ErrorPage status title message action_href=href action_label=label /> }.to_html());
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <title>{} · Gatehouse</title><link rel=\"stylesheet\" href=\"/pkg/gatehouse.css\"/></head>\
         <body data-hydrated=\"true\">{body}</body></html>",
        escape(&page_title)
    )
}
