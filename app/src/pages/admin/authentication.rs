//! Administration > Authentication: how people sign in, and provisioning from
//! the identity provider (SCIM).
use crate::api::provisioning::{load_provisioning, CreateProvisioningToken, ReleaseManaged, RevokeProvisioningToken};
use crate::components::copy::CopyField;
use crate::components::frame::use_org;
use crate::components::toast::report;
use crate::components::{ErrorPanel, FieldError};
use crate::domain::views::NewProvisioningToken;
use crate::pages::admin::audit::short_time;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AuthenticationPage() -> impl IntoView {
    view! {
        <Title text="Authentication" />
        <div class="page-header">
            <h1>"Authentication"</h1>
            <p class="muted">"How people sign in, and how your identity provider manages users and teams."</p>
        </div>
        <crate::pages::admin::sign_in_method::SignInMethodSection />
        <ProvisioningSection />
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Step {
    Closed,
    Guidance,
    Name,
    Done,
}

#[component]
fn ProvisioningSection() -> impl IntoView {
    let org = use_org();
    let create = ServerAction::<CreateProvisioningToken>::new();
    let revoke = ServerAction::<RevokeProvisioningToken>::new();
    let release = ServerAction::<ReleaseManaged>::new();
    report(revoke, "Token revoked", &[]);
    report(release, "Released to local management", &[]);
    let info = Resource::new(
        move || (org.get(), create.version().get(), revoke.version().get(), release.version().get()),
        |(o, ..)| load_provisioning(o),
    );
    let step = RwSignal::new(Step::Closed);
    let acknowledged = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let created: RwSignal<Option<NewProvisioningToken>> = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(Ok(t)) = create.value().get() {
            created.set(Some(t));
            step.set(Step::Done);
        }
    });
    let create_error = Signal::derive(move || create.value().get().and_then(|r| r.err()).map(|e| e.message));
    let confirming = RwSignal::new(None::<String>);

    let wizard = move || match step.get() {
        Step::Closed => None,
        Step::Guidance => Some(view! {
            <div class="wizard" data-testid="provisioning-wizard">
                <p class="wizard-step">"Step 1 of 3 · Guidance"</p>
                <ul class="guidance">
                    <li>"Once provisioning is on, users and teams are managed in your identity provider. Here they are shown read-only, marked “Managed by your identity provider”."</li>
                    <li>"The identity provider sets each user's account type through the user attribute userType. Users without an account type get Viewer."</li>
                    <li>"When the identity provider deactivates someone, their documents go to you, the admin who set up provisioning."</li>
                </ul>
                <label class="check-inline">
                    <input type="checkbox" prop:checked=acknowledged on:change=move |ev| acknowledged.set(event_target_checked(&ev)) />
                    "I have read and understand the above guidance."
                </label>
                <div class="form-actions">
                    <button class="btn btn-primary" disabled=move || !acknowledged.get() on:click=move |_| step.set(Step::Name)>"Next"</button>
                    <button class="btn btn-secondary" on:click=move |_| step.set(Step::Closed)>"Cancel"</button>
                </div>
            </div>
        }.into_any()),
        Step::Name => Some(view! {
            <div class="wizard" data-testid="provisioning-wizard">
                <p class="wizard-step">"Step 2 of 3 · Token name"</p>
                <label for="token-name">"Token name"</label>
                <input id="token-name" type="text" placeholder="Okta" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                <p class="hint">"A name that tells you where the token is used, for example the identity provider's name."</p>
                <FieldError message=create_error />
                <div class="form-actions">
                    <button class="btn btn-primary" disabled=move || create.pending().get() on:click=move |_| {
                        create.dispatch(CreateProvisioningToken { org: org.get_untracked(), name: name.get_untracked(), acknowledged: acknowledged.get_untracked() });
                    }>"Next"</button>
                    <button class="btn btn-secondary" on:click=move |_| step.set(Step::Guidance)>"Back"</button>
                </div>
            </div>
        }.into_any()),
        Step::Done => created.get().map(|t| view! {
            <div class="wizard" data-testid="provisioning-wizard">
                <p class="wizard-step">"Step 3 of 3 · Connect your identity provider"</p>
                <p>"Paste these two values into your identity provider's provisioning (API integration) settings."</p>
                <label>"Directory Base URL"</label>
                <CopyField value=t.base_url.clone() label="Directory Base URL" testid="scim-base-url" />
                <label>"Bearer Token"</label>
                <CopyField value=t.token.clone() label="Bearer Token" testid="scim-token" />
                <div class="alert alert-info">"Copy the token now: it is shown only this once. If it is lost, revoke it and create another."</div>
                <div class="form-actions">
                    <button class="btn btn-primary" on:click=move |_| { step.set(Step::Closed); created.set(None); name.set(String::new()); acknowledged.set(false); }>"Done"</button>
                </div>
            </div>
        }.into_any()),
    };

    view! {
        <section class="card" data-testid="provisioning">
            <div class="with-actions">
                <div>
                    <h2>"Account Type and Team Provisioning"</h2>
                    <p class="muted">"Let your identity provider create, update and deactivate users and teams through SCIM 2.0."</p>
                </div>
                <button class="btn btn-primary" on:click=move |_| step.set(Step::Guidance)>"Setup"</button>
            </div>
            {wizard}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                        Ok(i) => {
                            let on = i.active_tokens > 0;
                            let managed = i.managed_users + i.managed_teams;
                            view! {
                                <dl class="details">
                                    <dt>"Status"</dt>
                                    <dd data-testid="provisioning-status">{if on { format!("On · {} active tokens", i.active_tokens) } else { "Off".to_string() }}</dd>
                                    <dt>"Directory Base URL"</dt>
                                    <dd><code>{i.base_url.clone()}</code></dd>
                                    <dt>"Managed by your identity provider"</dt>
                                    <dd>{format!("{} users, {} teams", i.managed_users, i.managed_teams)}</dd>
                                </dl>
                                {(!on && managed > 0).then(|| view! {
                                    <div class="alert alert-info release">
                                        "Provisioning is off, but some records are still managed by your identity provider. "
                                        <button class="btn btn-secondary btn-small" on:click=move |_| { release.dispatch(ReleaseManaged { org: org.get_untracked(), kind: "users".into(), id: None }); }>"Release all users"</button>
                                        " "
                                        <button class="btn btn-secondary btn-small" on:click=move |_| { release.dispatch(ReleaseManaged { org: org.get_untracked(), kind: "teams".into(), id: None }); }>"Release all teams"</button>
                                    </div>
                                })}
                                {(!i.tokens.is_empty()).then(|| view! {
                                    <table class="table" data-testid="provisioning-tokens">
                                        <thead><tr><th>"Token"</th><th>"Created by"</th><th>"Created"</th><th>"Last used"</th><th>"Status"</th><th></th></tr></thead>
                                        <tbody>
                                            {i.tokens.into_iter().map(|t| {
                                                let id = t.id.clone();
                                                let id2 = t.id.clone();
                                                let revoked = t.revoked_at.is_some();
                                                view! {
                                                    <tr data-testid="token-row" data-name=t.name.clone()>
                                                        <td>{t.name.clone()}</td>
                                                        <td>{t.created_by.clone()}</td>
                                                        <td class="nowrap">{short_time(&t.created_at)}</td>
                                                        <td class="nowrap">{t.last_used_at.as_deref().map(short_time).unwrap_or_else(|| "Never".into())}</td>
                                                        <td>{if revoked { view! { <span class="badge badge-danger">"Revoked"</span> }.into_any() } else { view! { <span class="badge badge-success">"Active"</span> }.into_any() }}</td>
                                                        <td class="actions">{(!revoked).then(|| view! {
                                                            <Show when=move || confirming.get().as_deref() == Some(id.as_str())
                                                                fallback={ let id = id2.clone(); move || { let id = id.clone(); view! {
                                                                    <button class="btn btn-danger-outline btn-small" on:click=move |_| confirming.set(Some(id.clone()))>"Revoke"</button>
                                                                } } }>
                                                                <span class="confirm">"Revoke? The identity provider stops at once."
                                                                    <button class="btn btn-danger btn-small" on:click={ let id = id2.clone(); move |_| { revoke.dispatch(RevokeProvisioningToken { org: org.get_untracked(), id: id.clone() }); confirming.set(None); } }>"Revoke"</button>
                                                                    <button class="btn btn-secondary btn-small" on:click=move |_| confirming.set(None)>"Cancel"</button>
                                                                </span>
                                                            </Show>
                                                        })}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
