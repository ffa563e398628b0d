//! Administration > Provisioning activity (`/{org}/admin/provisioning-activity`):
//! every SCIM request of the identity provider, newest first — what it asked,
//! what it did, what it changed (before and after) or why it was refused —
//! filtered by outcome, token, person or team and time. `?resource=<id>` shows
//! one person's or team's history.
use crate::api::activity::{load_provisioning_activity, SetProvisioningRetention};
use crate::components::frame::use_org;
use crate::components::local::time_view;
use crate::components::table::{use_table_state, Col, DataTable, FilterSelect, Pager, TableControls};
use crate::components::{ErrorPanel, FieldError};
use crate::domain::activity::{ProvisioningEntryView, ProvisioningOutcome, ProvisioningQuery};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ProvisioningActivityPage() -> impl IntoView {
    let org = use_org();
    let q = use_query_map();
    let table = use_table_state("-at");
    let param = move |k: &'static str| Memo::new(move |_| q.read().get(k).unwrap_or_default());
    let (outcome, token, since, resource) = (param("outcome"), param("token"), param("since"), param("resource"));
    let retention = ServerAction::<SetProvisioningRetention>::new();
    let refused = crate::components::toast::report(retention, "Provisioning activity retention saved", &["provisioning_activity_days"]);
    let retention_error = Signal::derive(move || refused.get().and_then(|e| e.for_field("provisioning_activity_days")));
    let retention_saved = crate::components::toast::successes(retention);
    let entries = crate::components::data(
        move || (org.get(), table.get(), outcome.get(), token.get(), since.get(), resource.get(), retention_saved.get()),
        |(o, t, outcome, token, since, resource_id, _)| load_provisioning_activity(o, ProvisioningQuery { search: t.search, outcome, token, since, resource_id, page: t.page, size: t.size }),
    );
    view! {
        <Title text="Provisioning activity" />
        <div class="page-header">
            <A href=move || format!("/{}/admin/authentication", org.get()) attr:class="back-link">"← Authentication"</A>
            <h1>"Provisioning activity"</h1>
            <p class="muted">"Every request of your identity provider's SCIM provisioning, newest first: what it changed, or why it was refused. Passwords and tokens are never kept."</p>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(p) => {
                        let outcomes = std::iter::once((String::new(), "All outcomes".to_string()))
                            .chain(ProvisioningOutcome::ALL.into_iter().map(|o| (o.key().to_string(), o.label().to_string())))
                            .collect::<Vec<_>>();
                        let tokens = std::iter::once((String::new(), "All tokens".to_string())).chain(p.tokens.iter().map(|t| (t.clone(), t.clone()))).collect::<Vec<_>>();
                        let times = [("", "All kept"), ("1h", "Last hour"), ("24h", "Last 24 hours"), ("7d", "Last 7 days"), ("30d", "Last 30 days")]
                            .into_iter()
                            .map(|(v, l)| (v.to_string(), l.to_string()))
                            .collect::<Vec<_>>();
                        let columns = vec![Col::plain("Time"), Col::plain("Request"), Col::plain("Outcome"), Col::plain("Person or team"), Col::plain("What changed, or why refused")];
                        let empty = p.entries.is_empty().then_some("No provisioning requests match. Requests appear here once your identity provider provisions through SCIM.");
                        let one = (!resource.get_untracked().is_empty()).then(|| view! {
                            <p class="alert alert-info" data-testid="provisioning-history-of">
                                "The history of one person or team. "
                                <A href=move || format!("/{}/admin/provisioning-activity", org.get())>"Show every request"</A>
                            </p>
                        });
                        view! {
                            {one}
                            <TableControls state=table placeholder="Person or team" testid="provisioning-activity-filters">
                                <FilterSelect name="outcome" label="Outcome" options=outcomes selected=outcome.get_untracked() />
                                <FilterSelect name="token" label="Token" options=tokens selected=token.get_untracked() />
                                <FilterSelect name="since" label="Time" options=times selected=since.get_untracked() />
                            </TableControls>
                            <p class="with-actions">
                                <a class="btn btn-secondary btn-small" rel="external" download="provisioning-activity.csv" data-testid="provisioning-csv"
                                    href=move || format!("/{}/admin/provisioning-activity.csv{}", org.get(), q.with(|q| crate::components::table::link_with(q, &[])))>"Download CSV"</a>
                            </p>
                            <DataTable label="Provisioning requests" testid="provisioning-activity-table" columns state=table empty>
                                {p.entries.into_iter().map(|e| view! { <EntryRow e=e /> }).collect_view()}
                            </DataTable>
                            <Pager total=p.total page=p.page page_count=p.page_count one="request" many="requests" testid="provisioning-activity-count" />
                            <ActionForm action=retention attr:class="form inline-edit" attr:data-testid="provisioning-retention-form">
                                <input type="hidden" name="org" value=org.get_untracked() />
                                <label for="provisioning-retention">"Keep provisioning activity for (days)"</label>
                                <div class="row-inline">
                                    <input id="provisioning-retention" name="days" type="number" min="1" max="365" inputmode="numeric"
                                        value=p.retention_days.to_string() aria-describedby="provisioning-retention-help" />
                                    <button type="submit" class="btn btn-secondary" disabled=move || retention.pending().get()>"Save"</button>
                                </div>
                                <p id="provisioning-retention-help" class="muted small" data-testid="provisioning-retention">
                                    {format!("Kept {} days, at most 100,000 requests; older ones are deleted every ten minutes.", p.retention_days)}
                                </p>
                                <FieldError message=retention_error />
                            </ActionForm>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn EntryRow(e: ProvisioningEntryView) -> impl IntoView {
    let org = use_org();
    let refused = e.outcome == ProvisioningOutcome::Refused;
    let target = match (e.resource_kind.as_str(), e.resource_id.is_empty()) {
        (_, true) => view! { <span class="muted">{if e.resource_label.is_empty() { "—".to_string() } else { e.resource_label.clone() }}</span> }.into_any(),
        (kind, false) => {
            let page = if kind == "team" { "teams" } else { "users" };
            let (id, label) = (e.resource_id.clone(), if e.resource_label.is_empty() { e.resource_id.clone() } else { e.resource_label.clone() });
            let history = e.resource_id.clone();
            view! {
                <A href=move || format!("/{}/admin/{page}/{id}", org.get())>{label}</A>
                <A href=move || format!("/{}/admin/provisioning-activity?resource={history}", org.get()) attr:class="muted small block" attr:data-testid="provisioning-history-link">"History"</A>
            }
            .into_any()
        }
    };
    let changes = e.changes.clone();
    let body = e.request_body.clone();
    view! {
        <tr data-testid="provisioning-entry" data-outcome=e.outcome.key()>
            <td data-label="Time" class="nowrap">{time_view(&e.at)}<span class="muted small block" data-testid="provisioning-latency">{format!("{:.0} ms", e.latency_ms)}</span></td>
            <td data-label="Request">
                <code class="small" data-testid="provisioning-request">{format!("{} {}", e.method, e.path)}</code>
                // The request id in a fixed-width font: it matches the access log's, and every one takes the same room.
                <span class="muted small block" data-testid="provisioning-meta">{format!("{} · token {} · request ", e.status, e.token_name)}<code class="small">{e.request_id.clone()}</code></span>
            </td>
            <td data-label="Outcome"><span class=if refused { "badge badge-inactive" } else { "badge badge-active" } data-testid="provisioning-outcome">{e.outcome.label()}</span></td>
            <td data-label="Person or team">{target}</td>
            <td data-label="What changed, or why refused" class="detail">
                {refused.then(|| view! { <p data-testid="provisioning-refusal"><code class="small">{e.error_type.clone()}</code>" "{e.message.clone()}</p> })}
                {(!changes.is_empty()).then(|| view! {
                    <ul class="plain changes" data-testid="provisioning-changes">
                        {changes.into_iter().map(|c| view! {
                            <li><strong>{c.field}</strong>": "
                                <span class="before">{if c.before.is_empty() { "—".to_string() } else { c.before }}</span>
                                " → "
                                <span class="after">{if c.after.is_empty() { "—".to_string() } else { c.after }}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                {(!body.is_empty()).then(|| view! {
                    <details><summary>"Request body (redacted)"</summary><pre class="xml" tabindex="0" data-testid="provisioning-body">{body}</pre></details>
                })}
            </td>
        </tr>
    }
}
