//! Administration > Teams > a team: its name and description, its members
//! (added through a search picker), its team admins, who sees it (public or
//! private), deactivating it; read-only when the identity provider manages it.
//! The page draws only what the server says the caller may do (`TeamPowers`):
//! everything for administrators, the name, members and deactivation for the
//! team's team admins, nothing for anyone else.
use super::teams::managed_badge;
use crate::api::provisioning::ReleaseManaged;
use crate::api::teams::{get_team, ChangeTeamMembers, SetTeamActive, SetTeamAdmin, SetTeamVisibility, UpdateTeam};
use crate::components::frame::use_org;
use crate::components::picker::PersonPicker;
use crate::components::release::ReleaseNotice;
use crate::components::toast::{report, successes};
use crate::components::{plural, Dialog, ErrorPanel, FieldError, FormError};
use crate::domain::views::Choice;
use crate::domain::Visibility;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeSet;

#[component]
pub fn TeamPage() -> impl IntoView {
    let org = use_org();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let update = ServerAction::<UpdateTeam>::new();
    let members = ServerAction::<ChangeTeamMembers>::new();
    let set_active = ServerAction::<SetTeamActive>::new();
    report(update, "Team saved", &["name", "description"]);
    report(set_active, "Team updated", &[]);
    report(members, "Members updated", &[]);
    let release = ServerAction::<ReleaseManaged>::new();
    report(release, "Now managed in Gatehouse", &[]);
    let team_admin = ServerAction::<SetTeamAdmin>::new();
    report(team_admin, "Team admins updated", &[]);
    let visibility = ServerAction::<SetTeamVisibility>::new();
    report(visibility, "Visibility saved", &[]);
    let updated = successes(update);
    let detail = crate::components::data(
        move || (org.get(), id.get(), updated.get(), members.version().get(), (set_active.version().get(), release.version().get(), team_admin.version().get(), visibility.version().get())),
        |(o, id, ..)| get_team(o, id),
    );
    let selected: RwSignal<BTreeSet<String>> = RwSignal::new(BTreeSet::new());
    let error = Signal::derive(move || update.value().get().and_then(|r| r.err()));
    let confirm_deactivate: RwSignal<Option<(String, String)>> = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(Ok(())) = set_active.value().get() {
            confirm_deactivate.set(None);
        }
    });
    view! {
        <Title text="Team" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(d) => {
                        let t = d.team.clone();
                        let managed = t.origin.is_managed_by_idp();
                        let active = t.status.is_active();
                        let may = d.may;
                        let private = t.visibility.is_private();
                        let tid = StoredValue::new(t.id.clone());
                        let tname = StoredValue::new(t.name.clone());
                        let pick = Callback::new(move |c: Choice| {
                            members.dispatch(ChangeTeamMembers { org: org.get_untracked(), team_id: tid.get_value(), user_ids: vec![c.id], add: true });
                        });
                        view! {
                            <div class="page-header">
                                <A href=move || format!("/{}/admin/teams", org.get()) attr:class="back-link">"← Teams"</A>
                                <h1 data-testid="team-name">{t.name.clone()}</h1>
                                <p class="muted">
                                    {plural(t.member_count, "member", "members")}
                                    {(!active).then(|| view! { " · " <span class="badge badge-danger">"Deactivated"</span> })}
                                    {managed.then(|| view! { " · " {managed_badge()} })}
                                    {private.then(|| view! { " · " <span class="badge badge-info" data-testid="private-badge">"Private"</span> })}
                                    {(t.you_administer && !may.team_admins).then(|| view! { " · " <span class="badge badge-success">"You are a team admin"</span> })}
                                </p>
                            </div>
                            {d.can_release.then(|| view! { <ReleaseNotice action=release org=org kind="teams" id=tid.get_value() /> })}
                            {managed.then(|| view! {
                                <div class="alert alert-info" data-testid="managed-note">
                                    "Your identity provider manages this team (a group pushed to Gatehouse): change its name and members there."
                                </div>
                            })}
                            {may.edit.then(|| view! {
                                <section class="card">
                                    <h2>"Details"</h2>
                                    <ActionForm action=update attr:class="form" on:input=move |_| {
                                        if update.value().with_untracked(|v| v.as_ref().is_some_and(|r| r.is_err())) { update.value().set(None); }
                                    }>
                                        <FormError error=error fields=&["name", "description"] />
                                        <input type="hidden" name="org" value=org.get_untracked() />
                                        <input type="hidden" name="id" value=tid.get_value() />
                                        <div class="row">
                                            <div>
                                                <label for="team-name">"Name"</label>
                                                <input id="team-name" name="name" type="text" required value=t.name.clone() />
                                                <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("name"))) />
                                            </div>
                                            <div>
                                                <label for="team-description">"Description"</label>
                                                <input id="team-description" name="description" type="text" value=t.description.clone() />
                                                <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("description"))) />
                                            </div>
                                        </div>
                                        <div class="form-actions">
                                            <button type="submit" class="btn btn-primary">"Save"</button>
                                            {may.deactivate.then(|| view! { <button type="button" class="btn btn-danger-outline" data-testid="team-toggle" on:click=move |_| {
                                                set_active.value().set(None);
                                                confirm_deactivate.set(Some((tid.get_value(), tname.get_value())));
                                            }>"Deactivate team…"</button> })}
                                            {may.reactivate.then(|| view! { <button type="button" class="btn btn-secondary" data-testid="team-toggle" on:click=move |_| {
                                                set_active.dispatch(SetTeamActive { org: org.get_untracked(), id: tid.get_value(), active: true });
                                            }>"Reactivate team"</button> })}
                                        </div>
                                    </ActionForm>
                                </section>
                            })}
                            {may.visibility.then(|| view! { <VisibilityCard action=visibility team_id=tid.get_value() current=t.visibility /> })}
                            <section class="card">
                                <div class="with-actions">
                                    <h2>"Members"</h2>
                                    {may.members.then(|| view! {
                                        <PersonPicker org=org placeholder="Add people: type a name or email" on_pick=pick testid="member-picker" id="member-picker" />
                                    })}
                                </div>
                                {may.members.then(|| view! {
                                    <Show when=move || !selected.with(|s| s.is_empty())>
                                        <div class="bulkbar">
                                            <strong>{move || format!("{} selected", selected.with(|s| s.len()))}</strong>
                                            <button type="button" class="btn btn-danger-outline btn-small" on:click=move |_| {
                                                let ids: Vec<String> = selected.get_untracked().into_iter().collect();
                                                selected.set(BTreeSet::new());
                                                members.dispatch(ChangeTeamMembers { org: org.get_untracked(), team_id: tid.get_value(), user_ids: ids, add: false });
                                            }>"Remove from team"</button>
                                        </div>
                                    </Show>
                                })}
                                {if d.members.is_empty() {
                                    view! { <p class="muted">"No members yet."</p> }.into_any()
                                } else { view! {
                                <div class="table-scroll" tabindex="0" role="region" aria-label="Members">
                                    <table class="table" data-testid="members-table">
                                        <thead><tr>
                                            <th class="check"><span class="visually-hidden">"Select"</span></th><th>"Name"</th><th>"Email"</th><th>"Account type"</th><th>"Status"</th>
                                            <th>"Team admin"</th>
                                            <th><span class="visually-hidden">"Actions"</span></th>
                                        </tr></thead>
                                        <tbody>
                                            {d.members.into_iter().map(|m| {
                                                let uid = m.user_id.clone();
                                                let uid2 = m.user_id.clone();
                                                let uid3 = m.user_id.clone();
                                                let (status, class) = if !m.status.is_active() {
                                                    ("Inactive", "badge badge-danger")
                                                } else if m.invite_pending {
                                                    ("Invited", "badge badge-info")
                                                } else {
                                                    ("Active", "badge badge-success")
                                                };
                                                let href = format!("/{}/admin/users/{}", org.get_untracked(), m.user_id);
                                                let remove_label = format!("Remove {} from the team", m.email);
                                                // A team admin removes only people Gatehouse manages, and no team admin (an administrator's choice).
                                                let removable = may.members && (may.managed_people || (!m.managed_by_idp && !m.team_admin));
                                                let uid4 = m.user_id.clone();
                                                let is_team_admin = m.team_admin;
                                                let admin_label = format!("Team admin: {}", m.email);
                                                view! {
                                                    <tr data-testid="member-row" data-email=m.email.clone()>
                                                        <td class="check">{removable.then(|| view! {
                                                            <input type="checkbox" aria-label=format!("Select {}", m.email)
                                                                prop:checked=move || selected.with(|s| s.contains(&uid))
                                                                on:change=move |ev| { let on = event_target_checked(&ev); let id = uid2.clone(); selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } }); } />
                                                        })}</td>
                                                        <td>{if may.open_people { view! { <A href=href>{m.name.clone()}</A> }.into_any() } else { m.name.clone().into_any() }}</td>
                                                        <td>{m.email.clone()}</td>
                                                        <td>{m.account_type.clone()}</td>
                                                        <td><span class=class>{status}</span></td>
                                                        <td data-testid="team-admin-cell">{if may.team_admins {
                                                            view! {
                                                                <label class="check-inline">
                                                                    <input type="checkbox" data-testid="team-admin-toggle" aria-label=admin_label prop:checked=is_team_admin
                                                                        disabled=move || team_admin.pending().get()
                                                                        on:change=move |ev| {
                                                                            team_admin.dispatch(SetTeamAdmin { org: org.get_untracked(), team_id: tid.get_value(), user_id: uid4.clone(), on: event_target_checked(&ev) });
                                                                        } />
                                                                    <span aria-hidden="true">"Team admin"</span>
                                                                </label>
                                                            }.into_any()
                                                        } else if is_team_admin {
                                                            view! { <span class="badge badge-success">"Team admin"</span> }.into_any()
                                                        } else {
                                                            ().into_any()
                                                        }}</td>
                                                        <td class="actions">{removable.then(|| view! {
                                                            <button type="button" class="btn btn-secondary btn-small" aria-label=remove_label on:click=move |_| {
                                                                members.dispatch(ChangeTeamMembers { org: org.get_untracked(), team_id: tid.get_value(), user_ids: vec![uid3.clone()], add: false });
                                                            }>"Remove"</button>
                                                        })}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                }.into_any() }}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <Dialog open=Signal::derive(move || confirm_deactivate.with(|c| c.is_some())) on_close=Callback::new(move |_| confirm_deactivate.set(None))
            title=Signal::derive(move || confirm_deactivate.get().map(|(_, n)| format!("Deactivate “{n}”?")).unwrap_or_default())
            testid="deactivate-team-dialog" tone="danger">
            <p>"Its members keep their accounts, but the team's workspace is hidden from them and its members cannot change until you reactivate the team."</p>
            <FormError error=Signal::derive(move || set_active.value().get().and_then(|r| r.err())) />
            <div class="form-actions">
                <button type="button" class="btn btn-danger" data-testid="confirm-deactivate-team" disabled=move || set_active.pending().get() on:click=move |_| {
                    if let Some((id, _)) = confirm_deactivate.get_untracked() {
                        set_active.dispatch(SetTeamActive { org: org.get_untracked(), id, active: false });
                    }
                }>"Deactivate team"</button>
                <button type="button" class="btn btn-secondary" on:click=move |_| confirm_deactivate.set(None)>"Cancel"</button>
            </div>
        </Dialog>
    }
}

/// Who sees the team: everyone in the organization, or its members and the
/// administrators. Administrators only (the server refuses everyone else).
#[component]
fn VisibilityCard(action: ServerAction<SetTeamVisibility>, team_id: String, current: Visibility) -> impl IntoView {
    let org = use_org();
    let chosen = RwSignal::new(current);
    let choices =
        [(Visibility::Public, "Public", "Everyone in the organization sees the team and its members."), (Visibility::Private, "Private", "Only its members and administrators see the team.")];
    view! {
        <section class="card">
            <h2 id="visibility-heading">"Who sees this team"</h2>
            <ActionForm action=action attr:class="form" attr:data-testid="visibility-form">
                <input type="hidden" name="org" value=org.get_untracked() />
                <input type="hidden" name="id" value=team_id />
                <fieldset class="radios" aria-labelledby="visibility-heading">
                    {choices.into_iter().map(|(v, label, hint)| view! {
                        <label class="check-inline">
                            <input type="radio" name="visibility" value=v.as_str() prop:checked=move || chosen.get() == v on:change=move |_| chosen.set(v) />
                            <span>{label}<span class="hint">{format!(" — {hint}")}</span></span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" data-testid="save-visibility" disabled=move || action.pending().get() || chosen.get() == current>"Save visibility"</button>
                </div>
            </ActionForm>
        </section>
    }
}
