//! Administration > Users: the table (search, filters, sort, page and page
//! size in the URL, applied as you type), bulk actions that offer only what
//! applies to the selection, a menu per row, and adding people with
//! invitation links. The page of one person is in `user.rs`.
use crate::api::account_types::list_account_types;
use crate::api::teams::ChangeTeamMembers;
use crate::api::users::{list_users, ChangeAccountType, DeactivateUsers, DeleteInvitation, InviteUsers, ReactivateUsers, ResendInvitation};
use crate::components::frame::use_org;
use crate::components::table::{highlight, idp_badge, use_table_state, Col, DataTable, FilterSelect, Pager, TableControls};
use crate::components::toast::{report, successes};
use crate::components::{plural, ErrorPanel, Menu};
use crate::domain::views::{Choice, InvitationLink, UserQuery, UserSummary};
use crate::pages::admin::audit::time_view;
use crate::pages::admin::user_dialogs::{guest_badge, status_badge, ChangeTypeDialog, DeactivateDialog, DeleteInvitationDialog, InviteChoices, InviteDialog, People, TypeChange};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use std::collections::BTreeMap;

/// The dialogs a row's menu opens, shared by every row.
#[derive(Clone, Copy)]
struct RowDialogs {
    change_type: RwSignal<Option<TypeChange>>,
    deactivate: RwSignal<Option<People>>,
    delete_invitation: RwSignal<Option<(String, String)>>,
}

/// The selected people, kept with their rows so the bulk actions can tell
/// what applies to whom, across pages.
type Selection = RwSignal<BTreeMap<String, UserSummary>>;

#[component]
pub fn UsersPage() -> impl IntoView {
    let org = use_org();
    let q = use_query_map();
    let table = use_table_state("name");
    let current = Memo::new(move |_| {
        let t = table.get();
        let q = q.read();
        UserQuery { search: t.search, account_type: q.get("type").unwrap_or_default(), status: q.get("status").unwrap_or_else(|| "active".into()), sort: t.sort, page: t.page, size: t.size }
    });
    let change_type = ServerAction::<ChangeAccountType>::new();
    let deactivate = ServerAction::<DeactivateUsers>::new();
    let reactivate = ServerAction::<ReactivateUsers>::new();
    let team_change = ServerAction::<ChangeTeamMembers>::new();
    let invite = ServerAction::<InviteUsers>::new();
    let resend = ServerAction::<ResendInvitation>::new();
    let delete_inv = ServerAction::<DeleteInvitation>::new();
    report(change_type, "Account type changed", &[]);
    report(deactivate, "Deactivated", &[]);
    report(reactivate, "Reactivated", &[]);
    report(team_change, "Teams updated", &[]);
    report(delete_inv, "Invitation deleted", &[]);
    report(resend, "New invitation link created", &[]);
    let invited = successes(invite);
    let versions =
        move || (change_type.version().get(), deactivate.version().get(), reactivate.version().get(), team_change.version().get(), invited.get(), resend.version().get(), delete_inv.version().get());
    let users = crate::components::data(move || (org.get(), current.get(), versions()), |(o, q, _)| list_users(o, q));
    // The filters' account types load once: the filter bar stays put while the table reloads.
    let types = crate::components::data(move || org.get(), list_account_types);
    let selected: Selection = RwSignal::new(BTreeMap::new());
    // After a change, the selection keeps nobody whose row may now say otherwise.
    Effect::new(move |_| {
        if matches!(deactivate.value().get(), Some(Ok(()))) || matches!(reactivate.value().get(), Some(Ok(()))) || matches!(change_type.value().get(), Some(Ok(()))) {
            selected.set(BTreeMap::new());
        }
    });

    let add_open = RwSignal::new(false);
    let links: RwSignal<Vec<InvitationLink>> = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        if let Some(Ok(l)) = resend.value().get() {
            links.set(vec![l]);
        }
    });
    let dialogs = RowDialogs { change_type: RwSignal::new(None), deactivate: RwSignal::new(None), delete_invitation: RwSignal::new(None) };
    let loaded = Memo::new(move |_| users.get().and_then(|r| r.ok()));
    let choices = Signal::derive(move || loaded.get().map(|p| InviteChoices { types: p.account_types.clone(), teams: p.teams.clone(), default_type: p.invite_default.clone() }));
    let type_choices = Signal::derive(move || loaded.get().map(|p| p.account_types).unwrap_or_default());
    let admin_types = Signal::derive(move || loaded.get().map(|p| p.admin_type_ids).unwrap_or_default());

    view! {
        <Title text="Users" />
        <div class="page-header with-actions">
            <div>
                <h1>"Users"</h1>
                <p class="muted">"People in your organization, their account types and teams."</p>
            </div>
            <button type="button" class="btn btn-primary" on:click=move |_| add_open.set(true)>"Add users"</button>
        </div>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let t: Vec<Choice> = types.await.unwrap_or_default().into_iter().map(|t| Choice { id: t.id, label: t.name }).collect();
                let initial = current.get_untracked();
                let mut type_options = vec![(String::new(), "All account types".to_string())];
                type_options.extend(t.into_iter().map(|c| (c.id, c.label)));
                let status_options = [("active", "Active"), ("invited", "Invited"), ("inactive", "Inactive"), ("all", "Everyone")]
                    .into_iter().map(|(v, l)| (v.to_string(), l.to_string())).collect::<Vec<_>>();
                view! {
                    <TableControls state=table placeholder="Name or email" testid="user-filters">
                        <FilterSelect name="type" label="Account type" options=type_options selected=initial.account_type.clone() />
                        <FilterSelect name="status" label="Status" options=status_options selected=initial.status.clone() />
                    </TableControls>
                }
            })}
        </Transition>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(p) => {
                        let term = current.get_untracked().search;
                        let page_rows: Vec<UserSummary> = p.users.clone();
                        let all = StoredValue::new(page_rows);
                        let all_selected = move || all.with_value(|rows| !rows.is_empty() && selected.with(|s| rows.iter().all(|r| s.contains_key(&r.id))));
                        let leading = move || view! {
                            <th class="check"><input type="checkbox" aria-label="Select all on this page"
                                prop:checked=all_selected
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    all.with_value(|rows| selected.update(|s| for r in rows { if on { s.insert(r.id.clone(), r.clone()); } else { s.remove(&r.id); } }));
                                } /></th>
                        };
                        let columns = vec![
                            Col::sorts("Name", "name"), Col::sorts("Email", "email"), Col::plain("Account type"), Col::plain("Teams"),
                            Col::plain("Status"), Col::sorts("Last sign-in", "last_login"), Col::actions(),
                        ];
                        let empty = (p.total == 0).then_some("No users match these filters.");
                        view! {
                            <BulkBar selected teams=p.teams.clone() admin_types dialogs reactivate team_change />
                            <DataTable label="Users" testid="users-table" columns state=table leading=leading empty>
                                {p.users.into_iter().map(|u| view! {
                                    <UserRow user=u term=term.clone() selected dialogs reactivate resend admin_types />
                                }).collect_view()}
                            </DataTable>
                            <Pager total=p.total more=p.more page=p.page page_count=p.page_count one="user" many="users" testid="user-count" />
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <InviteDialog open=add_open links choices invite />
        <ChangeTypeDialog target=dialogs.change_type types=type_choices admin_types action=change_type />
        <DeactivateDialog target=dialogs.deactivate deactivate />
        <DeleteInvitationDialog target=dialogs.delete_invitation action=delete_inv />
    }
}

/// How to name the people an action is for: one by name, more by count.
fn who(people: &[&UserSummary]) -> String {
    match people {
        [one] => one.display_name_or_email(),
        _ => plural(people.len() as i64, "person", "people"),
    }
}

/// What a bulk action leaves out, and why, e.g. "Skips 2 people your
/// identity provider manages and yourself."
fn skipped(managed: usize, yourself: bool, other: Option<(usize, &str)>) -> Option<String> {
    let mut parts = Vec::new();
    if managed > 0 {
        parts.push(format!("{} your identity provider manages", plural(managed as i64, "person", "people")));
    }
    if let Some((n, why)) = other.filter(|(n, _)| *n > 0) {
        parts.push(format!("{} {why}", plural(n as i64, "person", "people")));
    }
    if yourself {
        parts.push("yourself".to_string());
    }
    match parts.len() {
        0 => None,
        1 => Some(format!("Skips {}.", parts[0])),
        _ => {
            let last = parts.pop().unwrap_or_default();
            Some(format!("Skips {} and {last}.", parts.join(", ")))
        }
    }
}

/// What the bulk actions apply to, worked out from the selection.
#[derive(Clone, PartialEq)]
struct Applicable {
    count: usize,
    /// Not managed by the identity provider, not yourself.
    changeable: Vec<UserSummary>,
    /// Changeable and active.
    deactivatable: Vec<UserSummary>,
    /// Not managed by the identity provider, inactive.
    reactivatable: Vec<UserSummary>,
    managed: usize,
    yourself: bool,
    inactive: usize,
}

fn applicable(selected: &BTreeMap<String, UserSummary>) -> Applicable {
    let all: Vec<&UserSummary> = selected.values().collect();
    let changeable: Vec<UserSummary> = all.iter().filter(|u| !u.managed() && !u.is_self).map(|u| (*u).clone()).collect();
    Applicable {
        count: all.len(),
        deactivatable: changeable.iter().filter(|u| u.status.is_active()).cloned().collect(),
        reactivatable: all.iter().filter(|u| !u.managed() && !u.status.is_active()).map(|u| (*u).clone()).collect(),
        inactive: changeable.iter().filter(|u| !u.status.is_active()).count(),
        changeable,
        managed: all.iter().filter(|u| u.managed()).count(),
        yourself: all.iter().any(|u| u.is_self),
    }
}

#[component]
fn BulkBar(
    selected: Selection,
    teams: Vec<Choice>,
    admin_types: Signal<Vec<String>>,
    dialogs: RowDialogs,
    reactivate: ServerAction<ReactivateUsers>,
    team_change: ServerAction<ChangeTeamMembers>,
) -> impl IntoView {
    let org = use_org();
    let team_choice = RwSignal::new(teams.first().map(|t| t.id.clone()).unwrap_or_default());
    let now = Memo::new(move |_| selected.with(applicable));
    let team_action = move |add: bool| {
        let team_id = team_choice.get_untracked();
        let ids: Vec<String> = selected.with_untracked(|s| s.keys().cloned().collect());
        team_change.dispatch(ChangeTeamMembers { org: org.get_untracked(), team_id, user_ids: ids, add });
    };
    let change_type = move |_| {
        let a = now.get_untracked();
        let people: Vec<&UserSummary> = a.changeable.iter().collect();
        let types: Vec<&str> = people.iter().map(|u| u.account_type_id.as_str()).collect();
        let admin = admin_types.get_untracked();
        let current = types.first().filter(|t| types.iter().all(|x| x == *t)).map(|t| t.to_string());
        dialogs.change_type.set(Some(TypeChange {
            user_ids: people.iter().map(|u| u.id.clone()).collect(),
            who: who(&people),
            current,
            any_admin: types.iter().any(|t| admin.iter().any(|a| a == t)),
            all_admin: types.iter().all(|t| admin.iter().any(|a| a == t)),
        }));
    };
    let deactivate = move |_| {
        let a = now.get_untracked();
        let people: Vec<&UserSummary> = a.deactivatable.iter().collect();
        dialogs.deactivate.set(Some(People { ids: people.iter().map(|u| u.id.clone()).collect(), who: who(&people) }));
    };
    let reactivate_all = move |_| {
        let ids = now.get_untracked().reactivatable.iter().map(|u| u.id.clone()).collect();
        reactivate.dispatch(ReactivateUsers { org: org.get_untracked(), user_ids: ids });
    };
    view! {
        <Show when=move || !selected.with(|s| s.is_empty())>
            <div class="bulkbar" data-testid="bulk-bar" role="group" aria-label="Selected users">
                <strong>{move || format!("{} selected", now.get().count)}</strong>
                <Show when=move || !now.get().changeable.is_empty()>
                    <button type="button" class="btn btn-secondary btn-small" data-testid="bulk-change-type" on:click=change_type>"Change account type…"</button>
                </Show>
                {(!teams.is_empty()).then(|| view! {
                    <span class="group">
                        <select aria-label="Team" on:change=move |ev| team_choice.set(event_target_value(&ev))>
                            {teams.clone().into_iter().map(|t| view! { <option value=t.id>{t.label}</option> }).collect_view()}
                        </select>
                        <button type="button" class="btn btn-secondary btn-small" on:click=move |_| team_action(true)>"Add to team"</button>
                        <button type="button" class="btn btn-secondary btn-small" on:click=move |_| team_action(false)>"Remove from team"</button>
                    </span>
                })}
                <Show when=move || !now.get().reactivatable.is_empty()>
                    <button type="button" class="btn btn-secondary btn-small" data-testid="bulk-reactivate" on:click=reactivate_all>
                        {move || { let a = now.get(); if a.reactivatable.len() == a.count { "Reactivate".to_string() } else { format!("Reactivate {}", who(&a.reactivatable.iter().collect::<Vec<_>>())) } }}
                    </button>
                </Show>
                <Show when=move || !now.get().deactivatable.is_empty()>
                    <button type="button" class="btn btn-danger-outline btn-small" data-testid="bulk-deactivate" on:click=deactivate>"Deactivate…"</button>
                </Show>
                <crate::pages::admin::password_resets::BulkResetButton selected />
                <button type="button" class="btn btn-link btn-small" on:click=move |_| selected.set(BTreeMap::new())>"Clear selection"</button>
                {move || {
                    let a = now.get();
                    let for_type = skipped(a.managed, a.yourself, None);
                    let for_deactivation = skipped(a.managed, a.yourself, Some((a.inactive, "already inactive")));
                    let lines: Vec<String> = if for_type == for_deactivation {
                        for_type.into_iter().collect()
                    } else {
                        for_type.map(|s| format!("Change account type: {}", lower_first(&s))).into_iter()
                            .chain(for_deactivation.map(|s| format!("Deactivate: {}", lower_first(&s))))
                            .collect()
                    };
                    lines.into_iter().map(|l| view! { <p class="muted small bulk-skips" data-testid="bulk-skips">{l}</p> }).collect_view()
                }}
            </div>
        </Show>
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

#[component]
fn UserRow(
    user: UserSummary,
    term: String,
    selected: Selection,
    dialogs: RowDialogs,
    reactivate: ServerAction<ReactivateUsers>,
    resend: ServerAction<ResendInvitation>,
    admin_types: Signal<Vec<String>>,
) -> impl IntoView {
    let org = use_org();
    let row = StoredValue::new(user.clone());
    let id_check = user.id.clone();
    let href = format!("/{}/admin/users/{}", org.get_untracked(), user.id);
    let managed = user.managed();
    let active = user.status.is_active();
    let pending = user.invite_pending;
    let uid = StoredValue::new(user.id.clone());
    let email = StoredValue::new(user.email.clone());
    let who = StoredValue::new(user.display_name_or_email());
    let is_self = user.is_self;
    let name_view = highlight(&user.display_name(), &term);
    let menu_label = format!("Actions for {}", user.email);
    let change_type = move |_| {
        let u = row.get_value();
        let admin = admin_types.with_untracked(|a| a.contains(&u.account_type_id));
        dialogs.change_type.set(Some(TypeChange { user_ids: vec![u.id.clone()], who: who.get_value(), current: Some(u.account_type_id), any_admin: admin, all_admin: admin }));
    };
    view! {
        <tr data-testid="user-row" data-email=user.email.clone()>
            <td class="check"><input type="checkbox" aria-label=format!("Select {}", user.email)
                prop:checked=move || selected.with(|s| s.contains_key(&id_check))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    let u = row.get_value();
                    selected.update(|s| { if on { s.insert(u.id.clone(), u); } else { s.remove(&u.id); } });
                } /></td>
            <td data-label="Name" class="name">
                <A href=href>{name_view}</A>
                {user.is_self.then(|| view! { <span class="muted">" (you)"</span> })}
                {managed.then(|| view! { " " {idp_badge()} })}
            </td>
            <td data-label="Email" class="email">{highlight(&user.email, &term)}</td>
            <td data-label="Account type">{user.account_type.clone()}</td>
            <td data-label="Teams" class="muted">{user.teams.join(", ")}</td>
            <td data-label="Status">{status_badge(&user)} {guest_badge(&user)}</td>
            <td data-label="Last sign-in" class="muted nowrap">{match user.last_login_at.as_deref() { Some(t) => time_view(t).into_any(), None => "Never".into_any() }}</td>
            <td class="actions">
                {(!managed).then(|| view! {
                    <Menu label=menu_label text="⋯" button_class="btn btn-secondary btn-small btn-icon">
                        <button type="button" class="menu-item" role="menuitem" on:click=change_type>"Change account type…"</button>
                        {pending.then(|| view! {
                            <button type="button" class="menu-item" role="menuitem" on:click=move |_| { resend.dispatch(ResendInvitation { org: org.get_untracked(), user_id: uid.get_value() }); }>"New invitation link"</button>
                            <button type="button" class="menu-item danger" role="menuitem" on:click=move |_| dialogs.delete_invitation.set(Some((uid.get_value(), email.get_value())))>"Delete invitation…"</button>
                        })}
                        {if active {
                            (!is_self).then(|| view! {
                                <button type="button" class="menu-item danger" role="menuitem" on:click=move |_| dialogs.deactivate.set(Some(People { ids: vec![uid.get_value()], who: who.get_value() }))>"Deactivate…"</button>
                            }).into_any()
                        } else {
                            view! { <button type="button" class="menu-item" role="menuitem" on:click=move |_| { reactivate.dispatch(ReactivateUsers { org: org.get_untracked(), user_ids: vec![uid.get_value()] }); }>"Reactivate"</button> }.into_any()
                        }}
                    </Menu>
                })}
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_bulk_actions_skip() {
        assert_eq!(skipped(0, false, None), None);
        assert_eq!(skipped(2, true, None).as_deref(), Some("Skips 2 people your identity provider manages and yourself."));
        assert_eq!(skipped(1, false, Some((3, "already inactive"))).as_deref(), Some("Skips 1 person your identity provider manages and 3 people already inactive."));
        assert_eq!(skipped(1, true, Some((1, "already inactive"))).as_deref(), Some("Skips 1 person your identity provider manages, 1 person already inactive and yourself."));
        assert_eq!(skipped(0, true, Some((0, "already inactive"))).as_deref(), Some("Skips yourself."));
    }
}
