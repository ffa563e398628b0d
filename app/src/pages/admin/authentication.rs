//! Administration > Authentication: how people sign in, and provisioning from
//! the identity provider (SCIM), with links to what each did lately.
use crate::components::frame::use_org;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn AuthenticationPage() -> impl IntoView {
    let org = use_org();
    view! {
        <Title text="Authentication" />
        <div class="page-header">
            <h1>"Authentication"</h1>
            <p class="muted">"How people sign in, and how your identity provider manages users and teams."</p>
            <nav class="activity-links" aria-label="Activity" data-testid="activity-links">
                <A href=move || format!("/{}/admin/sso-activity", org.get())>"SSO sign-in activity"</A>
                " · "
                <A href=move || format!("/{}/admin/provisioning-activity", org.get())>"Provisioning activity"</A>
            </nav>
        </div>
        <crate::pages::admin::sign_in_method::SignInMethodSection />
        <crate::pages::admin::provisioning::ProvisioningSection />
        <crate::pages::admin::allowlist::AllowlistSection />
    }
}
