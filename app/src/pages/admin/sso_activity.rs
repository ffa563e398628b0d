//! Administration > SSO sign-in activity (`/{org}/admin/sso-activity`): the
//! last SSO sign-ins, each failure with its one reason and a hint naming the
//! setting to change and on which side; an attempt opens to the response as
//! the identity provider sent it (`?attempt=<id>`).
use crate::api::activity::{load_sso_activity, load_sso_attempt};
use crate::components::copy::CopyButton;
use crate::components::frame::use_org;
use crate::components::local::time_view;
use crate::components::table::{link_with, use_table_state, Col, DataTable, FilterSelect, Pager, TableControls};
use crate::components::ErrorPanel;
use crate::domain::activity::{DecodedResponse, SsoAttemptDetail, SsoAttemptView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SsoActivityPage() -> impl IntoView {
    let org = use_org();
    let q = use_query_map();
    let table = use_table_state("-at");
    let outcome = Memo::new(move |_| q.read().get("outcome").unwrap_or_default());
    let attempt = Memo::new(move |_| q.read().get("attempt").unwrap_or_default());
    let attempts = crate::components::data(move || (org.get(), outcome.get(), table.get()), |(o, out, t)| load_sso_activity(o, out, t.search, t.page, t.size));
    let detail = crate::components::data(
        move || (org.get(), attempt.get()),
        |(o, id)| async move {
            if id.is_empty() {
                Ok(None)
            } else {
                load_sso_attempt(o, id).await.map(Some)
            }
        },
    );
    view! {
        <Title text="SSO sign-in activity" />
        <div class="page-header">
            <A href=move || format!("/{}/admin/authentication", org.get()) attr:class="back-link">"← Authentication"</A>
            <h1>"SSO sign-in activity"</h1>
            <p class="muted">"The last sign-ins through your identity provider, newest first, and why each failed. Kept 30 days, at most 1,000."</p>
        </div>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(Some(d)) => attempt_detail(d).into_any(),
                    Ok(None) => ().into_any(),
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                }
            })}
        </Transition>
        {
            let options = [("", "All attempts"), ("failed", "Failed"), ("succeeded", "Signed in")].into_iter().map(|(v, l)| (v.to_string(), l.to_string())).collect::<Vec<_>>();
            view! {
                <TableControls state=table placeholder="Email" testid="sso-activity-filters">
                    <FilterSelect name="outcome" label="Outcome" options=options selected=outcome.get_untracked() />
                </TableControls>
            }
        }
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match attempts.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(p) => {
                        let columns = vec![Col::plain("Time"), Col::plain("Person"), Col::plain("Outcome"), Col::plain("Why, and what to do"), Col::actions()];
                        let empty = p.attempts.is_empty().then_some("No SSO sign-ins yet. Attempts appear here once single sign-on is set up.");
                        view! {
                            <DataTable label="SSO sign-in attempts" testid="sso-activity-table" columns state=table empty>
                                {p.attempts.into_iter().map(|a| view! { <AttemptRow a=a /> }).collect_view()}
                            </DataTable>
                            <Pager total=p.total page=p.page page_count=p.page_count one="attempt" many="attempts" testid="sso-activity-count" />
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn AttemptRow(a: SsoAttemptView) -> impl IntoView {
    let q = use_query_map();
    let id = a.id.clone();
    let open = move || q.with(|q| link_with(q, &[("attempt", id.clone()), ("page", q.get_str("page").unwrap_or("").to_string())]));
    let outcome = if a.succeeded { "Signed in" } else { "Failed" };
    view! {
        <tr data-testid="sso-attempt-row" data-outcome=if a.succeeded { "succeeded" } else { "failed" } data-reason=a.reason.map(|r| r.key())>
            <td data-label="Time" class="nowrap">{time_view(&a.at)}
                {a.last_at.clone().map(|last| view! { <span class="muted small repeat" data-testid="sso-attempt-repeat" title="The same failure from the same address in a 15-minute window">{format!(" ×{} to ", a.repeat_count)}{time_view(&last)}</span> })}
            </td>
            <td data-label="Person">{if a.email.is_empty() { "—".to_string() } else { a.email.clone() }}<span class="muted small block">{a.ip.clone()}</span></td>
            <td data-label="Outcome">
                <span class=if a.succeeded { "badge badge-active" } else { "badge badge-inactive" }>{outcome}</span>
            </td>
            <td data-label="Why, and what to do" class="detail">
                <strong data-testid="sso-attempt-reason">{a.reason_label.clone()}</strong>
                {a.side.map(|s| view! { <span class="muted small">" · "{s.label()}</span> })}
                {(!a.hint.is_empty()).then(|| view! { <p class="hint" data-testid="sso-attempt-hint">{a.hint.clone()}</p> })}
            </td>
            <td class="actions"><A href=open attr:class="btn btn-secondary btn-small" attr:data-testid="sso-attempt-open" scroll=false>"Details"</A></td>
        </tr>
    }
}

/// A labelled value of the decoded response, when it has one.
fn fact(label: &'static str, value: String, testid: &'static str) -> Option<impl IntoView> {
    (!value.is_empty()).then(|| view! { <dt>{label}</dt><dd data-testid=testid><code class="small">{value}</code></dd> })
}

fn decoded_view(d: DecodedResponse) -> impl IntoView {
    let window = match (d.not_before.is_empty(), d.not_on_or_after.is_empty()) {
        (true, true) => String::new(),
        _ => format!("{} to {}", d.not_before, d.not_on_or_after),
    };
    let name_id = if d.name_id_format.is_empty() { d.name_id.clone() } else { format!("{} ({})", d.name_id, d.name_id_format.rsplit(':').next().unwrap_or("")) };
    view! {
        <dl class="details" data-testid="sso-decoded">
            {fact("Issuer", d.issuer, "decoded-issuer")}
            {fact("NameID", name_id, "decoded-name-id")}
            {fact("Audience", d.audiences.join(", "), "decoded-audience")}
            {fact("Destination", d.destination, "decoded-destination")}
            {fact("Recipient", d.recipient, "decoded-recipient")}
            {fact("Valid", window, "decoded-window")}
            {fact("InResponseTo", d.in_response_to, "decoded-in-response-to")}
            {fact("Status", d.status, "decoded-status")}
            {fact("Signature's certificate (SHA-256)", d.certificate_fingerprint, "decoded-certificate")}
            {(!d.attributes.is_empty()).then(|| view! {
                <dt>"Attributes"</dt>
                <dd><ul class="plain">{d.attributes.into_iter().map(|(n, v)| view! { <li><code class="small">{n}</code>": "{v.join(", ")}</li> }).collect_view()}</ul></dd>
            })}
        </dl>
    }
}

fn attempt_detail(d: SsoAttemptDetail) -> impl IntoView {
    let a = d.attempt;
    let xml = d.xml.clone();
    let compare = (!a.expected.is_empty() || !a.received.is_empty()).then(|| {
        view! {
            <dl class="details" data-testid="sso-attempt-compare">
                <dt>"Expected"</dt><dd data-testid="sso-attempt-expected"><code class="small">{a.expected.clone()}</code></dd>
                <dt>"Received"</dt><dd data-testid="sso-attempt-received"><code class="small">{a.received.clone()}</code></dd>
            </dl>
        }
    });
    view! {
        <section class="card" data-testid="sso-attempt" aria-labelledby="sso-attempt-heading">
            <h2 id="sso-attempt-heading">{if a.succeeded { "Signed in".to_string() } else { format!("Failed: {}", a.reason_label) }}</h2>
            <p class="muted">{time_view(&a.at)}" · "{a.email.clone()}" · reference "<code>{a.reference.clone()}</code></p>
            {(!a.hint.is_empty()).then(|| view! { <div class="alert alert-info" data-testid="sso-attempt-detail-hint">{a.hint.clone()}</div> })}
            {compare}
            {(!a.message.is_empty()).then(|| view! { <p class="muted small" data-testid="sso-attempt-message">{a.message.clone()}</p> })}
            <h3>"The response"</h3>
            {match d.decoded {
                Some(decoded) => decoded_view(decoded).into_any(),
                None => view! { <p class="muted">"Nothing could be read from what was posted."</p> }.into_any(),
            }}
            {(!xml.is_empty()).then(|| view! {
                <div class="with-actions">
                    <h3>"XML"</h3>
                    <CopyButton text=xml.clone() what="The response's XML" />
                </div>
                <pre class="xml" tabindex="0" data-testid="sso-attempt-xml" aria-label="The response's XML">{xml.clone()}</pre>
            })}
        </section>
    }
}
