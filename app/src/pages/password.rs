//! Passwords people manage: Profile's "Change password" card, the page of a
//! reset link (`/{org}/reset/{token}`), and the rules a new password
//! follows, listed and ticked as it is typed.
use crate::api::passwords::{load_password_reset, load_password_status, ChangePassword, ForgotPassword, ResetPassword};
use crate::api::session::load_login_info;
use crate::components::frame::use_org;
use crate::components::toast::report;
use crate::components::{ErrorPanel, FieldError, FormError};
use crate::domain::password::{rules, Context};
use crate::domain::views::PasswordLinkInfo;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The rules of a new password, each ticked once the password typed keeps it.
/// Without the browser's code (the light pages) it is a plain list of the rules.
#[component]
pub fn PasswordRules(#[prop(into)] password: Signal<String>, rules_for: Context) -> impl IntoView {
    let ctx = StoredValue::new(rules_for);
    view! {
        <ul class="password-rules" data-testid="password-rules" aria-live="polite">
            {move || {
                let typed = password.get();
                ctx.with_value(|c| rules(&typed, c)).into_iter().map(|r| {
                    let kept = r.kept;
                    view! {
                        <li class:kept=kept data-kept=kept.to_string()>
                            <span class="mark" aria-hidden="true">{if kept { "✓" } else { "•" }}</span>
                            " " {r.label}
                            <span class="visually-hidden">{if kept { " (met)" } else { " (not yet)" }}</span>
                        </li>
                    }
                }).collect_view()
            }}
        </ul>
    }
}

/// Profile > Change password: the current password, the new one twice. Every
/// other session of the person ends; this one goes on.
#[component]
pub fn ChangePasswordCard() -> impl IntoView {
    let org = use_org();
    let change = ServerAction::<ChangePassword>::new();
    let error = report(change, "Password changed. You stay signed in here; your other sessions have ended.", &["current_password", "new_password", "new_password_confirm"]);
    let status = crate::components::data(move || org.get(), load_password_status);
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            current.set(String::new());
            new.set(String::new());
            confirm.set(String::new());
        }
    });
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(f)));
    let input = move |id: &'static str, label: &'static str, value: RwSignal<String>, autocomplete: &'static str| {
        view! {
            <label for=id>{label}</label>
            <input id=id type="password" required autocomplete=autocomplete prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) />
            <FieldError message=field(id) />
        }
    };
    view! {
        <section class="card" data-testid="password-card">
            <h2>"Password"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                        Ok(s) if !s.can_change => view! { <p class="muted" data-testid="password-unavailable">{s.refused.unwrap_or_default()}</p> }.into_any(),
                        Ok(s) => view! {
                            <form class="form" data-testid="change-password-form" on:submit=move |ev| {
                                ev.prevent_default();
                                change.dispatch(ChangePassword {
                                    org: org.get_untracked(),
                                    current_password: current.get_untracked(),
                                    new_password: new.get_untracked(),
                                    new_password_confirm: confirm.get_untracked(),
                                });
                            }>
                                <FormError error=error fields=&["current_password", "new_password", "new_password_confirm"] />
                                {input("current_password", "Current password", current, "current-password")}
                                {input("new_password", "New password", new, "new-password")}
                                <PasswordRules password=new rules_for=s.rules />
                                {input("new_password_confirm", "Confirm new password", confirm, "new-password")}
                                <p class="hint">"Your other sessions end once it is changed; you stay signed in here."</p>
                                <button type="submit" class="btn btn-primary" disabled=move || change.pending().get()>"Change password"</button>
                            </form>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// `/{org}/reset/{token}`: choosing a new password through a reset link. A
/// light page (a plain form, no browser code); the server checks the rules.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let reset = ServerAction::<ResetPassword>::new();
    let error = Signal::derive(move || reset.value().get().and_then(|r| r.err()));
    view! {
        <PasswordLinkPage
            title="Choose a new password"
            load=load_password_reset
            heading=|i| format!("Choose a new password, {}", i.first_name)
            subtitle=|i| format!("For {} in {}. Your other sessions end once it is set.", i.email, i.org_name)
            form=move |i, token| view! {
                <ActionForm action=reset attr:class="form" attr:data-testid="reset-form">
                    <NewPasswordFields token rules=i.rules error new_label="New password" confirm_label="Confirm new password" />
                    <button type="submit" class="btn btn-primary btn-block">"Set new password"</button>
                </ActionForm>
            }.into_any()
        />
    }
}

/// The page a one-time link opens to choose a password (an invitation's or a
/// reset's): "Loading…", then why the link does not work, or whose password
/// it is and `form`.
#[component]
pub fn PasswordLinkPage<L, Fut, F>(title: &'static str, load: L, heading: fn(&PasswordLinkInfo) -> String, subtitle: fn(&PasswordLinkInfo) -> String, form: F) -> impl IntoView
where
    L: Fn(String, String) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<PasswordLinkInfo, AppError>> + Send + 'static,
    F: Fn(PasswordLinkInfo, String) -> AnyView + Clone + Send + Sync + 'static,
{
    let org = use_org();
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let info = crate::components::data(move || (org.get(), token.get()), move |(o, t)| load(o, t));
    view! {
        <Title text=title />
        <main class="centered">
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let form = form.clone();
                    Suspend::new(async move {
                        match info.await {
                            Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                            Ok(i) => view! {
                                <section class="card narrow">
                                    <div class="setup-intro">
                                        <span class="brand-mark large" aria-hidden="true">"G"</span>
                                        <h1>{heading(&i)}</h1>
                                        <p class="muted">{subtitle(&i)}</p>
                                    </div>
                                    {form(i, token.get_untracked())}
                                </section>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </main>
    }
}

/// A new password twice, for the link `token`: the rules ticked as it is
/// typed, each field's error beside it.
#[component]
pub fn NewPasswordFields(token: String, rules: Context, #[prop(into)] error: Signal<Option<AppError>>, new_label: &'static str, confirm_label: &'static str) -> impl IntoView {
    let org = use_org();
    let password = RwSignal::new(String::new());
    view! {
        <FormError error=error fields=&["password", "password_confirm"] />
        <input type="hidden" name="org" value=org.get_untracked() />
        <input type="hidden" name="token" value=token />
        <label for="password">{new_label}</label>
        <input id="password" name="password" type="password" required autocomplete="new-password" on:input=move |ev| password.set(event_target_value(&ev)) />
        <PasswordRules password=password rules_for=rules />
        <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("password"))) />
        <label for="password_confirm">{confirm_label}</label>
        <input id="password_confirm" name="password_confirm" type="password" required autocomplete="new-password" />
        <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("password_confirm"))) />
    }
}

/// `/{org}/login/forgot`: asking for a reset link by mail. A light page; the
/// answer is the same whether or not the email has an account.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let org = use_org();
    let query = use_query_map();
    let info = crate::components::data(move || org.get(), load_login_info);
    let ask = ServerAction::<ForgotPassword>::new();
    let error = Signal::derive(move || ask.value().get().and_then(|r| r.err()));
    let sent = move || query.read().get("sent").is_some();
    view! {
        <Title text="Forgot password" />
        <main class="centered">
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                        Ok(i) => {
                            let back = format!("/{}/login", i.org_slug);
                            view! {
                            <section class="card narrow login">
                                <div class="setup-intro">
                                    <span class="brand-mark large" aria-hidden="true">"G"</span>
                                    <h1>"Reset your password"</h1>
                                    <p class="muted">{format!("For {}.", i.org_name)}</p>
                                </div>
                                {if sent() {
                                    view! {
                                        <div class="alert alert-info" data-testid="forgot-sent">
                                            "If that email can sign in here with a password, a link to choose a new one is on its way. It works once, for one hour. Nothing arrived? Check the address and your spam folder, or ask your administrator."
                                        </div>
                                    }.into_any()
                                } else if !i.forgot_password {
                                    view! { <p class="muted" data-testid="forgot-off">{format!("Passwords cannot be reset by mail here. Ask an administrator of {} for a reset link.", i.org_name)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ActionForm action=ask attr:class="form" attr:data-testid="forgot-form">
                                            <FormError error=error fields=&["email"] />
                                            <input type="hidden" name="org" value=i.org_slug.clone() />
                                            <label for="email">"Email"</label>
                                            <input id="email" name="email" type="email" required autocomplete="username" />
                                            <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("email"))) />
                                            <button type="submit" class="btn btn-primary btn-block">"Send me a link"</button>
                                        </ActionForm>
                                    }.into_any()
                                }}
                                <p class="small"><a href=back>"Back to sign in"</a></p>
                            </section>
                        }.into_any()
                        }
                    }
                })}
            </Suspense>
        </main>
    }
}
