//! `/{org}`: where signed-in people land: their documents, then their profile.
use crate::components::frame::use_me;
use crate::components::frame::use_org;
use crate::components::ErrorPanel;
use crate::domain::views::Me;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    // The documents' resource lives outside the Suspend of `me`: a resource made
    // inside another's Suspend keeps the server-rendered page from finishing.
    view! {
        <Title text="Home" />
        <PersonHeader heading=|m| format!("Welcome, {}", m.first_name) />
        <crate::pages::documents::DocumentsSection />
        <SignedInProfile />
    }
}

/// A page's header for the signed-in person: `heading` of them, their
/// organization below (or why they could not be loaded).
#[component]
pub fn PersonHeader(heading: fn(&Me) -> String) -> impl IntoView {
    let me = use_me();
    let org = use_org();
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(m) => view! {
                        <div class="page-header">
                            <h1>{heading(&m)}</h1>
                            <p class="muted">{m.org_name.clone()}</p>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The signed-in person's profile card, once they are loaded.
#[component]
pub fn SignedInProfile() -> impl IntoView {
    let me = use_me();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move { me.await.ok().map(|m| view! { <ProfileCard me=m /> }) })}
        </Transition>
    }
}

/// Name, email, account type and teams of the signed-in person.
#[component]
pub fn ProfileCard(me: Me) -> impl IntoView {
    let m = me;
    let teams = if m.teams.is_empty() {
        view! { <p class="muted" data-testid="teams">"Not a member of any team yet."</p> }.into_any()
    } else {
        view! {
            <ul class="chips" data-testid="teams">
                {m.teams.iter().map(|t| view! { <li class="chip">{t.clone()}</li> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="card">
            <h2>"Your profile"</h2>
            {m.is_guest.then(|| view! {
                <p><span class="badge badge-info" data-testid="profile-guest">"Guest"</span></p>
            })}
            {m.origin.is_managed_by_idp().then(|| view! {
                <p><span class="badge badge-managed" data-testid="profile-managed">"Managed by your identity provider"</span>
                " Your name, account type and teams are set there."</p>
            })}
            <dl class="details">
                <dt>"Name"</dt><dd data-testid="profile-name">{m.display_name()}</dd>
                <dt>"Email"</dt><dd data-testid="profile-email">{m.email.clone()}</dd>
                <dt>"Account type"</dt><dd><span class="badge" data-testid="profile-account-type">{m.account_type.clone()}</span></dd>
                <dt>"Teams"</dt><dd>{teams}</dd>
            </dl>
        </section>
    }
}
