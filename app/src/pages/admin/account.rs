//! Administration > Account: organization name, Account URL, site details.
use crate::api::account::{load_account_details, SetAuditRetention, UpdateOrgName};
use crate::components::copy::CopyField;
use crate::components::frame::use_org;
use crate::components::{use_toasts, ErrorPanel, FieldError};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let org = use_org();
    let update = ServerAction::<UpdateOrgName>::new();
    let updated = crate::components::toast::successes(update);
    let retention = ServerAction::<SetAuditRetention>::new();
    let retention_saved = crate::components::toast::successes(retention);
    let details = crate::components::data(move || (org.get(), updated.get(), retention_saved.get()), |(o, _, _)| load_account_details(o));
    let toasts = use_toasts();
    Effect::new(move |_| match update.value().get() {
        Some(Ok(())) => toasts.success("Organization name saved"),
        Some(Err(e)) if e.field.is_none() => toasts.error(e.message),
        _ => {}
    });
    let name_error = Signal::derive(move || update.value().get().and_then(|r| r.err()).and_then(|e| e.for_field("name")));
    Effect::new(move |_| match retention.value().get() {
        Some(Ok(())) => toasts.success("Audit log retention saved"),
        Some(Err(e)) if e.field.is_none() => toasts.error(e.message),
        _ => {}
    });
    let retention_error = Signal::derive(move || retention.value().get().and_then(|r| r.err()).and_then(|e| e.for_field("audit_retention_days")));

    view! {
        <Title text="Account" />
        <div class="page-header">
            <h1>"Account"</h1>
            <p class="muted">"Your organization and this Gatehouse installation."</p>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(d) => {
                        let slug = d.org_slug.clone();
                        let form_slug = d.org_slug.clone();
                        let retention_slug = d.org_slug.clone();
                        let retention_value = if d.audit_retention_chosen { d.audit_retention_days.to_string() } else { String::new() };
                        let retention_now = format!(
                            "Audit events are kept for {} days{}.",
                            d.audit_retention_days,
                            if d.audit_retention_chosen { "" } else { " (this server's default)" }
                        );
                        let retention_placeholder = format!("{} (server default)", d.audit_retention_default);
                        view! {
                        <section class="card">
                            <h2>"Organization"</h2>
                            <ActionForm action=update attr:class="form inline-edit" attr:data-testid="org-name-form" on:input=move |_| {
                                if update.value().with_untracked(|v| v.as_ref().is_some_and(|r| r.is_err())) { update.value().set(None); }
                            }>
                                <input type="hidden" name="org" value=form_slug />
                                <label for="org-name">"Organization name"</label>
                                <div class="row-inline">
                                    <input id="org-name" name="name" type="text" required value=d.org_name.clone() />
                                    <button type="submit" class="btn btn-primary" disabled=move || update.pending().get()>"Save"</button>
                                </div>
                                <FieldError message=name_error />
                            </ActionForm>
                            <dl class="details">
                                <dt>"Account URL"</dt>
                                <dd><CopyField value=d.account_url.clone() label="Account URL" testid="account-url" /></dd>
                                <dt>"URL name"</dt><dd><code>{slug}</code></dd>
                                <dt>"Created"</dt><dd>{crate::pages::admin::audit::time_view(&d.created_at)}</dd>
                                <dt>"Active users"</dt><dd>{format!("{} ({} with administrator rights)", d.user_count, d.admin_count)}</dd>
                            </dl>
                        </section>
                        <section class="card">
                            <h2>"Audit log"</h2>
                            <ActionForm action=retention attr:class="form inline-edit" attr:data-testid="audit-retention-form">
                                <input type="hidden" name="org" value=retention_slug />
                                <label for="audit-retention">"Keep audit events for (days)"</label>
                                <div class="row-inline">
                                    <input id="audit-retention" name="days" type="number" min="30" max="3650" inputmode="numeric"
                                        value=retention_value placeholder=retention_placeholder aria-describedby="audit-retention-help" />
                                    <button type="submit" class="btn btn-primary" disabled=move || retention.pending().get()>"Save"</button>
                                </div>
                                <p id="audit-retention-help" class="muted small" data-testid="audit-retention-now">
                                    {retention_now}" Older events are deleted every ten minutes. Leave empty for the server's default."
                                </p>
                                <FieldError message=retention_error />
                            </ActionForm>
                        </section>
                        <section class="card">
                            <h2>"Site"</h2>
                            <dl class="details">
                                <dt>"Deployment"</dt><dd data-testid="deployment">{d.deployment.clone()}</dd>
                                <dt>"Base URL"</dt><dd><code class="url">{d.base_url.clone()}</code></dd>
                                <dt>"Version"</dt><dd>{d.version.clone()}</dd>
                                <dt>"Database"</dt><dd>{d.database.clone()}</dd>
                            </dl>
                        </section>
                    }.into_any()
                    }
                }
            })}
        </Transition>
        <crate::pages::admin::webhooks::WebhookDestinations />
        <crate::pages::admin::mail::MailCard />
    }
}
