//! `/{org}/profile`: the signed-in person's account type and teams, their
//! password and two-step verification.
use crate::components::frame::{use_me, use_org};
use crate::components::ErrorPanel;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let me = use_me();
    let org = use_org();
    view! {
        <Title text="Profile" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(m) => view! {
                        <div class="page-header">
                            <h1>"Your profile"</h1>
                            <p class="muted">{m.org_name.clone()}</p>
                        </div>
                        <crate::pages::home::ProfileCard me=m.clone() />
                    }.into_any(),
                }
            })}
        </Transition>
        // Outside the Transition: a resource made inside a Suspend's future may
        // run its server function after the page's owner (and its context) is gone.
        <crate::pages::password::ChangePasswordCard />
        <crate::pages::mfa::MfaCard />
    }
}
