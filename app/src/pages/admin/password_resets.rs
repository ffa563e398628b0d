//! Password reset links from Administration: on a person's page, and for the
//! selection on Users. Asks first (the people's sessions end at once), then
//! shows each link to copy and says whether it went out by mail.
use crate::api::passwords::ResetPasswords;
use crate::components::copy::CopyField;
use crate::components::frame::use_org;
use crate::components::{plural, Dialog, FormError};
use crate::domain::views::{PasswordResets, UserSummary};
use crate::pages::admin::audit::time_view;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Whether a person can be sent a reset link from here (the server decides for sure).
fn resettable(u: &UserSummary) -> bool {
    u.status.is_active() && !u.invite_pending
}

/// The people a reset is for, and how to name them.
#[derive(Clone, PartialEq)]
struct Target {
    ids: Vec<String>,
    who: String,
}

/// The dialog: confirm, then the links.
#[component]
fn ResetDialog(target: RwSignal<Option<Target>>, action: ServerAction<ResetPasswords>) -> impl IntoView {
    let org = use_org();
    let done: RwSignal<Option<PasswordResets>> = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(Ok(r)) = action.value().get() {
            done.set(Some(r));
        }
    });
    Effect::new(move |_| {
        if target.with(|t| t.is_some()) {
            action.value().set(None);
            done.set(None);
        }
    });
    let close = Callback::new(move |_| {
        target.set(None);
        done.set(None);
    });
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let title = Signal::derive(move || match (done.get(), target.get()) {
        (Some(_), _) => "Password reset links".to_string(),
        (None, Some(t)) => format!("Reset the password of {}?", t.who),
        _ => String::new(),
    });
    view! {
        <Dialog open=Signal::derive(move || target.with(|t| t.is_some())) on_close=close title testid="reset-password-dialog" size="wide">
            {move || match done.get() {
                None => view! {
                    <p>"Their sessions end at once. Each gets a link to choose a new password: it works once, for one hour. Their current password works until then; their authenticator app stays."</p>
                    <FormError error=error />
                    <div class="form-actions">
                        <button type="button" class="btn btn-primary" data-testid="confirm-reset-password" disabled=move || action.pending().get() on:click=move |_| {
                            if let Some(t) = target.get_untracked() {
                                action.dispatch(ResetPasswords { org: org.get_untracked(), user_ids: t.ids });
                            }
                        }>"Reset password"</button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| close.run(())>"Cancel"</button>
                    </div>
                }.into_any(),
                Some(r) => view! {
                    <div data-testid="reset-links">
                        {r.skipped.iter().map(|s| view! { <p class="muted small" data-testid="reset-skipped">{format!("Skipped: {s}")}</p> }).collect_view()}
                        <ul class="links">
                            {r.links.into_iter().map(|l| view! {
                                <li data-testid="reset-link" data-email=l.email.clone()>
                                    <span><strong>{l.email.clone()}</strong>
                                    <span class="muted">" · valid until " {time_view(&l.expires_at)}
                                        {if l.mailed { " · sent by mail" } else { " · copy it to them: mail is not set up" }}</span></span>
                                    <CopyField value=l.link.clone() label="Password reset link" testid="reset-url" />
                                </li>
                            }).collect_view()}
                        </ul>
                        <div class="form-actions">
                            <button type="button" class="btn btn-primary" autofocus on:click=move |_| close.run(())>"Done"</button>
                        </div>
                    </div>
                }.into_any(),
            }}
        </Dialog>
    }
}

/// A person's page: "Reset password…" for someone who can have a link.
#[component]
pub fn ResetPasswordButton(user: UserSummary) -> impl IntoView {
    let action = ServerAction::<ResetPasswords>::new();
    let target: RwSignal<Option<Target>> = RwSignal::new(None);
    let who = user.display_name_or_email();
    let id = user.id.clone();
    resettable(&user).then(|| {
        view! {
            <button type="button" class="btn btn-secondary" data-testid="reset-password" on:click=move |_| target.set(Some(Target { ids: vec![id.clone()], who: who.clone() }))>
                "Reset password…"
            </button>
            <ResetDialog target action />
        }
    })
}

/// Users' bulk bar: "Reset passwords…" for the selected people who can have a link.
#[component]
pub fn BulkResetButton(selected: RwSignal<BTreeMap<String, UserSummary>>) -> impl IntoView {
    let action = ServerAction::<ResetPasswords>::new();
    let target: RwSignal<Option<Target>> = RwSignal::new(None);
    let people = Memo::new(move |_| selected.with(|s| s.values().filter(|u| resettable(u)).cloned().collect::<Vec<_>>()));
    view! {
        <Show when=move || !people.with(|p| p.is_empty())>
            <button type="button" class="btn btn-secondary btn-small" data-testid="bulk-reset-password" on:click=move |_| {
                let p = people.get_untracked();
                let who = match p.as_slice() { [one] => one.display_name_or_email(), _ => plural(p.len() as i64, "person", "people") };
                target.set(Some(Target { ids: p.into_iter().map(|u| u.id).collect(), who }));
            }>"Reset passwords…"</button>
        </Show>
        <ResetDialog target action />
    }
}
