//! Multi-factor authentication screens: the code after the password
//! (`/{org}/login/verify`), setting up an app during sign-in when the
//! organization requires one (`/{org}/login/enrol`), and the Profile page's card.
use crate::api::mfa::{load_mfa_status, BeginMfa, ConfirmMfa, RemoveMfa, RenewRecoveryCodes};
use crate::api::session::{load_login_info, sign_in_enrolment, FinishSignInEnrolment, ResendSignInCode, VerifySignIn};
use crate::components::frame::use_org;
use crate::components::{ErrorPanel, FieldError, FormError};
use crate::domain::views::MfaSetup;
use crate::domain::MfaPolicy;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn start_again(org: String) -> impl IntoView {
    view! {
        <div class="alert alert-info" data-testid="start-again">
            "This sign-in took too long or was already completed. "
            <a href=format!("/{org}/login")>"Sign in again"</a>
        </div>
    }
}

/// The QR code (SVG made by the server) and the key to type in by hand.
fn app_setup(s: MfaSetup) -> impl IntoView {
    view! {
        <ol class="steps">
            <li>"Open your authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, …) and scan this code."</li>
        </ol>
        <div class="qr" data-testid="mfa-qr" inner_html=s.qr_svg></div>
        <p class="hint">"Cannot scan? Enter this key in the app, for " {s.email.clone()} ":"</p>
        <p><code class="mono" data-testid="mfa-secret">{s.secret}</code></p>
    }
}

fn recovery_codes(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="alert alert-warning" data-testid="recovery-codes">
            <p><strong>"Your recovery codes. "</strong>"Each signs you in once if you lose your phone. Keep them somewhere safe: they are shown only now."</p>
            <ul class="mono codes">{codes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
        </div>
    }
}

#[component]
pub fn SignInCodePage() -> impl IntoView {
    let org = use_org();
    let query = use_query_map();
    let info = crate::components::data(move || org.get(), load_login_info);
    let action = ServerAction::<VerifySignIn>::new();
    let resend = ServerAction::<ResendSignInCode>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(f)));
    let next = move || query.read().get("next").unwrap_or_default();
    let resent = move || query.read().get("resent").is_some();
    view! {
        <Title text="Enter your code" />
        <main class="centered">
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                        Ok(i) if !matches!(i.pending_step.as_deref(), Some("code" | "email")) => start_again(i.org_slug).into_any(),
                        Ok(i) => {
                            let again = format!("/{}/login", i.org_slug);
                            let by_email = i.pending_step.as_deref() == Some("email");
                            let slug = i.org_slug.clone();
                            view! {
                            <section class="card narrow login">
                                <h1>"Two-step verification"</h1>
                                {if by_email {
                                    view! { <p class="muted" data-testid="code-by-email">"We sent a six-digit code to your email. Enter it here; it works for 10 minutes."</p> }.into_any()
                                } else {
                                    view! { <p class="muted">"Enter the six-digit code from your authenticator app, or one of your recovery codes."</p> }.into_any()
                                }}
                                <ActionForm action=action attr:class="form" attr:data-testid="code-form">
                                    <FormError error=error fields=&["code"] />
                                    <input type="hidden" name="org" value=i.org_slug.clone() />
                                    <input type="hidden" name="next" value=next />
                                    <label for="code">"Code"</label>
                                    <input id="code" name="code" type="text" required autocomplete="one-time-code" inputmode="numeric" autofocus />
                                    <FieldError message=field("code") />
                                    <button type="submit" class="btn btn-primary btn-block" disabled=move || action.pending().get()>"Verify"</button>
                                </ActionForm>
                                {by_email.then(|| view! {
                                    <ActionForm action=resend attr:class="inline-form" attr:data-testid="resend-form">
                                        <input type="hidden" name="org" value=slug.clone() />
                                        <input type="hidden" name="next" value=next />
                                        <p class="small">
                                            "No email? Check your spam folder, or "
                                            <button type="submit" class="btn-link" data-testid="resend-code" disabled=move || resend.pending().get()>"send a new code"</button>
                                            "."
                                        </p>
                                    </ActionForm>
                                    <p class="small" role="status" data-testid="resend-status">{move || match resend.value().get() {
                                        Some(Err(e)) => e.to_string(),
                                        _ if resent() => "A new code is on its way. The one before no longer works.".to_string(),
                                        _ => String::new(),
                                    }}</p>
                                })}
                                <p class="small"><a href=again>"Sign in as someone else"</a></p>
                            </section>
                        }.into_any()
                        }
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
pub fn SignInEnrolPage() -> impl IntoView {
    let org = use_org();
    let query = use_query_map();
    let setup = crate::components::data(move || org.get(), sign_in_enrolment);
    let finish = ServerAction::<FinishSignInEnrolment>::new();
    let code = RwSignal::new(String::new());
    let error = Signal::derive(move || finish.value().get().and_then(|r| r.err()));
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(f)));
    let next = move || {
        let n = query.read().get("next").unwrap_or_default();
        if crate::domain::safe_return_path(&n).is_some() {
            n
        } else {
            format!("/{}", org.get())
        }
    };
    // The code field takes focus once it is drawn (the app's QR code and key are read above it).
    crate::components::focus::when_lost(vec!["#code".to_string()]);
    view! {
        <Title text="Set up two-step verification" />
        <main class="centered">
            <section class="card narrow login">
                <h1>"Set up two-step verification"</h1>
                <p class="muted">"Your organization asks for a code from an authenticator app after your password. Set one up now."</p>
                {move || match finish.value().get() {
                    Some(Ok(codes)) => view! {
                        {recovery_codes(codes)}
                        <a class="btn btn-primary btn-block" rel="external" href=next() data-testid="continue">"Continue"</a>
                    }.into_any(),
                    _ => view! {
                        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                            {move || Suspend::new(async move {
                                match setup.await {
                                    Err(_) => start_again(org.get_untracked()).into_any(),
                                    Ok(s) => view! {
                                        {app_setup(s)}
                                        <form class="form" data-testid="enrol-form" on:submit=move |ev| {
                                            ev.prevent_default();
                                            finish.dispatch(FinishSignInEnrolment { org: org.get_untracked(), code: code.get_untracked() });
                                        }>
                                            <FormError error=error fields=&["code"] />
                                            <label for="code">"Code from the app"</label>
                                            <input id="code" type="text" required autocomplete="one-time-code" inputmode="numeric" autofocus
                                                prop:value=code on:input=move |ev| code.set(event_target_value(&ev)) />
                                            <FieldError message=field("code") />
                                            <button type="submit" class="btn btn-primary btn-block" disabled=move || finish.pending().get()>"Turn on"</button>
                                        </form>
                                    }.into_any(),
                                }
                            })}
                        </Suspense>
                    }.into_any(),
                }}
            </section>
        </main>
    }
}

/// The Profile page's card: set up, renew recovery codes, remove.
#[component]
pub fn MfaCard() -> impl IntoView {
    let org = use_org();
    let begin = ServerAction::<BeginMfa>::new();
    let confirm = ServerAction::<ConfirmMfa>::new();
    let renew = ServerAction::<RenewRecoveryCodes>::new();
    let remove = ServerAction::<RemoveMfa>::new();
    let status = crate::components::data(move || (org.get(), confirm.version().get(), remove.version().get(), renew.version().get()), |(o, ..)| load_mfa_status(o));
    let code = RwSignal::new(String::new());
    let error = Signal::derive(move || confirm.value().get().and_then(|r| r.err()).or_else(|| renew.value().get().and_then(|r| r.err())).or_else(|| remove.value().get().and_then(|r| r.err())));
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(f)));
    let new_codes = Signal::derive(move || confirm.value().get().and_then(|r| r.ok()).or_else(|| renew.value().get().and_then(|r| r.ok())));
    let code_input = move || {
        view! {
            <label for="mfa-code">"Code from your app (or a recovery code)"</label>
            <input id="mfa-code" type="text" autocomplete="one-time-code" inputmode="numeric" prop:value=code on:input=move |ev| code.set(event_target_value(&ev)) />
            <FieldError message=field("code") />
        }
    };
    view! {
        <section class="card" data-testid="mfa-card">
            <h2>"Two-step verification"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                        Ok(s) if !s.enabled => view! {
                            <p class="muted" data-testid="mfa-off">"Off. After your password, a code from an authenticator app on your phone keeps others out even if they learn your password."</p>
                            {(s.policy == MfaPolicy::Off).then(|| view! { <p class="hint">"Your organization does not ask for codes at sign-in yet."</p> })}
                            {move || match begin.value().get() {
                                Some(Ok(setup)) => view! {
                                    {app_setup(setup)}
                                    <form class="form" data-testid="mfa-confirm-form" on:submit=move |ev| {
                                        ev.prevent_default();
                                        confirm.dispatch(ConfirmMfa { org: org.get_untracked(), code: code.get_untracked() });
                                    }>
                                        <FormError error=error fields=&["code"] />
                                        {code_input()}
                                        <button type="submit" class="btn btn-primary" disabled=move || confirm.pending().get()>"Turn on"</button>
                                    </form>
                                }.into_any(),
                                other => view! {
                                    {other.and_then(|r| r.err()).map(|e| view! { <ErrorPanel error=e /> })}
                                    <button class="btn btn-primary" data-testid="mfa-begin" on:click=move |_| { begin.dispatch(BeginMfa { org: org.get_untracked() }); }>
                                        "Set up an authenticator app"
                                    </button>
                                }.into_any(),
                            }}
                        }.into_any(),
                        Ok(s) => view! {
                            <p data-testid="mfa-on"><span class="badge badge-success">"On"</span>" Authenticator app. "
                                {format!("{} recovery code{} left.", s.recovery_codes_left, if s.recovery_codes_left == 1 { "" } else { "s" })}</p>
                            {move || new_codes.get().map(recovery_codes)}
                            <form class="form" on:submit=|ev| ev.prevent_default()>
                                <FormError error=error fields=&["code"] />
                                {code_input()}
                                <div class="form-actions">
                                    <button type="button" class="btn btn-secondary" data-testid="mfa-renew" on:click=move |_| {
                                        renew.dispatch(RenewRecoveryCodes { org: org.get_untracked(), code: code.get_untracked() });
                                    }>"New recovery codes"</button>
                                    {(s.policy != MfaPolicy::Required).then(|| view! {
                                        <button type="button" class="btn btn-danger" data-testid="mfa-remove" on:click=move |_| {
                                            remove.dispatch(RemoveMfa { org: org.get_untracked(), code: code.get_untracked() });
                                        }>"Remove the app"</button>
                                    })}
                                </div>
                            </form>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
