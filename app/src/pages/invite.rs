//! `/{org}/invite/{token}`: a new person chooses their password.
use crate::api::users::{load_invitation, AcceptInvitation};
use crate::pages::password::{NewPasswordFields, PasswordLinkPage};
use leptos::prelude::*;

#[component]
pub fn InvitePage() -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = Signal::derive(move || accept.value().get().and_then(|r| r.err()));
    view! {
        <PasswordLinkPage
            title="Choose your password"
            load=load_invitation
            heading=|i| format!("Welcome to {}, {}", i.org_name, i.first_name)
            subtitle=|i| format!("Choose a password for {}.", i.email)
            form=move |i, token| view! {
                <ActionForm action=accept attr:class="form" attr:data-testid="invite-form">
                    <NewPasswordFields token rules=i.rules error new_label="Password" confirm_label="Confirm password" />
                    <button type="submit" class="btn btn-primary btn-block">"Set password"</button>
                </ActionForm>
            }.into_any()
        />
    }
}
