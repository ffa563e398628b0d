//! `/{org}/login`: sign in with SSO, with email and password, or both,
//! as the organization's authentication method allows.
use crate::api::session::{load_login_info, SignIn};
use crate::components::frame::use_org;
use crate::components::{ErrorPanel, FormError};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let org = use_org();
    let query = use_query_map();
    let info = crate::components::data(move || org.get(), load_login_info);
    let action = ServerAction::<SignIn>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let next = move || query.read().get("next").unwrap_or_default();
    // Back from a refused sign-in sent without the app: the email typed.
    let email = move || query.read().get("email").unwrap_or_default();
    let notice = move || {
        let q = query.read();
        if q.get("setup").is_some() {
            Some("Your organization is ready. Sign in with the administrator account you just created.")
        } else if q.get("reset").is_some() {
            Some("Your new password is set. Sign in with your email and new password.")
        } else if q.get("invited").is_some() {
            Some("Your password is set. Sign in with your email and new password.")
        } else if q.get("signed_out").is_some() {
            Some("You have signed out.")
        } else {
            None
        }
    };

    view! {
        <Title text="Sign in" />
        <main class="centered">
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                        Ok(info) => { let forgot = format!("/{}/login/forgot", info.org_slug); view! {
                            <section class="card narrow login">
                                <div class="setup-intro">
                                    <span class="brand-mark large" aria-hidden="true">"G"</span>
                                    <h1>"Sign in to " <span data-testid="org-name">{info.org_name.clone()}</span></h1>
                                </div>
                                {move || notice().map(|n| view! { <div class="alert alert-info" data-testid="notice">{n}</div> })}
                                {info.sso_enabled.then(|| {
                                    let slug = info.org_slug.clone();
                                    let href = move || {
                                        let n = next();
                                        if n.is_empty() { format!("/{slug}/sso") } else { format!("/{slug}/sso?next={}", crate::components::url::encode(&n)) }
                                    };
                                    view! {
                                        <a class="btn btn-primary btn-block" rel="external" href=href data-testid="sso-button">"Sign in with SSO"</a>
                                    }
                                })}
                                {(info.sso_enabled && info.password_enabled).then(|| view! { <p class="divider muted">"or sign in with your password"</p> })}
                                {(!info.password_enabled && info.guests_enabled).then(|| view! { <p class="divider muted" data-testid="guest-divider">"Guests sign in with their password"</p> })}
                                {(info.password_enabled || info.guests_enabled).then(|| view! {
                                <ActionForm action=action attr:class="form" attr:data-testid="login-form">
                                    <FormError error=error />
                                    <input type="hidden" name="org" value=info.org_slug.clone() />
                                    <input type="hidden" name="next" value=next />
                                    <label for="email">"Email"</label>
                                    <input id="email" name="email" type="email" required autocomplete="username" value=email />
                                    <label for="password">"Password"</label>
                                    <input id="password" name="password" type="password" required autocomplete="current-password" />
                                    <button type="submit" class="btn btn-primary btn-block" disabled=move || action.pending().get()>
                                        {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                                    </button>
                                </ActionForm>
                                {info.forgot_password.then(|| view! {
                                    <p class="small"><a href=forgot.clone() data-testid="forgot-link">"Forgot password?"</a></p>
                                })}
                                })}
                            </section>
                        }.into_any() },
                    }
                })}
            </Suspense>
        </main>
    }
}
