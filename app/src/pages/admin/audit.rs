//! Administration > Audit log: newest first, filtered by action and person, paged on the server.
use crate::api::audit::load_audit_events;
use crate::components::frame::use_org;
use crate::components::url::query;
use crate::components::{plural, ErrorPanel};
use crate::domain::audit::{self, Piece, Sentence};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use std::time::Duration;

pub use crate::components::local::{short_time, time_view};

/// A sentence of the log: people by name, their email in the tooltip.
pub fn sentence_view(s: &Sentence) -> impl IntoView {
    s.pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => breakable(t).into_any(),
            Piece::Person { name, email } if name != email => view! { <span class="audit-person" title=email.clone()>{breakable(name)}</span> }.into_any(),
            Piece::Person { name, .. } => view! { <span class="audit-person">{breakable(name)}</span> }.into_any(),
        })
        .collect_view()
}

/// Text with places a long email, address or code may wrap (a `<wbr>`
/// between the pieces of `wrap_points`).
fn breakable(text: &str) -> impl IntoView {
    wrap_points(text).into_iter().enumerate().map(|(i, piece)| if i == 0 { piece.into_any() } else { view! { <wbr />{piece} }.into_any() }).collect_view()
}

/// `text` cut where a long email, address or code may wrap: before the dots
/// of an email and after its "@", after the slashes of a URL, after the
/// colons of a long code (a fingerprint, an IPv6 address). Words and names
/// keep whole; the cell breaks inside a word only when nothing else fits.
fn wrap_points(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut run = String::new();
    for word in text.split_inclusive(' ') {
        let end = word.trim_end().len();
        let email = word.contains('@');
        let url = word.contains("://");
        let code = !email && !url && end > 24;
        for (i, ch) in word.char_indices() {
            let inside = i > 0 && i + 1 < end;
            if inside && email && ch == '.' {
                pieces.push(std::mem::take(&mut run));
            }
            run.push(ch);
            let after = match ch {
                '@' => email,
                '/' => url && !word[i + 1..].starts_with('/'),
                ':' => code,
                _ => false,
            };
            if inside && after {
                pieces.push(std::mem::take(&mut run));
            }
        }
    }
    pieces.push(run);
    pieces
}

fn query_string(event: &str, person: &str, page: u32) -> String {
    let page = if page > 1 { page.to_string() } else { String::new() };
    query(&[("event", event.to_string()), ("person", person.to_string()), ("page", page)])
}

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let org = use_org();
    let query = use_query_map();
    let event = Memo::new(move |_| query.read().get("event").unwrap_or_default());
    let person = Memo::new(move |_| query.read().get("person").unwrap_or_default());
    let page = Memo::new(move |_| query.read().get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(1));
    let events = crate::components::data(move || (org.get(), event.get(), person.get(), page.get()), |(o, e, p, n)| load_audit_events(o, Some(e), Some(p), Some(n)));

    view! {
        <Title text="Audit log" />
        <div class="page-header">
            <h1>"Audit log"</h1>
            <p class="muted">"Sign-ins, sign-outs and every change to this organization, newest first."</p>
        </div>
        <AuditFilters initial_event=event.get_untracked() initial_person=person.get_untracked() />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(p) => {
                        let ev = event.get_untracked();
                        let pe = person.get_untracked();
                        let prev = (p.page > 1).then(|| query_string(&ev, &pe, p.page - 1));
                        let next = (p.page < p.page_count).then(|| query_string(&ev, &pe, p.page + 1));
                        let rows = p.events.iter().map(|e| {
                            let refused = e.action.ends_with("failed") || e.action.ends_with("denied");
                            view! {
                                <tr data-testid="audit-row" data-action=e.action.clone()>
                                    <td class="nowrap audit-time">{time_view(&e.at)}
                                        {e.last_at.clone().map(|last| view! { <span class="muted small repeat" data-testid="audit-repeat">" to " {time_view(&last)}</span> })}
                                    </td>
                                    <td class="audit-who">{breakable(&e.who)}
                                        {e.who_email.clone().map(|m| view! { <span class="muted small audit-email">{breakable(&m)}</span> })}
                                    </td>
                                    <td class="audit-what" class:audit-refused=refused>
                                        {sentence_view(&e.sentence)}
                                        {(e.repeat_count > 1).then(|| view! { <span class="muted small" title="Counted: the same refusal from the same address in a 15-minute window">{format!(" ×{}", e.repeat_count)}</span> })}
                                        {e.sentence.about.clone().map(|m| view! { <span class="muted small audit-email">{breakable(&m)}</span> })}
                                    </td>
                                    <td class="muted audit-ip">{breakable(&e.ip)}</td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <div class="card table-card" tabindex="0" role="region" aria-label="Audit events">
                                <table class="table audit-table" data-testid="audit-table">
                                    <thead><tr><th>"Time"</th><th>"Who"</th><th>"What happened"</th><th>"IP address"</th></tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                                {p.events.is_empty().then(|| view! { <p class="empty">"No events match these filters."</p> })}
                            </div>
                            <nav class="pager" aria-label="Pages">
                                <span class="muted">{format!("{} · page {} of {}", plural(p.total, "event", "events"), p.page, p.page_count)}</span>
                                {prev.map(|h| view! { <A href=h>"← Newer"</A> })}
                                {next.map(|h| view! { <A href=h>"Older →"</A> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Action and person, applied as you type (the person after a short pause);
/// the URL keeps them. "Filter" serves a browser that has not loaded the app.
#[component]
fn AuditFilters(initial_event: String, initial_person: String) -> impl IntoView {
    let navigate = use_navigate();
    let event = RwSignal::new(initial_event.clone());
    let person = RwSignal::new(initial_person.clone());
    let go = StoredValue::new(move || {
        navigate(&query_string(&event.get_untracked(), person.get_untracked().trim(), 1), NavigateOptions { replace: true, scroll: false, ..Default::default() });
    });
    let typing = StoredValue::new(0u64);
    view! {
        <Form method="GET" action="" attr:class="filters" attr:data-testid="audit-filters" attr:role="search">
            <label>"Action"
                <select name="event" on:change=move |ev| { event.set(event_target_value(&ev)); go.with_value(|g| g()); }>
                    <option value="">"All actions"</option>
                    {audit::ALL.iter().map(|a| view! { <option value=a.key selected=a.key == initial_event>{a.label}</option> }).collect_view()}
                </select>
            </label>
            <label>"Person"
                <input type="search" name="person" placeholder="Email or name" value=initial_person
                    on:input=move |ev| {
                        person.set(event_target_value(&ev));
                        let n = typing.get_value() + 1;
                        typing.set_value(n);
                        set_timeout(move || if typing.get_value() == n { go.with_value(|g| g()) }, Duration::from_millis(300));
                    } />
            </label>
            <button type="submit" class="btn btn-secondary until-ready">"Filter"</button>
        </Form>
    }
}

#[cfg(test)]
mod tests {
    use super::wrap_points;

    #[test]
    fn long_emails_and_addresses_wrap_between_their_parts_not_inside_words() {
        assert_eq!(wrap_points("riley.chen@acme.example"), ["riley", ".chen@", "acme", ".example"]);
        assert_eq!(wrap_points("Added Riley Chen to Marketing"), ["Added Riley Chen to Marketing"]);
        assert_eq!(wrap_points("to https://hooks.example.com/a/b"), ["to https://", "hooks.example.com/", "a/", "b"]);
        assert_eq!(wrap_points("SHA-256 16:0B:7A:B8:70:3F:AD:12:C8"), ["SHA-256 16:", "0B:", "7A:", "B8:", "70:", "3F:", "AD:", "12:", "C8"]);
        assert_eq!(wrap_points(""), [""]);
    }
}
