//! Administration > Users: the table (search, filters, sort and page in the
//! URL, applied as you type), bulk actions, a menu per row, and adding people
//! with invitation links. The page of one person is in `user.rs`.
use crate::api::account_types::list_account_types;
use crate::api::teams::ChangeTeamMembers;
use crate::api::users::{list_users, ChangeAccountType, DeactivateUsers, DeleteInvitation, InviteUsers, ReactivateUsers, ResendInvitation};
use crate::components::frame::use_org;
use crate::components::toast::{report, successes};
use crate::components::url::query;
use crate::components::{plural, ErrorPanel, Menu};
use crate::domain::views::{Choice, InvitationLink, UserQuery, UserSummary};
use crate::pages::admin::audit::time_view;
use crate::pages::admin::user_dialogs::{
    guest_badge, origin_badge, status_badge, ChangeTypeDialog, DeactivateDialog, DeleteInvitationDialog, InviteChoices, InviteDialog, TypeChange,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use std::collections::BTreeSet;
use std::time::Duration;

/// The dialogs a row's menu opens, shared by every row.
#[derive(Clone, Copy)]
struct RowDialogs {
    change_type: RwSignal<Option<TypeChange>>,
    deactivate: RwSignal<Option<Vec<String>>>,
    delete_invitation: RwSignal<Option<(String, String)>>,
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let org = use_org();
    let q = use_query_map();
    let current = Memo::new(move |_| {
        let q = q.read();
        UserQuery {
            search: q.get("search").unwrap_or_default(),
            account_type: q.get("type").unwrap_or_default(),
            status: q.get("status").unwrap_or_else(|| "active".into()),
            sort: q.get("sort").unwrap_or_else(|| "name".into()),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        }
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
    let versions = move || {
        (
            change_type.version().get(),
            deactivate.version().get(),
            reactivate.version().get(),
            team_change.version().get(),
            invited.get(),
            resend.version().get(),
            delete_inv.version().get(),
        )
    };
    let users = Resource::new(move || (org.get(), current.get(), versions()), |(o, q, _)| list_users(o, q));
    // The filters' account types load once: the filter bar stays put while the table reloads.
    let types = Resource::new(move || org.get(), list_account_types);
    let selected: RwSignal<BTreeSet<String>> = RwSignal::new(BTreeSet::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = deactivate.value().get() {
            selected.set(BTreeSet::new());
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
    let choices = Signal::derive(move || {
        loaded.get().map(|p| InviteChoices { types: p.account_types.clone(), teams: p.teams.clone(), default_type: p.invite_default.clone() })
    });
    let type_choices = Signal::derive(move || loaded.get().map(|p| p.account_types).unwrap_or_default());

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
                view! { <Filters initial=current.get_untracked() types=t /> }
            })}
        </Transition>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(p) => {
                        let all_ids: Vec<String> = p.users.iter().map(|u| u.id.clone()).collect();
                        let page_link = move |n: u32| {
                            let q = current.get_untracked();
                            query(&[("search", q.search), ("type", q.account_type), ("status", q.status), ("sort", q.sort), ("page", if n > 1 { n.to_string() } else { String::new() })])
                        };
                        let prev = (p.page > 1).then(|| page_link(p.page - 1));
                        let next = (p.page < p.page_count).then(|| page_link(p.page + 1));
                        let ids_for_all = all_ids.clone();
                        view! {
                            <BulkBar selected=selected types=p.account_types.clone() teams=p.teams.clone()
                                dialogs=dialogs reactivate=reactivate team_change=team_change />
                            <div class="card table-card" tabindex="0" role="region" aria-label="Users">
                                <table class="table" data-testid="users-table">
                                    <thead><tr>
                                        <th class="check"><input type="checkbox" aria-label="Select all on this page"
                                            prop:checked=move || !all_ids.is_empty() && selected.with(|s| all_ids.iter().all(|i| s.contains(i)))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                selected.update(|s| for i in &ids_for_all { if on { s.insert(i.clone()); } else { s.remove(i); } });
                                            } /></th>
                                        <th>"Name"</th><th>"Email"</th><th>"Account type"</th><th>"Teams"</th><th>"Status"</th><th>"Origin"</th><th>"Last sign-in"</th>
                                        <th><span class="visually-hidden">"Actions"</span></th>
                                    </tr></thead>
                                    <tbody>
                                        {p.users.into_iter().map(|u| view! {
                                            <UserRow user=u selected=selected dialogs=dialogs reactivate=reactivate resend=resend />
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {(p.total == 0).then(|| view! { <p class="empty">"No users match these filters."</p> })}
                            </div>
                            <nav class="pager" aria-label="Pages">
                                <span class="muted" data-testid="user-count">{format!("{} · page {} of {}", plural(p.total, "user", "users"), p.page, p.page_count)}</span>
                                {prev.map(|h| view! { <A href=h>"← Previous"</A> })}
                                {next.map(|h| view! { <A href=h>"Next →"</A> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <InviteDialog open=add_open links choices invite />
        <ChangeTypeDialog target=dialogs.change_type types=type_choices action=change_type />
        <DeactivateDialog target=dialogs.deactivate deactivate />
        <DeleteInvitationDialog target=dialogs.delete_invitation action=delete_inv />
    }
}

/// Search, account type, status and sort. They apply as you type (the search
/// after a short pause) by changing the URL, which stays the page's state; the
/// Apply button serves a browser that has not loaded the app.
#[component]
fn Filters(initial: UserQuery, types: Vec<Choice>) -> impl IntoView {
    let navigate = use_navigate();
    let search = RwSignal::new(initial.search.clone());
    let account_type = RwSignal::new(initial.account_type.clone());
    let status = RwSignal::new(initial.status.clone());
    let sort = RwSignal::new(initial.sort.clone());
    let go = move || {
        let url = query(&[("search", search.get_untracked().trim().to_string()), ("type", account_type.get_untracked()), ("status", status.get_untracked()), ("sort", sort.get_untracked())]);
        navigate(&url, NavigateOptions { replace: true, scroll: false, ..Default::default() });
    };
    let go = StoredValue::new(go);
    let typing = StoredValue::new(0u64);
    let on_search = move |ev: leptos::ev::Event| {
        search.set(event_target_value(&ev));
        let n = typing.get_value() + 1;
        typing.set_value(n);
        set_timeout(move || if typing.get_value() == n { go.with_value(|g| g()) }, Duration::from_millis(300));
    };
    let status_options = [("active", "Active"), ("invited", "Invited"), ("inactive", "Inactive"), ("all", "All")];
    let sort_options = [("name", "Name A–Z"), ("-name", "Name Z–A"), ("email", "Email"), ("-last_login", "Last sign-in, newest"), ("last_login", "Last sign-in, oldest"), ("-created", "Newest first")];
    view! {
        <Form method="GET" action="" attr:class="filters" attr:data-testid="user-filters" attr:role="search">
            <label>"Search"
                <input type="search" name="search" placeholder="Start of a name or email" value=initial.search.clone() on:input=on_search />
            </label>
            <label>"Account type"
                <select name="type" on:change=move |ev| { account_type.set(event_target_value(&ev)); go.with_value(|g| g()); }>
                    <option value="">"All account types"</option>
                    {types.into_iter().map(|t| { let sel = t.id == initial.account_type; view! { <option value=t.id selected=sel>{t.label}</option> } }).collect_view()}
                </select>
            </label>
            <label>"Status"
                <select name="status" on:change=move |ev| { status.set(event_target_value(&ev)); go.with_value(|g| g()); }>
                    {status_options.into_iter().map(|(v, l)| view! { <option value=v selected=initial.status == v>{l}</option> }).collect_view()}
                </select>
            </label>
            <label>"Sort"
                <select name="sort" on:change=move |ev| { sort.set(event_target_value(&ev)); go.with_value(|g| g()); }>
                    {sort_options.into_iter().map(|(v, l)| view! { <option value=v selected=initial.sort == v>{l}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="btn btn-secondary until-ready">"Apply"</button>
        </Form>
    }
}

#[component]
fn BulkBar(
    selected: RwSignal<BTreeSet<String>>,
    types: Vec<Choice>,
    teams: Vec<Choice>,
    dialogs: RowDialogs,
    reactivate: ServerAction<ReactivateUsers>,
    team_change: ServerAction<ChangeTeamMembers>,
) -> impl IntoView {
    let org = use_org();
    let team_choice = RwSignal::new(teams.first().map(|t| t.id.clone()).unwrap_or_default());
    let ids = move || selected.get_untracked().into_iter().collect::<Vec<_>>();
    let first_type = types.first().map(|t| t.id.clone()).unwrap_or_default();
    let team_action = move |add: bool| {
        let team_id = team_choice.get_untracked();
        team_change.dispatch(ChangeTeamMembers { org: org.get_untracked(), team_id, user_ids: ids(), add });
    };
    view! {
        <Show when=move || !selected.with(|s| s.is_empty())>
            <div class="bulkbar" data-testid="bulk-bar" role="group" aria-label="Selected users">
                <strong>{move || format!("{} selected", selected.with(|s| s.len()))}</strong>
                <button type="button" class="btn btn-secondary btn-small" on:click={
                    let first_type = first_type.clone();
                    move |_| {
                        let n = selected.with_untracked(|s| s.len()) as i64;
                        dialogs.change_type.set(Some(TypeChange { user_ids: ids(), who: plural(n, "person", "people"), current: first_type.clone() }));
                    }
                }>"Change account type…"</button>
                {(!teams.is_empty()).then(|| view! {
                    <span class="group">
                        <select aria-label="Team" on:change=move |ev| team_choice.set(event_target_value(&ev))>
                            {teams.clone().into_iter().map(|t| view! { <option value=t.id>{t.label}</option> }).collect_view()}
                        </select>
                        <button type="button" class="btn btn-secondary btn-small" on:click=move |_| team_action(true)>"Add to team"</button>
                        <button type="button" class="btn btn-secondary btn-small" on:click=move |_| team_action(false)>"Remove from team"</button>
                    </span>
                })}
                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| { reactivate.dispatch(ReactivateUsers { org: org.get_untracked(), user_ids: ids() }); }>"Reactivate"</button>
                <button type="button" class="btn btn-danger-outline btn-small" on:click=move |_| dialogs.deactivate.set(Some(ids()))>"Deactivate…"</button>
                <button type="button" class="btn btn-link btn-small" on:click=move |_| selected.set(BTreeSet::new())>"Clear selection"</button>
            </div>
        </Show>
    }
}

#[component]
fn UserRow(
    user: UserSummary,
    selected: RwSignal<BTreeSet<String>>,
    dialogs: RowDialogs,
    reactivate: ServerAction<ReactivateUsers>,
    resend: ServerAction<ResendInvitation>,
) -> impl IntoView {
    let org = use_org();
    let id = user.id.clone();
    let id_check = user.id.clone();
    let href = format!("/{}/admin/users/{}", org.get_untracked(), user.id);
    let managed = user.managed();
    let active = user.status.is_active();
    let pending = user.invite_pending;
    let uid = StoredValue::new(user.id.clone());
    let email = StoredValue::new(user.email.clone());
    let current_type = StoredValue::new(user.account_type_id.clone());
    let display_name = user.display_name();
    let who = StoredValue::new(if display_name.is_empty() { user.email.clone() } else { display_name.clone() });
    let is_self = user.is_self;
    view! {
        <tr data-testid="user-row" data-email=user.email.clone()>
            <td class="check"><input type="checkbox" aria-label=format!("Select {}", user.email)
                prop:checked=move || selected.with(|s| s.contains(&id_check))
                on:change=move |ev| { let on = event_target_checked(&ev); let id = id.clone(); selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } }); } /></td>
            <td><A href=href>{display_name}</A>{user.is_self.then(|| view! { <span class="muted">" (you)"</span> })}</td>
            <td>{user.email.clone()}</td>
            <td>{user.account_type.clone()}</td>
            <td class="muted">{user.teams.join(", ")}</td>
            <td>{status_badge(&user)} {guest_badge(&user)}</td>
            <td>{origin_badge(user.origin)}</td>
            <td class="muted nowrap">{match user.last_login_at.as_deref() { Some(t) => time_view(t).into_any(), None => "Never".into_any() }}</td>
            <td class="actions">
                {(!managed).then(|| view! {
                    <Menu label=format!("Actions for {}", user.email) text="⋯" button_class="btn btn-secondary btn-small btn-icon">
                        <button type="button" class="menu-item" role="menuitem" on:click=move |_| {
                            dialogs.change_type.set(Some(TypeChange { user_ids: vec![uid.get_value()], who: who.get_value(), current: current_type.get_value() }));
                        }>"Change account type…"</button>
                        {pending.then(|| view! {
                            <button type="button" class="menu-item" role="menuitem" on:click=move |_| { resend.dispatch(ResendInvitation { org: org.get_untracked(), user_id: uid.get_value() }); }>"New invitation link"</button>
                            <button type="button" class="menu-item danger" role="menuitem" on:click=move |_| dialogs.delete_invitation.set(Some((uid.get_value(), email.get_value())))>"Delete invitation…"</button>
                        })}
                        {if active {
                            (!is_self).then(|| view! {
                                <button type="button" class="menu-item danger" role="menuitem" on:click=move |_| dialogs.deactivate.set(Some(vec![uid.get_value()]))>"Deactivate…"</button>
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
