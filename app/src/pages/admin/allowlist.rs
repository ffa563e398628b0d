//! Administration > Authentication > Allowed IP addresses: the ranges the
//! organization may be reached from (see `service::allowlist`).
use crate::api::allowlist::{load_allowlist, AddAllowedRanges, RemoveAllowedRange};
use crate::components::frame::use_org;
use crate::components::local::time_view;
use crate::components::toast::report;
use crate::components::{plural, ErrorPanel, FieldError};
use crate::domain::views::RangeScope;
use leptos::prelude::*;

#[component]
pub fn AllowlistSection() -> impl IntoView {
    let org = use_org();
    let add = ServerAction::<AddAllowedRanges>::new();
    let remove = ServerAction::<RemoveAllowedRange>::new();
    let error = report(add, "Ranges added", &["ranges"]);
    report(remove, "Range removed", &[]);
    let list = crate::components::data(move || (org.get(), add.version().get(), remove.version().get()), |(o, ..)| load_allowlist(o));
    let text = RwSignal::new(String::new());
    // The box empties once its ranges are on the list.
    Effect::new(move |_| {
        if add.value().with(|v| matches!(v, Some(Ok(_)))) {
            text.set(String::new());
        }
    });
    let skipped = move || {
        add.value().with(|v| match v {
            Some(Ok(r)) if !r.already.is_empty() => Some(format!("{} added; already on the list: {}.", plural(r.added as i64, "range", "ranges"), r.already.join(", "))),
            _ => None,
        })
    };
    view! {
        <section class="card" data-testid="ip-allowlist" aria-labelledby="allowlist-heading">
            <h2 id="allowlist-heading">"Allowed IP addresses"</h2>
            <p class="muted">"Restrict access by IP address: with ranges listed, Gatehouse answers only requests from them — for Gatehouse itself (pages, sign-in, exports), for the SCIM API your identity provider calls, or both. With none listed for one of them, it is reached from anywhere. You cannot save a list that leaves out your own address; an operator can clear the list with "<code>"gatehouse admin clear-allowlist"</code>"."</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                        Ok(v) => {
                            let you = v.your_address.clone();
                            let ranges = if v.ranges.is_empty() {
                                view! { <p class="muted" data-testid="allowlist-empty">"No ranges: Gatehouse and the SCIM API can be reached from any address."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-scroll">
                                        <table class="data-table allowlist-table" data-testid="allowlist-table">
                                            <thead><tr><th scope="col">"Range"</th><th scope="col">"Applies to"</th><th scope="col">"Note"</th><th scope="col">"Added"</th><th scope="col" class="actions"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                            <tbody>
                                                {v.ranges.into_iter().map(|r| {
                                                    let id = StoredValue::new(r.id.clone());
                                                    let label = format!("Remove {}", r.cidr);
                                                    view! {
                                                        <tr data-testid="allowlist-row">
                                                            <td><code>{r.cidr.clone()}</code></td>
                                                            <td>{r.scope.label()}</td>
                                                            <td>{r.note.clone()}</td>
                                                            <td>{time_view(&r.created_at)}</td>
                                                            <td class="actions"><button type="button" class="btn btn-secondary btn-small" aria-label=label on:click=move |_| { remove.dispatch(RemoveAllowedRange { org: org.get_untracked(), id: id.get_value() }); }>"Remove"</button></td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }.into_any()
                            };
                            view! {
                                {ranges}
                                <p class="muted" data-testid="your-address">"Your address, as Gatehouse sees it: " <code>{you}</code></p>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            <ActionForm action=add attr:class="form">
                <input type="hidden" name="org" prop:value=move || org.get() />
                <label for="allowlist-ranges">"Add addresses or ranges"</label>
                <p class="hint" id="allowlist-ranges-hint">"One per line, IPv4 or IPv6: 203.0.113.7, 203.0.113.0/24, 2001:db8::/32. Text after # is kept as a note."</p>
                <textarea id="allowlist-ranges" name="ranges" rows="4" aria-describedby="allowlist-ranges-hint" placeholder="203.0.113.0/24 # office" prop:value=move || text.get() on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    if add.value().with_untracked(|v| v.as_ref().is_some_and(|r| r.is_err())) { add.value().set(None); }
                }></textarea>
                <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("ranges"))) />
                <label for="allowlist-scope">"Applies to"</label>
                <select id="allowlist-scope" name="scope">
                    {RangeScope::ALL.into_iter().map(|s| view! { <option value=s.key()>{s.label()}</option> }).collect_view()}
                </select>
                <div class="row-inline">
                    <button type="submit" class="btn btn-secondary" disabled=move || add.pending().get()>"Add"</button>
                </div>
                {move || skipped().map(|s| view! { <p class="muted" role="status">{s}</p> })}
            </ActionForm>
        </section>
    }
}
