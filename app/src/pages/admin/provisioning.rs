//! Administration > Authentication, second card: Account Type and Team
//! Provisioning (SCIM). While it is off, Setup walks through the guidance, a
//! token name and the token; once it is on, Manage lists the tokens, revokes
//! them, and creates another on request.
use crate::api::provisioning::{load_provisioning, CreateProvisioningToken, ReleaseManaged, RevokeProvisioningToken};
use crate::components::copy::CopyField;
use crate::components::dialog::focus_soon;
use crate::components::frame::use_org;
use crate::components::toast::report;
use crate::components::{plural, Dialog, ErrorPanel, FieldError, FormError};
use crate::domain::views::{NewProvisioningToken, ProvisioningInfo};
use crate::error::AppError;
use crate::pages::admin::audit::time_view;
use leptos::prelude::*;

/// What the provisioning dialog shows.
#[derive(Clone, Debug, PartialEq)]
enum View {
    /// Provisioning is on: the tokens, each revocable, and "Create another token".
    Tokens,
    /// Turning provisioning on: the guidance and its acknowledgement.
    Guidance,
    Name,
    /// The Directory Base URL and the token, shown this once.
    Token,
    /// Leaving the token before it was copied: asks first.
    NotCopied,
    /// Confirming the revocation of one token: its id and name.
    Revoke(String, String),
}

type Info = crate::components::Data<Result<ProvisioningInfo, AppError>>;

#[component]
pub fn ProvisioningSection() -> impl IntoView {
    let org = use_org();
    let create = ServerAction::<CreateProvisioningToken>::new();
    let revoke = ServerAction::<RevokeProvisioningToken>::new();
    let release = ServerAction::<ReleaseManaged>::new();
    report(revoke, "Token revoked", &[]);
    report(release, "Released to local management", &[]);
    let info: Info = crate::components::data(move || (org.get(), create.version().get(), revoke.version().get(), release.version().get()), |(o, ..)| load_provisioning(o));
    let open = RwSignal::new(false);
    let view = RwSignal::new(View::Guidance);
    // Whether this run turns provisioning on (Setup's three steps) or adds a token to it (two).
    let first = RwSignal::new(true);

    view! {
        <section class="card" data-testid="provisioning">
            <div class="with-actions">
                <div>
                    <h2>"Account Type and Team Provisioning"</h2>
                    <p class="muted">"Let your identity provider create, update and deactivate users and teams through SCIM 2.0."</p>
                </div>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        // Setup turns provisioning on; once it is on, Manage shows the tokens.
                        info.await.ok().map(|i| {
                            let on = i.active_tokens > 0;
                            view! {
                                <button type="button" class="btn btn-primary" data-testid="provisioning-open" on:click=move |_| {
                                    first.set(!on);
                                    view.set(if on { View::Tokens } else { View::Guidance });
                                    open.set(true);
                                }>{if on { "Manage" } else { "Setup" }}</button>
                            }
                        })
                    })}
                </Transition>
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
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
        <ProvisioningDialog open view first info create revoke />
    }
}

/// The one "Account Type and Team Provisioning" dialog: Setup's three steps
/// (guidance and its acknowledgement, a token name, then the Directory Base
/// URL and the Bearer Token, each with Copy), and, once provisioning is on,
/// the tokens. The token is shown this once: leaving it before it was
/// copied asks first, however the dialog is closed.
#[component]
fn ProvisioningDialog(
    open: RwSignal<bool>,
    view: RwSignal<View>,
    first: RwSignal<bool>,
    info: Info,
    create: ServerAction<CreateProvisioningToken>,
    revoke: ServerAction<RevokeProvisioningToken>,
) -> impl IntoView {
    let org = use_org();
    let acknowledged = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let created: RwSignal<Option<NewProvisioningToken>> = RwSignal::new(None);
    let copied = RwSignal::new(false);
    let reset = move || {
        acknowledged.set(false);
        name.set(String::new());
        created.set(None);
        copied.set(false);
        create.value().set(None);
        revoke.value().set(None);
    };
    Effect::new(move |_| {
        if let Some(Ok(t)) = create.value().get() {
            created.set(Some(t));
            copied.set(false);
            view.set(View::Token);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            view.set(View::Tokens);
        }
    });
    let create_error = Signal::derive(move || create.value().get().and_then(|r| r.err()).map(|e| e.message));
    // A view that replaces another starts with its first control focused
    // (when the dialog opens, the dialog itself places focus).
    Effect::new(move |prev: Option<View>| {
        let now = view.get();
        if open.get_untracked() && prev.as_ref().is_some_and(|p| *p != now) {
            focus_when_shown(match (&prev, &now) {
                // Back from a confirmation that was cancelled: to the Revoke… it was about.
                (Some(View::Revoke(_, n)), View::Tokens) if revoke.value().with_untracked(|v| v.is_none()) => {
                    format!("[data-testid=token-row][data-name=\"{}\"] button, [data-testid=create-another-token]", n.replace('"', "\\\""))
                }
                (_, View::Tokens) => "[data-testid=create-another-token]".into(),
                (_, View::Guidance) => "[data-testid=provisioning-wizard] input[type=checkbox]".into(),
                (_, View::Name) => "#token-name".into(),
                (_, View::Token) => "[data-testid=provisioning-wizard] .copy-field button".into(),
                (_, View::NotCopied) => "[data-testid=not-copied-back]".into(),
                (_, View::Revoke(..)) => "[data-testid=confirm-revoke]".into(),
            });
        }
        now
    });
    let close = move || {
        open.set(false);
        reset();
        // The button that opened the dialog may have been redrawn meanwhile (Setup became Manage).
        focus_soon("[data-testid=provisioning-open]");
    };
    // Escape, × and Done: a confirmation goes back to what it asked about; the
    // token, before it was copied, asks first.
    let leave = Callback::new(move |_| match view.get_untracked() {
        View::Token if !copied.get_untracked() => view.set(View::NotCopied),
        View::NotCopied => view.set(View::Token),
        View::Revoke(..) => {
            revoke.value().set(None);
            view.set(View::Tokens);
        }
        _ => close(),
    });
    let title = Signal::derive(move || match view.get() {
        View::Revoke(_, n) => format!("Revoke “{n}”?"),
        _ => "Account Type and Team Provisioning".to_string(),
    });

    // Setup counts the guidance; "Create another token" starts at the name.
    let step = move |n: u8| {
        if first.get() {
            format!("Step {n} of 3")
        } else {
            format!("Step {} of 2", n - 1)
        }
    };
    let name_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateProvisioningToken { org: org.get_untracked(), name: name.get_untracked(), acknowledged: acknowledged.get_untracked() });
    };
    let body = move || {
        match view.get() {
            View::Tokens => tokens_view(info, view, first, revoke).into_any(),
            View::Guidance => view! {
                <form class="form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); if acknowledged.get_untracked() { view.set(View::Name); } }>
                    <p class="wizard-step">{step(1)}" · Guidance"</p>
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
                        <button type="button" class="btn btn-secondary" on:click=move |_| close()>"Cancel"</button>
                    </div>
                </form>
            }
            .into_any(),
            View::Name => view! {
                <form class="form" on:submit=name_submit>
                    <p class="wizard-step">{step(2)}" · Token name"</p>
                    <label for="token-name">"Token name"</label>
                    <input id="token-name" type="text" placeholder="Okta" prop:value=name aria-describedby="token-name-hint"
                        on:input=move |ev| { name.set(event_target_value(&ev)); if create_error.get_untracked().is_some() { create.value().set(None); } } />
                    <p class="hint" id="token-name-hint">"A name that tells you where the token is used, for example the identity provider's name."</p>
                    <FieldError message=create_error />
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>"Next"</button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| {
                            create.value().set(None);
                            view.set(if first.get_untracked() { View::Guidance } else { View::Tokens });
                        }>"Back"</button>
                    </div>
                </form>
            }
            .into_any(),
            View::Token => created
                .get()
                .map(|t| {
                    view! {
                        <div>
                            <p class="wizard-step">{step(3)}" · Connect your identity provider"</p>
                            <p>"Paste these two values into your identity provider's provisioning (API integration) settings."</p>
                            <p class="label">"Directory Base URL"</p>
                            <CopyField value=t.base_url.clone() label="Directory Base URL" testid="scim-base-url" />
                            <p class="label">"Bearer Token"</p>
                            // Copy (or copying the selected text) counts as copied.
                            <div on:click=move |ev: leptos::ev::MouseEvent| if on_button(&ev) { copied.set(true) } on:copy=move |_| copied.set(true)>
                                <CopyField value=t.token.clone() label="Bearer Token" testid="scim-token" />
                            </div>
                            <div class="alert alert-info token-warning">{format!("Copy the token now: it is shown only this once. If it is lost, revoke “{}” and create another.", t.name)}</div>
                            <div class="form-actions">
                                <button type="button" class="btn btn-primary" on:click=move |_| leave.run(())>"Done"</button>
                            </div>
                        </div>
                    }
                })
                .into_any(),
            View::NotCopied => view! {
                <div data-testid="not-copied">
                    <p role="alert"><strong>"Have you copied the token? It is not shown again."</strong></p>
                    <p class="muted">"Without it, your identity provider cannot connect. If it is lost, revoke it and create another."</p>
                    <div class="form-actions">
                        <button type="button" class="btn btn-primary" data-testid="not-copied-back" on:click=move |_| view.set(View::Token)>"Go back to the token"</button>
                        <button type="button" class="btn btn-secondary" data-testid="not-copied-close" on:click=move |_| close()>"Close without copying"</button>
                    </div>
                </div>
            }
            .into_any(),
            View::Revoke(id, n) => {
                let id = StoredValue::new(id);
                view! {
                <div data-testid="revoke-dialog">
                    <p>{format!("The identity provider using “{n}” stops at once: its next request is refused. Users and teams it created stay, still managed by your identity provider.")}</p>
                    {move || info.get().and_then(|r| r.ok()).filter(|i| i.active_tokens == 1).map(|_| view! {
                        <div class="alert alert-info">"This is the last active token: provisioning turns off. Records your identity provider manages can then be released to local management."</div>
                    })}
                    <FormError error=Signal::derive(move || revoke.value().get().and_then(|r| r.err())) />
                    <div class="form-actions">
                        <button type="button" class="btn btn-danger" data-testid="confirm-revoke" disabled=move || revoke.pending().get() on:click=move |_| {
                            revoke.dispatch(RevokeProvisioningToken { org: org.get_untracked(), id: id.get_value() });
                        }>"Revoke"</button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| leave.run(())>"Cancel"</button>
                    </div>
                </div>
            }.into_any()
            }
        }
    };
    view! {
        <Dialog open=open on_close=leave title testid="provisioning-wizard" size="wide">
            {body}
        </Dialog>
    }
}

/// Manage: the Directory Base URL and every token (name, who created it,
/// when, its last use), each active one with Revoke…; and a new token only
/// when asked for.
fn tokens_view(info: Info, view: RwSignal<View>, first: RwSignal<bool>, revoke: ServerAction<RevokeProvisioningToken>) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Err(e) => view! { <FormError error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(i) => {
                        let on = i.active_tokens > 0;
                        view! {
                            <p>{if on {
                                format!("Provisioning is on, with {}. Your identity provider connects to the Directory Base URL with one of them.", plural(i.active_tokens, "active token", "active tokens"))
                            } else {
                                "Provisioning is off: every token is revoked. Set it up again to let your identity provider connect.".to_string()
                            }}</p>
                            <p class="label">"Directory Base URL"</p>
                            <CopyField value=i.base_url.clone() label="Directory Base URL" testid="scim-base-url" />
                            <ul class="token-list" data-testid="provisioning-tokens" aria-label="Provisioning tokens">
                                {i.tokens.into_iter().map(|t| {
                                    let target = View::Revoke(t.id.clone(), t.name.clone());
                                    let revoked = t.revoked_at.is_some();
                                    let label = format!("Revoke {}", t.name);
                                    view! {
                                        <li data-testid="token-row" data-name=t.name.clone()>
                                            <div class="token-about">
                                                <p>
                                                    <span class="token-name">{t.name.clone()}</span>" "
                                                    {if revoked { view! { <span class="badge badge-danger">"Revoked"</span> }.into_any() } else { view! { <span class="badge badge-success">"Active"</span> }.into_any() }}
                                                </p>
                                                <p class="small muted">"Created "{time_view(&t.created_at)}" by "{t.created_by.clone()}</p>
                                                <p class="small muted">"Last used "{match t.last_used_at.as_deref() { Some(x) => time_view(x).into_any(), None => "Never".into_any() }}
                                                    {t.revoked_at.as_deref().map(|at| view! { " · Revoked "{time_view(at)} })}
                                                </p>
                                            </div>
                                            {(!revoked).then(|| view! {
                                                <button type="button" class="btn btn-danger-outline btn-small" aria-label=label on:click=move |_| {
                                                    revoke.value().set(None);
                                                    view.set(target.clone());
                                                }>"Revoke…"</button>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <div class="form-actions">
                                <button type="button" class="btn btn-primary" data-testid="create-another-token" on:click=move |_| {
                                    first.set(!on);
                                    view.set(if on { View::Name } else { View::Guidance });
                                }>{if on { "Create another token" } else { "Setup" }}</button>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Focuses the first element matching `selector` once it is on screen: a
/// view that waits for the tokens to reload shows its buttons a moment later.
fn focus_when_shown(selector: String) {
    #[cfg(feature = "hydrate")]
    {
        fn attempt(selector: String, left: u32) {
            set_timeout(
                move || {
                    use wasm_bindgen::JsCast;
                    match document().query_selector(&selector).ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                        Some(el) => {
                            let _ = el.focus();
                        }
                        None if left > 0 => attempt(selector, left - 1),
                        None => {}
                    }
                },
                std::time::Duration::from_millis(if left == 40 { 0 } else { 50 }),
            );
        }
        attempt(selector, 40);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = selector;
}

/// Whether a click landed on a button (the Copy beside the token), not on the text.
fn on_button(ev: &leptos::ev::MouseEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|e| e.closest("button").ok().flatten().is_some())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        false
    }
}
