//! The dialogs of Users and of a user's page: adding people (then their
//! invitation links), changing account type, deactivating, deleting an invitation.
use crate::api::users::{ChangeAccountType, DeactivateUsers, DeleteInvitation, InviteUsers};
use crate::components::copy::CopyField;
use crate::components::dialog::focus_soon;
use crate::components::frame::use_org;
use crate::components::picker::PersonPicker;
use crate::components::{Dialog, FieldError, FormError};
use crate::domain::views::{Choice, InvitationLink, UserSummary};
use crate::pages::admin::audit::time_view;
use leptos::prelude::*;
use std::collections::BTreeSet;

pub fn status_badge(u: &UserSummary) -> impl IntoView {
    let (label, class) = if !u.status.is_active() {
        ("Inactive", "badge badge-danger")
    } else if u.invite_pending {
        ("Invited", "badge badge-info")
    } else {
        ("Active", "badge badge-success")
    };
    view! { <span class=class data-testid="user-status">{label}</span> }
}

pub fn guest_badge(u: &UserSummary) -> impl IntoView {
    u.is_guest.then(|| view! { <span class="badge badge-info" data-testid="user-guest" title="Outside your identity provider; signs in with a password">"Guest"</span> })
}

pub fn origin_badge(origin: crate::domain::Origin) -> impl IntoView {
    if origin.is_managed_by_idp() {
        view! { <span class="badge badge-managed" title="Change this person in your identity provider">"Managed by your identity provider"</span> }.into_any()
    } else {
        view! { <span class="muted">"Local"</span> }.into_any()
    }
}

/// What the Add users dialog offers: account types, teams, and the invitation default.
#[derive(Clone, PartialEq)]
pub struct InviteChoices {
    pub types: Vec<Choice>,
    pub teams: Vec<Choice>,
    pub default_type: String,
}

/// "Add users": people, their account type and teams; then their invitation
/// links, each with Copy. `links` also shows links made elsewhere (a new
/// invitation link for one person), with the form left out.
#[component]
pub fn InviteDialog(open: RwSignal<bool>, links: RwSignal<Vec<InvitationLink>>, #[prop(into)] choices: Signal<Option<InviteChoices>>, invite: ServerAction<InviteUsers>) -> impl IntoView {
    let close = Callback::new(move |_| {
        open.set(false);
        links.set(Vec::new());
    });
    Effect::new(move |_| {
        if let Some(Ok(l)) = invite.value().get() {
            links.set(l);
        }
    });
    // The form gives way to the links: focus goes to their Done button.
    Effect::new(move |had: Option<bool>| {
        let has = !links.with(|l| l.is_empty());
        if has && had == Some(false) {
            focus_soon("[data-testid=invitation-links] .form-actions button");
        }
        has
    });
    let title = Signal::derive(move || if links.with(|l| l.is_empty()) { "Add users".to_string() } else { "Invitation links".to_string() });
    view! {
        <Dialog open=Signal::derive(move || open.get() || !links.with(|l| l.is_empty())) on_close=close title testid="add-users" size="wide">
            {move || if links.with(|l| l.is_empty()) {
                choices.get().map(|c| view! { <AddUsersForm choices=c invite on_cancel=close /> }.into_any())
            } else {
                Some(view! { <InvitationLinks links on_done=close /> }.into_any())
            }}
        </Dialog>
    }
}

#[component]
fn AddUsersForm(choices: InviteChoices, invite: ServerAction<InviteUsers>, on_cancel: Callback<()>) -> impl IntoView {
    let org = use_org();
    let people = RwSignal::new(String::new());
    let account_type = RwSignal::new(choices.default_type.clone());
    let chosen_teams: RwSignal<BTreeSet<String>> = RwSignal::new(BTreeSet::new());
    let guest = RwSignal::new(false);
    // A message from an earlier attempt does not belong to this one.
    invite.value().set(None);
    let error = Signal::derive(move || invite.value().get().and_then(|r| r.err()));
    let clear = move || {
        if invite.value().with_untracked(|v| v.as_ref().is_some_and(|r| r.is_err())) {
            invite.value().set(None);
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        invite.dispatch(InviteUsers {
            org: org.get_untracked(),
            people: people.get_untracked(),
            account_type_id: account_type.get_untracked(),
            team_ids: chosen_teams.get_untracked().into_iter().collect(),
            guest: Some(guest.get_untracked()),
        });
    };
    let default_type = choices.default_type.clone();
    view! {
        <form class="form" on:submit=submit>
            <p class="muted">"One person per line: email, first name, last name (names are optional). Each gets an invitation link, valid for 7 days, to choose a password."</p>
            <FormError error=error fields=&["people", "account_type", "guest"] />
            <label for="people">"People"</label>
            <textarea id="people" rows="4" placeholder="ada@example.com, Ada, Lovelace" prop:value=people
                on:input=move |ev| { people.set(event_target_value(&ev)); clear(); }></textarea>
            <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("people"))) />
            <label for="new-type">"Account type"</label>
            <select id="new-type" on:change=move |ev| account_type.set(event_target_value(&ev))>
                {choices.types.into_iter().map(|t| { let sel = t.id == default_type; view! { <option value=t.id selected=sel>{t.label}</option> } }).collect_view()}
            </select>
            {(!choices.teams.is_empty()).then(|| view! {
                <fieldset class="checks-fieldset">
                    <legend class="label">"Teams"</legend>
                    <div class="checks">
                        {choices.teams.into_iter().map(|t| {
                            let id = t.id.clone();
                            view! {
                                <label class="check-inline"><input type="checkbox" on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let id = id.clone();
                                    chosen_teams.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                                } />{t.label}</label>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
            })}
            <label class="check-inline">
                <input type="checkbox" data-testid="invite-guest" prop:checked=guest on:change=move |ev| { guest.set(event_target_checked(&ev)); clear(); } />
                "Guests (outside your identity provider; they sign in with a password)"
            </label>
            <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("guest"))) />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || invite.pending().get()>"Add and create invitation links"</button>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </form>
    }
}

#[component]
fn InvitationLinks(links: RwSignal<Vec<InvitationLink>>, on_done: Callback<()>) -> impl IntoView {
    view! {
        <div data-testid="invitation-links">
            <p class="muted">{move || if links.with(|l| !l.is_empty() && l.iter().all(|l| l.mailed)) {
                "Each person was sent their link by mail; you can copy it here too. It works once, until the date shown."
            } else {
                "Send each person their link. It works once, until the date shown; mail is not set up on this server."
            }}</p>
            <ul class="links">
                {move || links.get().into_iter().map(|l| view! {
                    <li data-testid="invitation-link" data-email=l.email.clone()>
                        <span><strong>{l.email.clone()}</strong>
                        <span class="muted">" · valid until " {time_view(&l.expires_at)}</span></span>
                        <CopyField value=l.link.clone() label="Invitation link" testid="invitation-url" />
                    </li>
                }).collect_view()}
            </ul>
            <div class="form-actions">
                <button type="button" class="btn btn-primary" autofocus on:click=move |_| on_done.run(())>"Done"</button>
            </div>
        </div>
    }
}

/// Who a change of account type is for.
#[derive(Clone, PartialEq)]
pub struct TypeChange {
    pub user_ids: Vec<String>,
    /// "Ada Lovelace" or "3 people".
    pub who: String,
    /// Their account type when they all have the same one.
    pub current: Option<String>,
    /// Whether any of them administers the organization now.
    pub any_admin: bool,
    /// Whether all of them do.
    pub all_admin: bool,
}

/// What saving the dialog would do to administration, for its wording.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum AdminEffect {
    None,
    Grants,
    Removes,
}

pub fn admin_effect(change: &TypeChange, chosen_administers: bool) -> AdminEffect {
    if chosen_administers && !change.all_admin {
        AdminEffect::Grants
    } else if !chosen_administers && change.any_admin {
        AdminEffect::Removes
    } else {
        AdminEffect::None
    }
}

/// Changes the account type of one or more people. Nothing is saved until the
/// button is pressed; the button and a warning say when the change grants or
/// removes administration, naming who it is for.
#[component]
pub fn ChangeTypeDialog(
    target: RwSignal<Option<TypeChange>>,
    #[prop(into)] types: Signal<Vec<Choice>>,
    #[prop(into)] admin_types: Signal<Vec<String>>,
    action: ServerAction<ChangeAccountType>,
) -> impl IntoView {
    let org = use_org();
    let choice = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(t) = target.get() {
            choice.set(t.current.clone().unwrap_or_default());
            action.value().set(None);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            target.set(None);
        }
    });
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let title = Signal::derive(move || target.get().map(|t| format!("Change account type of {}", t.who)).unwrap_or_default());
    let effect = Signal::derive(move || {
        let chosen = choice.get();
        target.with(|t| t.as_ref().map(|t| admin_effect(t, admin_types.with(|a| a.contains(&chosen))))).unwrap_or(AdminEffect::None)
    });
    let unchanged = Signal::derive(move || {
        let chosen = choice.get();
        chosen.is_empty() || target.with(|t| t.as_ref().and_then(|t| t.current.as_ref()) == Some(&chosen))
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if unchanged.get_untracked() {
            return;
        }
        if let Some(t) = target.get_untracked() {
            action.dispatch(ChangeAccountType { org: org.get_untracked(), user_ids: t.user_ids, account_type_id: choice.get_untracked() });
        }
    };
    let who = move || target.with(|t| t.as_ref().map(|t| t.who.clone()).unwrap_or_default());
    view! {
        <Dialog open=Signal::derive(move || target.with(|t| t.is_some())) on_close=Callback::new(move |_| target.set(None)) title testid="change-type-dialog">
            <form class="form" on:submit=submit>
                <FormError error=error />
                <label for="change-type">"Account type"</label>
                <select id="change-type" data-testid="change-type-select" prop:value=move || choice.get() on:change=move |ev| choice.set(event_target_value(&ev))>
                    <option value="" disabled selected=move || choice.get().is_empty()>"Choose an account type…"</option>
                    {move || types.get().into_iter().map(|t| { let id = t.id.clone(); view! { <option value=t.id selected=move || choice.get() == id>{t.label}</option> } }).collect_view()}
                </select>
                {move || match effect.get() {
                    AdminEffect::Grants => Some(view! {
                        <p class="alert alert-warning" data-testid="admin-effect">
                            {format!("{} will administer the organization: sign-in settings, the identity provider, account types and every person's access.", who())}
                        </p>
                    }.into_any()),
                    AdminEffect::Removes => Some(view! {
                        <p class="alert alert-warning" data-testid="admin-effect">
                            {format!("{} will no longer administer the organization. From their next click they have only the new account type's permissions.", who())}
                        </p>
                    }.into_any()),
                    AdminEffect::None => None,
                }}
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" data-testid="confirm-change-type" disabled=move || action.pending().get() || unchanged.get()>
                        {move || match effect.get() {
                            AdminEffect::Grants => "Make administrator",
                            AdminEffect::Removes => "Remove administrator rights",
                            AdminEffect::None => "Change account type",
                        }}
                    </button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| target.set(None)>"Cancel"</button>
                </div>
            </form>
        </Dialog>
    }
}

/// People an action is for, and how to name them ("Ada Lovelace", "3 people").
#[derive(Clone, PartialEq, Debug)]
pub struct People {
    pub ids: Vec<String>,
    pub who: String,
}

/// Asks who receives the documents of the people being deactivated.
#[component]
pub fn DeactivateDialog(target: RwSignal<Option<People>>, deactivate: ServerAction<DeactivateUsers>) -> impl IntoView {
    let org = use_org();
    let owner: RwSignal<Option<Choice>> = RwSignal::new(None);
    Effect::new(move |_| {
        if target.with(|t| t.is_some()) {
            owner.set(None);
            deactivate.value().set(None);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = deactivate.value().get() {
            target.set(None);
        }
    });
    let error = Signal::derive(move || deactivate.value().get().and_then(|r| r.err()));
    let title = Signal::derive(move || target.with(|t| t.as_ref().map(|p| format!("Deactivate {}?", p.who)).unwrap_or_default()));
    view! {
        <Dialog open=Signal::derive(move || target.with(|t| t.is_some())) on_close=Callback::new(move |_| target.set(None)) title testid="deactivate-dialog" tone="danger">
            <p>"Their sessions end at once and they can no longer sign in. Their profile is kept, and you can reactivate them later."</p>
            <p><strong>"New owner of their documents: "</strong>
                {move || owner.get().map(|c| c.label).unwrap_or_else(|| "you".to_string())}</p>
            <PersonPicker org=org placeholder="Choose someone else…" on_pick=Callback::new(move |c| owner.set(Some(c))) />
            <FormError error=error />
            <div class="form-actions">
                <button type="button" class="btn btn-danger" data-testid="confirm-deactivate" disabled=move || deactivate.pending().get() on:click=move |_| {
                    if let Some(p) = target.get_untracked() {
                        deactivate.dispatch(DeactivateUsers { org: org.get_untracked(), user_ids: p.ids, new_owner_id: owner.get_untracked().map(|c| c.id) });
                    }
                }>"Deactivate"</button>
                <button type="button" class="btn btn-secondary" on:click=move |_| target.set(None)>"Cancel"</button>
            </div>
        </Dialog>
    }
}

/// Deleting an invitation removes the person, who never signed in.
#[component]
pub fn DeleteInvitationDialog(target: RwSignal<Option<(String, String)>>, action: ServerAction<DeleteInvitation>) -> impl IntoView {
    let org = use_org();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            target.set(None);
        }
    });
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <Dialog open=Signal::derive(move || target.with(|t| t.is_some())) on_close=Callback::new(move |_| target.set(None))
            title="Delete the invitation?" testid="delete-invitation-dialog" tone="danger">
            <p>{move || target.get().map(|(_, email)| format!("{email} has not accepted yet. Deleting the invitation removes them from Gatehouse; their link stops working."))}</p>
            <FormError error=error />
            <div class="form-actions">
                <button type="button" class="btn btn-danger" on:click=move |_| {
                    if let Some((id, _)) = target.get_untracked() {
                        action.dispatch(DeleteInvitation { org: org.get_untracked(), user_id: id });
                    }
                }>"Delete invitation"</button>
                <button type="button" class="btn btn-secondary" on:click=move |_| target.set(None)>"Cancel"</button>
            </div>
        </Dialog>
    }
}
