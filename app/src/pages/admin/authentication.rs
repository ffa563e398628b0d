//! Administration > Authentication: how people sign in, and provisioning from
//! the identity provider (SCIM).
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
        <crate::pages::admin::provisioning::ProvisioningSection />
        <crate::pages::admin::allowlist::AllowlistSection />
    }
}
