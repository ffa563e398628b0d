//! `/{org}/invite/{token}`: a new person chooses their password.
use crate::api::users::{load_invitation, AcceptInvitation};
use crate::components::frame::use_org;
use crate::components::{ErrorPanel, FieldError, FormError};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InvitePage() -> impl IntoView {
    let org = use_org();
    let params = use_params_map();
    let token = Memo::new(move |_| params.read().get("token").unwrap_or_default());
    let info = Resource::new(move || (org.get(), token.get()), |(o, t)| load_invitation(o, t));
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = Signal::derive(move || accept.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Choose your password" />
        <main class="centered">
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                        Ok(i) => view! {
                            <section class="card narrow">
                                <div class="setup-intro">
                                    <span class="brand-mark large" aria-hidden="true">"G"</span>
                                    <h1>{format!("Welcome to {}, {}", i.org_name, i.first_name)}</h1>
                                    <p class="muted">{format!("Choose a password for {}.", i.email)}</p>
                                </div>
                                <ActionForm action=accept attr:class="form" attr:data-testid="invite-form">
                                    <FormError error=error fields=&["password", "password_confirm"] />
                                    <input type="hidden" name="org" value=org.get_untracked() />
                                    <input type="hidden" name="token" value=token.get_untracked() />
                                    <label for="password">"Password"</label>
                                    <input id="password" name="password" type="password" required minlength="12" autocomplete="new-password" />
                                    <p class="hint">"At least 12 characters; not your email address, the organization's name or one of the 10,000 most common passwords."</p>
                                    <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("password"))) />
                                    <label for="password_confirm">"Confirm password"</label>
                                    <input id="password_confirm" name="password_confirm" type="password" required autocomplete="new-password" />
                                    <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("password_confirm"))) />
                                    <button type="submit" class="btn btn-primary btn-block">"Set password"</button>
                                </ActionForm>
                            </section>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
