//! The notice on a user or team page that the identity provider still manages
//! the record although provisioning is off, with a button to release it.
use crate::api::provisioning::ReleaseManaged;
use leptos::prelude::*;

#[component]
pub fn ReleaseNotice(
    action: ServerAction<ReleaseManaged>,
    #[prop(into)] org: Signal<String>,
    /// "users" or "teams".
    kind: &'static str,
    #[prop(into)] id: String,
) -> impl IntoView {
    let what = if kind == "teams" { "team" } else { "person" };
    view! {
        <div class="alert alert-info">
            {format!("Provisioning is off, but your identity provider still manages this {what}. ")}
            <button class="btn btn-secondary btn-small" data-testid="release" on:click=move |_| {
                action.dispatch(ReleaseManaged { org: org.get_untracked(), kind: kind.into(), id: Some(id.clone()) });
            }>"Release to Gatehouse"</button>
        </div>
    }
}
