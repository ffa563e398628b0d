//! Administration > Authentication: how people sign in, and provisioning from
//! the identity provider (SCIM).
use crate::api::provisioning::{load_provisioning, CreateProvisioningToken, ReleaseManaged, RevokeProvisioningToken};
use crate::components::copy::CopyField;
use crate::components::frame::use_org;
use crate::components::toast::report;
use crate::components::dialog::focus_soon;
use crate::components::{plural, Dialog, ErrorPanel, FieldError, FormError};
use crate::domain::views::NewProvisioningToken;
use crate::pages::admin::audit::time_view;
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
    let wizard_open = RwSignal::new(false);
    // The token being revoked: id and name.
    let revoking: RwSignal<Option<(String, String)>> = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            revoking.set(None);
        }
    });

    view! {
        <section class="card" data-testid="provisioning">
            <div class="with-actions">
                <div>
                    <h2>"Account Type and Team Provisioning"</h2>
                    <p class="muted">"Let your identity provider create, update and deactivate users and teams through SCIM 2.0."</p>
                </div>
                <button type="button" class="btn btn-primary" on:click=move |_| wizard_open.set(true)>"Setup"</button>
            </div>
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
                                    <dd data-testid="provisioning-status">{if on { format!("On · {}", plural(i.active_tokens, "active token", "active tokens")) } else { "Off".to_string() }}</dd>
                                    <dt>"Directory Base URL"</dt>
                                    <dd><code class="url">{i.base_url.clone()}</code></dd>
                                    <dt>"Managed by your identity provider"</dt>
                                    <dd>{format!("{}, {}", plural(i.managed_users, "user", "users"), plural(i.managed_teams, "team", "teams"))}</dd>
                                </dl>
                                {(!on && managed > 0).then(|| view! {
                                    <div class="alert alert-info release">
                                        "Provisioning is off, but some records are still managed by your identity provider. "
                                        <button type="button" class="btn btn-secondary btn-small" on:click=move |_| { release.dispatch(ReleaseManaged { org: org.get_untracked(), kind: "users".into(), id: None }); }>"Release all users"</button>
                                        " "
                                        <button type="button" class="btn btn-secondary btn-small" on:click=move |_| { release.dispatch(ReleaseManaged { org: org.get_untracked(), kind: "teams".into(), id: None }); }>"Release all teams"</button>
                                    </div>
                                })}
                                {(!i.tokens.is_empty()).then(|| view! {
                                    <div class="table-scroll" tabindex="0" role="region" aria-label="Provisioning tokens">
                                    <table class="table" data-testid="provisioning-tokens">
                                        <thead><tr><th>"Token"</th><th>"Created by"</th><th>"Created"</th><th>"Last used"</th><th>"Status"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                        <tbody>
                                            {i.tokens.into_iter().map(|t| {
                                                let target = (t.id.clone(), t.name.clone());
                                                let revoked = t.revoked_at.is_some();
                                                let label = format!("Revoke {}", t.name);
                                                view! {
                                                    <tr data-testid="token-row" data-name=t.name.clone()>
                                                        <td>{t.name.clone()}</td>
                                                        <td>{t.created_by.clone()}</td>
                                                        <td class="nowrap">{time_view(&t.created_at)}</td>
                                                        <td class="nowrap">{match t.last_used_at.as_deref() { Some(x) => time_view(x).into_any(), None => "Never".into_any() }}</td>
                                                        <td>{if revoked { view! { <span class="badge badge-danger">"Revoked"</span> }.into_any() } else { view! { <span class="badge badge-success">"Active"</span> }.into_any() }}</td>
                                                        <td class="actions">{(!revoked).then(|| view! {
                                                            <button type="button" class="btn btn-danger-outline btn-small" aria-label=label on:click=move |_| {
                                                                revoke.value().set(None);
                                                                revoking.set(Some(target.clone()));
                                                            }>"Revoke…"</button>
                                                        })}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    </div>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
        <ProvisioningWizard open=wizard_open create />
        <Dialog open=Signal::derive(move || revoking.with(|r| r.is_some())) on_close=Callback::new(move |_| revoking.set(None))
            title=Signal::derive(move || revoking.get().map(|(_, n)| format!("Revoke “{n}”?")).unwrap_or_default())
            testid="revoke-dialog" tone="danger">
            <p>"The identity provider using this token stops at once: its next request is refused. Users and teams it created stay, still managed by your identity provider."</p>
            <FormError error=Signal::derive(move || revoke.value().get().and_then(|r| r.err())) />
            <div class="form-actions">
                <button type="button" class="btn btn-danger" data-testid="confirm-revoke" on:click=move |_| {
                    if let Some((id, _)) = revoking.get_untracked() {
                        revoke.dispatch(RevokeProvisioningToken { org: org.get_untracked(), id });
                    }
                }>"Revoke"</button>
                <button type="button" class="btn btn-secondary" on:click=move |_| revoking.set(None)>"Cancel"</button>
            </div>
        </Dialog>
    }
}

/// The "Account Type and Team Provisioning" setup popup: the guidance and its
/// acknowledgement, a token name, then the Directory Base URL and the Bearer
/// Token, each with Copy. The token is shown this once.
#[component]
fn ProvisioningWizard(open: RwSignal<bool>, create: ServerAction<CreateProvisioningToken>) -> impl IntoView {
    let org = use_org();
    let step = RwSignal::new(Step::Guidance);
    let acknowledged = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let created: RwSignal<Option<NewProvisioningToken>> = RwSignal::new(None);
    let reset = move || {
        step.set(Step::Guidance);
        acknowledged.set(false);
        name.set(String::new());
        created.set(None);
        create.value().set(None);
    };
    Effect::new(move |_| {
        if let Some(Ok(t)) = create.value().get() {
            created.set(Some(t));
            step.set(Step::Done);
        }
    });
    let create_error = Signal::derive(move || create.value().get().and_then(|r| r.err()).map(|e| e.message));
    // Each step starts with its first control focused.
    Effect::new(move |prev: Option<Step>| {
        let now = step.get();
        if prev.is_some_and(|p| p != now) {
            focus_soon(match now {
                Step::Guidance => "[data-testid=provisioning-wizard] input[type=checkbox]",
                Step::Name => "#token-name",
                Step::Done => "[data-testid=provisioning-wizard] .copy-field button",
            });
        }
        now
    });
    let close = Callback::new(move |_| {
        open.set(false);
        reset();
    });
    let name_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateProvisioningToken { org: org.get_untracked(), name: name.get_untracked(), acknowledged: acknowledged.get_untracked() });
    };
    let body = move || match step.get() {
        Step::Guidance => view! {
            <form class="form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); if acknowledged.get_untracked() { step.set(Step::Name); } }>
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
                    <button type="submit" class="btn btn-primary" disabled=move || !acknowledged.get()>"Next"</button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| close.run(())>"Cancel"</button>
                </div>
            </form>
        }.into_any(),
        Step::Name => view! {
            <form class="form" on:submit=name_submit>
                <p class="wizard-step">"Step 2 of 3 · Token name"</p>
                <label for="token-name">"Token name"</label>
                <input id="token-name" type="text" placeholder="Okta" prop:value=name aria-describedby="token-name-hint"
                    on:input=move |ev| { name.set(event_target_value(&ev)); if create_error.get_untracked().is_some() { create.value().set(None); } } />
                <p class="hint" id="token-name-hint">"A name that tells you where the token is used, for example the identity provider's name."</p>
                <FieldError message=create_error />
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>"Next"</button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| step.set(Step::Guidance)>"Back"</button>
                </div>
            </form>
        }.into_any(),
        Step::Done => created.get().map(|t| view! {
            <div>
                <p class="wizard-step">"Step 3 of 3 · Connect your identity provider"</p>
                <p>"Paste these two values into your identity provider's provisioning (API integration) settings."</p>
                <p class="label">"Directory Base URL"</p>
                <CopyField value=t.base_url.clone() label="Directory Base URL" testid="scim-base-url" />
                <p class="label">"Bearer Token"</p>
                <CopyField value=t.token.clone() label="Bearer Token" testid="scim-token" />
                <div class="alert alert-info token-warning">"Copy the token now: it is shown only this once. If it is lost, revoke it and create another."</div>
                <div class="form-actions">
                    <button type="button" class="btn btn-primary" on:click=move |_| close.run(())>"Done"</button>
                </div>
            </div>
        }).into_any(),
    };
    view! {
        <Dialog open=open on_close=close title="Account Type and Team Provisioning" testid="provisioning-wizard" size="wide">
            {body}
        </Dialog>
    }
}
