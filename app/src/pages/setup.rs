//! The first-run page: creates the organization and its first admin.
use crate::api::setup::{load_setup_status, RunSetup};
use crate::components::{ErrorPanel, FieldError, FormError};
use leptos::prelude::*;
use leptos_meta::Title;

const FIELDS: &[&str] = &["setup_code", "org_name", "org_slug", "first_name", "last_name", "email", "password", "password_confirm"];

/// The URL name suggested for an organization name: "Acme Inc." -> "acme-inc".
fn suggest_slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(40).collect()
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let status = crate::components::data(|| (), |_| load_setup_status());
    view! {
        <Title text="Set up Gatehouse" />
        <main class="centered">
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) => match s.existing_org {
                            Some(slug) => view! {
                                <section class="card narrow" data-testid="setup-closed">
                                    <h1>"Gatehouse is already set up"</h1>
                                    <p>"An organization exists, so the first-run page is closed. Sign in to your organization instead."</p>
                                    <a class="btn btn-primary" href=format!("/{slug}/login")>"Go to sign in"</a>
                                </section>
                            }.into_any(),
                            None => view! { <SetupForm /> }.into_any(),
                        },
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn SetupForm() -> impl IntoView {
    let action = ServerAction::<RunSetup>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let field = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(f)));
    let (name, set_name) = signal(String::new());
    let (slug, set_slug) = signal(String::new());
    let (slug_touched, set_slug_touched) = signal(false);
    let origin = Signal::derive(move || {
        #[cfg(feature = "hydrate")]
        {
            window().location().origin().unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            String::new()
        }
    });

    view! {
        <section class="card setup">
            <div class="setup-intro">
                <span class="brand-mark large" aria-hidden="true">"G"</span>
                <h1>"Welcome to Gatehouse"</h1>
                <p class="muted">"Create your organization and its first administrator. You can change the organization name later."</p>
            </div>
            <ActionForm action=action attr:class="form" attr:data-testid="setup-form">
                <FormError error=error fields=FIELDS />
                <fieldset>
                    <legend>"Setup code"</legend>
                    <label for="setup_code">"Setup code"</label>
                    <input id="setup_code" name="setup_code" type="text" required autocomplete="off" spellcheck="false" placeholder="XXXX-XXXX" />
                    <p class="hint">"Gatehouse printed it in its console (or log) when it started. It shows that you run this server."</p>
                    <FieldError message=field("setup_code") />
                </fieldset>
                <fieldset>
                    <legend>"Organization"</legend>
                    <label for="org_name">"Organization name"</label>
                    <input id="org_name" name="org_name" type="text" required autocomplete="organization"
                        prop:value=name
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            if !slug_touched.get_untracked() {
                                set_slug.set(suggest_slug(&v));
                            }
                            set_name.set(v);
                        } />
                    <FieldError message=field("org_name") />
                    <label for="org_slug">"URL name"</label>
                    <div class="input-prefix">
                        <span class="prefix">{move || format!("{}/", origin.get())}</span>
                        <input id="org_slug" name="org_slug" type="text" required pattern="[a-z0-9][a-z0-9-]*[a-z0-9]"
                            prop:value=slug
                            on:input=move |ev| {
                                set_slug_touched.set(true);
                                set_slug.set(event_target_value(&ev));
                            } />
                    </div>
                    <p class="hint">"Lowercase letters, digits and hyphens. People sign in at this address."</p>
                    <FieldError message=field("org_slug") />
                </fieldset>
                <fieldset>
                    <legend>"First administrator"</legend>
                    <div class="row">
                        <div>
                            <label for="first_name">"First name"</label>
                            <input id="first_name" name="first_name" type="text" required autocomplete="given-name" />
                            <FieldError message=field("first_name") />
                        </div>
                        <div>
                            <label for="last_name">"Last name"</label>
                            <input id="last_name" name="last_name" type="text" required autocomplete="family-name" />
                            <FieldError message=field("last_name") />
                        </div>
                    </div>
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" required autocomplete="email" />
                    <FieldError message=field("email") />
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" required minlength="12" autocomplete="new-password" />
                    <p class="hint">"At least 12 characters; not your email address, the organization's name or one of the 10,000 most common passwords."</p>
                    <FieldError message=field("password") />
                    <label for="password_confirm">"Confirm password"</label>
                    <input id="password_confirm" name="password_confirm" type="password" required autocomplete="new-password" />
                    <FieldError message=field("password_confirm") />
                </fieldset>
                <button type="submit" class="btn btn-primary btn-block" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating…" } else { "Create organization" }}
                </button>
            </ActionForm>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn slug_suggestions() {
        assert_eq!(super::suggest_slug("Acme Inc."), "acme-inc");
        assert_eq!(super::suggest_slug("  Zoë's  Bakery "), "zo-s-bakery");
    }
}
