//! Administration > Account: the webhook destinations "Export to webhook" may post to.
use crate::api::webhooks::{load_webhook_destinations, AllowWebhook, RemoveWebhook};
use crate::components::frame::use_org;
use crate::components::toast::report;
use crate::components::{ErrorPanel, FieldError};
use leptos::prelude::*;

#[component]
pub fn WebhookDestinations() -> impl IntoView {
    let org = use_org();
    let allow = ServerAction::<AllowWebhook>::new();
    let remove = ServerAction::<RemoveWebhook>::new();
    let error = report(allow, "Destination allowed", &["url"]);
    report(remove, "Destination removed", &[]);
    let list = crate::components::data(move || (org.get(), allow.version().get(), remove.version().get()), |(o, ..)| load_webhook_destinations(o));
    view! {
        <section class="card" data-testid="webhook-destinations">
            <h2>"Webhook destinations"</h2>
            <p class="muted">"People whose account type allows “Export to webhook” can post a document's rows as JSON to these URLs only. Use https. Gatehouse posts only to public addresses, unless the server allows receivers inside your network (--webhook-allow-private)."</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                        Ok(v) if v.is_empty() => view! { <p class="muted">"No destinations yet."</p> }.into_any(),
                        Ok(v) => view! {
                            <ul class="links">
                                {v.into_iter().map(|d| {
                                    let id = StoredValue::new(d.id.clone());
                                    let label = format!("Remove {}", d.label);
                                    view! { <li class="webhook"><code class="url">{d.label.clone()}</code>
                                        <button type="button" class="btn btn-secondary btn-small" aria-label=label on:click=move |_| { remove.dispatch(RemoveWebhook { org: org.get_untracked(), id: id.get_value() }); }>"Remove"</button></li> }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ActionForm action=allow attr:class="form inline-edit" on:input=move |_| {
                if allow.value().with_untracked(|v| v.as_ref().is_some_and(|r| r.is_err())) { allow.value().set(None); }
            }>
                <input type="hidden" name="org" prop:value=move || org.get() />
                <label for="webhook-url">"Allow a URL"</label>
                <div class="row-inline">
                    <input id="webhook-url" name="url" type="url" placeholder="https://hooks.example.com/gatehouse" required />
                    <button type="submit" class="btn btn-secondary">"Allow"</button>
                </div>
                <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("url"))) />
            </ActionForm>
        </section>
    }
}
