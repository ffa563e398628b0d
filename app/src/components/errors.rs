use crate::error::{AppError, ErrorKind};
use leptos::prelude::*;

/// The one design for a page that cannot be shown (401, 403, 404, 500): the
/// status, what happened, what to do, and a way out. The server renders the
/// same card on its own for visits it refuses before the app runs.
#[component]
pub fn ErrorCard(status: u16, #[prop(into)] title: String, #[prop(into)] message: String, #[prop(into)] action_href: String, #[prop(into)] action_label: String) -> impl IntoView {
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
pub fn ErrorPage(status: u16, #[prop(into)] title: String, #[prop(into)] message: String, #[prop(into)] action_href: String, #[prop(into)] action_label: String) -> impl IntoView {
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
///
/// The message is tied to its field: the form control just before it (or the
/// last one inside the element just before it) gets `aria-invalid` and
/// `aria-describedby` naming the message, so a screen reader reads them
/// together; and after a submission, the first invalid field of the page is
/// scrolled to and focused, so the person sees what to fix even when it is
/// far up the page.
#[component]
pub fn FieldError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    let node: NodeRef<leptos::html::P> = NodeRef::new();
    #[cfg(feature = "hydrate")]
    {
        let id = format!("field-error-{}", NEXT_ERROR.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let tied: StoredValue<Option<web_sys::Element>, LocalStorage> = StoredValue::new_local(None);
        Effect::new(move |_| {
            let shown = message.get().is_some();
            if let Some(control) = tied.get_value() {
                untie(&control, &id);
                tied.set_value(None);
            }
            if !shown {
                return;
            }
            let Some(p) = node.get() else { return };
            p.set_id(&id);
            if let Some(control) = control_before(&p) {
                let described = control.get_attribute("aria-describedby").unwrap_or_default();
                let mut ids: Vec<&str> = described.split_whitespace().filter(|i| *i != id).collect();
                ids.push(&id);
                let _ = control.set_attribute("aria-describedby", &ids.join(" "));
                let _ = control.set_attribute("aria-invalid", "true");
                tied.set_value(Some(control));
                show_first_invalid();
            }
        });
        on_cleanup(move || {
            if let Some(control) = tied.try_get_value().flatten() {
                control.remove_attribute("aria-invalid").ok();
            }
        });
    }
    move || message.get().map(|m| view! { <p class="field-error" role="alert" node_ref=node>{m}</p> })
}

#[cfg(feature = "hydrate")]
static NEXT_ERROR: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cfg(feature = "hydrate")]
const CONTROL: &str = "input:not([type=hidden]), select, textarea";

/// The form control a message placed after it is about.
#[cfg(feature = "hydrate")]
fn control_before(p: &web_sys::Element) -> Option<web_sys::Element> {
    let mut at = p.previous_element_sibling();
    while let Some(el) = at {
        if el.matches(CONTROL).unwrap_or(false) {
            return Some(el);
        }
        if let Ok(list) = el.query_selector_all(CONTROL) {
            if list.length() > 0 {
                use wasm_bindgen::JsCast;
                return list.item(list.length() - 1).and_then(|n| n.dyn_into::<web_sys::Element>().ok());
            }
        }
        at = el.previous_element_sibling();
    }
    None
}

#[cfg(feature = "hydrate")]
fn untie(control: &web_sys::Element, id: &str) {
    let described = control.get_attribute("aria-describedby").unwrap_or_default();
    let rest: Vec<&str> = described.split_whitespace().filter(|i| *i != id).collect();
    if rest.is_empty() {
        control.remove_attribute("aria-describedby").ok();
    } else {
        let _ = control.set_attribute("aria-describedby", &rest.join(" "));
    }
    control.remove_attribute("aria-invalid").ok();
}

/// Once the messages of a refused submission are drawn: the first invalid
/// field of the page, scrolled into view and focused — unless the person is
/// typing in a field already (a message must not take focus from them).
#[cfg(feature = "hydrate")]
fn show_first_invalid() {
    set_timeout(
        || {
            use wasm_bindgen::JsCast;
            let doc = document();
            let typing = doc.active_element().is_some_and(|a| a.matches(CONTROL).unwrap_or(false));
            if typing {
                return;
            }
            if let Some(el) = doc.query_selector("[aria-invalid=true]").ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                el.scroll_into_view_with_bool(false);
                let _ = el.focus();
            }
        },
        std::time::Duration::from_millis(0),
    );
}

/// The message at the top of a form for errors that belong to no one field.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>, #[prop(optional)] fields: &'static [&'static str]) -> impl IntoView {
    move || {
        error.get().filter(|e| e.field.as_deref().is_none_or(|f| !fields.contains(&f))).map(|e| {
            // Brought into view, like a field's message: it may be far up a long form.
            let node: NodeRef<leptos::html::Div> = NodeRef::new();
            #[cfg(feature = "hydrate")]
            Effect::new(move |_| {
                if let Some(el) = node.get() {
                    el.scroll_into_view_with_bool(false);
                }
            });
            view! { <div class="alert alert-error" role="alert" data-testid="form-error" tabindex="-1" node_ref=node>{e.message}</div> }
        })
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
