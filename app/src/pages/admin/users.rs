//! Administration > Users: the table (search, filters, sort and page in the
//! URL), bulk actions, adding people with invitation links, and the user page.
use crate::api::provisioning::ReleaseManaged;
use crate::api::teams::ChangeTeamMembers;
use crate::api::users::{
    get_user, list_users, ChangeAccountType, DeactivateUsers, DeleteInvitation, InviteUsers, ReactivateUsers, ResendInvitation, ResetMfa,
};
use crate::components::copy::CopyField;
use crate::components::frame::use_org;
use crate::components::picker::PersonPicker;
use crate::components::release::ReleaseNotice;
use crate::components::url::query;
use crate::components::toast::{report, successes};
use crate::components::{ErrorPanel, FieldError, FormError};
use crate::domain::views::{Choice, InvitationLink, UserQuery, UserSummary};
use crate::pages::admin::audit::short_time;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::BTreeSet;

fn status_badge(u: &UserSummary) -> impl IntoView {
    let (label, class) = if u.status != "active" {
        ("Inactive", "badge badge-danger")
    } else if u.invite_pending {
        ("Invited", "badge badge-info")
    } else {
        ("Active", "badge badge-success")
    };
    view! { <span class=class data-testid="user-status">{label}</span> }
}

fn guest_badge(u: &UserSummary) -> impl IntoView {
    u.is_guest.then(|| view! { <span class="badge badge-info" data-testid="user-guest" title="Outside your identity provider; signs in with a password">"Guest"</span> })
}

fn origin_badge(origin: &str) -> impl IntoView {
    if origin == "scim" {
        view! { <span class="badge badge-managed" title="Change this person in your identity provider">"Managed by your identity provider"</span> }.into_any()
    } else {
        view! { <span class="muted">"Local"</span> }.into_any()
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let org = use_org();
    let q = use_query_map();
    let query_of = move || {
        let q = q.read();
        UserQuery {
            search: q.get("search").unwrap_or_default(),
            account_type: q.get("type").unwrap_or_default(),
            status: q.get("status").unwrap_or_else(|| "active".into()),
            sort: q.get("sort").unwrap_or_else(|| "name".into()),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        }
    };
    let current = Memo::new(move |_| query_of());
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
    let selected: RwSignal<BTreeSet<String>> = RwSignal::new(BTreeSet::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = deactivate.value().get() {
            selected.set(BTreeSet::new());
        }
    });
    let show_add = RwSignal::new(false);
    let links: RwSignal<Vec<InvitationLink>> = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        if let Some(Ok(l)) = invite.value().get() {
            links.set(l);
            show_add.set(false);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(l)) = resend.value().get() {
            links.set(vec![l]);
        }
    });

    view! {
        <Title text="Users" />
        <div class="page-header with-actions">
            <div>
                <h1>"Users"</h1>
                <p class="muted">"People in your organization, their account types and teams."</p>
            </div>
            <button class="btn btn-primary" on:click=move |_| show_add.update(|v| *v = !*v)>"Add users"</button>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(p) => {
                        let cq = current.get_untracked();
                        let types = p.account_types.clone();
                        let teams = p.teams.clone();
                        let default_type = p.invite_default.clone();
                        let all_ids: Vec<String> = p.users.iter().map(|u| u.id.clone()).collect();
                        let page_link = move |n: u32| {
                            let q = current.get_untracked();
                            query(&[("search", q.search), ("type", q.account_type), ("status", q.status), ("sort", q.sort), ("page", if n > 1 { n.to_string() } else { String::new() })])
                        };
                        let prev = (p.page > 1).then(|| page_link(p.page - 1));
                        let next = (p.page < p.page_count).then(|| page_link(p.page + 1));
                        view! {
                            {move || show_add.get().then(|| view! { <AddUsers types=types.clone() teams=teams.clone() default_type=default_type.clone() invite=invite /> })}
                            {move || (!links.get().is_empty()).then(|| view! { <InvitationLinks links=links /> })}
                            <Filters query=cq.clone() types=p.account_types.clone() />
                            <BulkBar selected=selected types=p.account_types.clone() teams=p.teams.clone()
                                change_type=change_type deactivate=deactivate reactivate=reactivate team_change=team_change />
                            <div class="card table-card">
                                <table class="table" data-testid="users-table">
                                    <thead><tr>
                                        <th class="check"><input type="checkbox" aria-label="Select all on this page"
                                            prop:checked=move || !all_ids.is_empty() && selected.with(|s| all_ids.iter().all(|i| s.contains(i)))
                                            on:change={
                                                let ids = p.users.iter().map(|u| u.id.clone()).collect::<Vec<_>>();
                                                move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    selected.update(|s| for i in &ids { if on { s.insert(i.clone()); } else { s.remove(i); } });
                                                }
                                            } /></th>
                                        <th>"Name"</th><th>"Email"</th><th>"Account type"</th><th>"Teams"</th><th>"Status"</th><th>"Origin"</th><th>"Last sign-in"</th><th></th>
                                    </tr></thead>
                                    <tbody>
                                        {p.users.into_iter().map(|u| view! {
                                            <UserRow user=u selected=selected types=p.account_types.clone()
                                                change_type=change_type deactivate=deactivate reactivate=reactivate resend=resend delete_inv=delete_inv />
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {(p.total == 0).then(|| view! { <p class="empty">"No users match these filters."</p> })}
                            </div>
                            <nav class="pager" aria-label="Pages">
                                <span class="muted" data-testid="user-count">{format!("{} users · page {} of {}", p.total, p.page, p.page_count)}</span>
                                {prev.map(|h| view! { <A href=h>"← Previous"</A> })}
                                {next.map(|h| view! { <A href=h>"Next →"</A> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn Filters(query: UserQuery, types: Vec<Choice>) -> impl IntoView {
    let status_options = [("active", "Active"), ("invited", "Invited"), ("inactive", "Inactive"), ("all", "All")];
    let sort_options = [("name", "Name A–Z"), ("-name", "Name Z–A"), ("email", "Email"), ("-last_login", "Last sign-in, newest"), ("last_login", "Last sign-in, oldest"), ("-created", "Newest first")];
    view! {
        <Form method="GET" action="" attr:class="filters" attr:data-testid="user-filters">
            <label>"Search"
                <input type="search" name="search" placeholder="Start of a name or email" value=query.search.clone() />
            </label>
            <label>"Account type"
                <select name="type">
                    <option value="">"All account types"</option>
                    {types.into_iter().map(|t| { let sel = t.id == query.account_type; view! { <option value=t.id selected=sel>{t.label}</option> } }).collect_view()}
                </select>
            </label>
            <label>"Status"
                <select name="status">
                    {status_options.into_iter().map(|(v, l)| view! { <option value=v selected=query.status == v>{l}</option> }).collect_view()}
                </select>
            </label>
            <label>"Sort"
                <select name="sort">
                    {sort_options.into_iter().map(|(v, l)| view! { <option value=v selected=query.sort == v>{l}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="btn btn-secondary">"Apply"</button>
        </Form>
    }
}

#[component]
fn BulkBar(
    selected: RwSignal<BTreeSet<String>>,
    types: Vec<Choice>,
    teams: Vec<Choice>,
    change_type: ServerAction<ChangeAccountType>,
    deactivate: ServerAction<DeactivateUsers>,
    reactivate: ServerAction<ReactivateUsers>,
    team_change: ServerAction<ChangeTeamMembers>,
) -> impl IntoView {
    let org = use_org();
    let type_choice = RwSignal::new(types.first().map(|t| t.id.clone()).unwrap_or_default());
    let team_choice = RwSignal::new(teams.first().map(|t| t.id.clone()).unwrap_or_default());
    let confirm = RwSignal::new(false);
    let ids = move || selected.get_untracked().into_iter().collect::<Vec<_>>();
    let team_action = move |add: bool| {
        let ids = ids();
        let team_id = team_choice.get_untracked();
        team_change.dispatch(ChangeTeamMembers { org: org.get_untracked(), team_id, user_ids: ids, add });
    };
    view! {
        <Show when=move || !selected.with(|s| s.is_empty())>
            <div class="bulkbar" data-testid="bulk-bar">
                <strong>{move || format!("{} selected", selected.with(|s| s.len()))}</strong>
                <span class="group">
                    <select aria-label="New account type" on:change=move |ev| type_choice.set(event_target_value(&ev))>
                        {types.clone().into_iter().map(|t| view! { <option value=t.id>{t.label}</option> }).collect_view()}
                    </select>
                    <button class="btn btn-secondary btn-small" on:click=move |_| {
                        change_type.dispatch(ChangeAccountType { org: org.get_untracked(), user_ids: ids(), account_type_id: type_choice.get_untracked() });
                    }>"Change account type"</button>
                </span>
                {(!teams.is_empty()).then(|| view! {
                    <span class="group">
                        <select aria-label="Team" on:change=move |ev| team_choice.set(event_target_value(&ev))>
                            {teams.clone().into_iter().map(|t| view! { <option value=t.id>{t.label}</option> }).collect_view()}
                        </select>
                        <button class="btn btn-secondary btn-small" on:click=move |_| team_action(true)>"Add to team"</button>
                        <button class="btn btn-secondary btn-small" on:click=move |_| team_action(false)>"Remove from team"</button>
                    </span>
                })}
                <button class="btn btn-secondary btn-small" on:click=move |_| { reactivate.dispatch(ReactivateUsers { org: org.get_untracked(), user_ids: ids() }); }>"Reactivate"</button>
                <button class="btn btn-danger-outline btn-small" on:click=move |_| confirm.set(true)>"Deactivate"</button>
                <button class="btn btn-ghost-dark btn-small" on:click=move |_| selected.set(BTreeSet::new())>"Clear selection"</button>
            </div>
            <Show when=move || confirm.get()>
                <DeactivateDialog ids=Signal::derive(move || selected.get().into_iter().collect()) deactivate=deactivate on_close=Callback::new(move |_| confirm.set(false)) />
            </Show>
        </Show>
    }
}

/// Asks who receives the documents of the people being deactivated.
#[component]
fn DeactivateDialog(ids: Signal<Vec<String>>, deactivate: ServerAction<DeactivateUsers>, on_close: Callback<()>) -> impl IntoView {
    let org = use_org();
    let owner: RwSignal<Option<Choice>> = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(Ok(())) = deactivate.value().get() {
            on_close.run(());
        }
    });
    let error = Signal::derive(move || deactivate.value().get().and_then(|r| r.err()));
    view! {
        <div class="dialog card" role="dialog" aria-label="Deactivate" data-testid="deactivate-dialog">
            <h2>{move || { let n = ids.get().len(); format!("Deactivate {n} {}?", if n == 1 { "person" } else { "people" }) }}</h2>
            <p>"Their sessions end at once and they can no longer sign in. Their profile is kept, and you can reactivate them later."</p>
            <p><strong>"New owner of their documents: "</strong>
                {move || owner.get().map(|c| c.label).unwrap_or_else(|| "you".to_string())}</p>
            <PersonPicker org=org placeholder="Choose someone else…" on_pick=Callback::new(move |c| owner.set(Some(c))) />
            <FormError error=error />
            <div class="form-actions">
                <button class="btn btn-danger" data-testid="confirm-deactivate" on:click=move |_| {
                    deactivate.dispatch(DeactivateUsers { org: org.get_untracked(), user_ids: ids.get_untracked(), new_owner_id: owner.get_untracked().map(|c| c.id) });
                }>"Deactivate"</button>
                <button class="btn btn-secondary" on:click=move |_| on_close.run(())>"Cancel"</button>
            </div>
        </div>
    }
}

#[component]
fn UserRow(
    user: UserSummary,
    selected: RwSignal<BTreeSet<String>>,
    types: Vec<Choice>,
    change_type: ServerAction<ChangeAccountType>,
    deactivate: ServerAction<DeactivateUsers>,
    reactivate: ServerAction<ReactivateUsers>,
    resend: ServerAction<ResendInvitation>,
    delete_inv: ServerAction<DeleteInvitation>,
) -> impl IntoView {
    let org = use_org();
    let id = user.id.clone();
    let id_check = user.id.clone();
    let href = format!("/{}/admin/users/{}", org.get_untracked(), user.id);
    let managed = user.managed();
    let active = user.status == "active";
    let pending = user.invite_pending;
    let uid = StoredValue::new(user.id.clone());
    let current_type = user.account_type_id.clone();
    let display_name = user.display_name();
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
            <td>{origin_badge(&user.origin)}</td>
            <td class="muted nowrap">{user.last_login_at.as_deref().map(short_time).unwrap_or_else(|| "Never".into())}</td>
            <td class="actions">
                {(!managed).then(|| view! {
                    <details class="menu">
                        <summary class="btn btn-secondary btn-small" aria-label=format!("Actions for {}", user.email)>"⋯"</summary>
                        <div class="menu-items">
                            <label class="menu-label">"Account type"
                                <select on:change=move |ev| {
                                    change_type.dispatch(ChangeAccountType { org: org.get_untracked(), user_ids: vec![uid.get_value()], account_type_id: event_target_value(&ev) });
                                }>
                                    {types.into_iter().map(|t| { let sel = t.id == current_type; view! { <option value=t.id selected=sel>{t.label}</option> } }).collect_view()}
                                </select>
                            </label>
                            {pending.then(|| view! {
                                <button class="menu-item" on:click=move |_| { resend.dispatch(ResendInvitation { org: org.get_untracked(), user_id: uid.get_value() }); }>"New invitation link"</button>
                                <button class="menu-item danger" on:click=move |_| { delete_inv.dispatch(DeleteInvitation { org: org.get_untracked(), user_id: uid.get_value() }); }>"Delete invitation"</button>
                            })}
                            {if active {
                                view! { <button class="menu-item danger" on:click=move |_| { deactivate.dispatch(DeactivateUsers { org: org.get_untracked(), user_ids: vec![uid.get_value()], new_owner_id: None }); }>"Deactivate (documents to you)"</button> }.into_any()
                            } else {
                                view! { <button class="menu-item" on:click=move |_| { reactivate.dispatch(ReactivateUsers { org: org.get_untracked(), user_ids: vec![uid.get_value()] }); }>"Reactivate"</button> }.into_any()
                            }}
                        </div>
                    </details>
                })}
            </td>
        </tr>
    }
}

#[component]
fn AddUsers(types: Vec<Choice>, teams: Vec<Choice>, default_type: String, invite: ServerAction<InviteUsers>) -> impl IntoView {
    let org = use_org();
    let people = RwSignal::new(String::new());
    let account_type = RwSignal::new(default_type.clone());
    let chosen_teams: RwSignal<BTreeSet<String>> = RwSignal::new(BTreeSet::new());
    let guest = RwSignal::new(false);
    let error = Signal::derive(move || invite.value().get().and_then(|r| r.err()));
    view! {
        <section class="card" data-testid="add-users">
            <h2>"Add users"</h2>
            <p class="muted">"One person per line: email, first name, last name (names are optional). Each gets an invitation link, valid for 7 days, to choose a password."</p>
            <FormError error=error fields=&["people", "account_type"] />
            <label for="people">"People"</label>
            <textarea id="people" rows="4" placeholder="ada@example.com, Ada, Lovelace" prop:value=people on:input=move |ev| people.set(event_target_value(&ev))></textarea>
            <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("people"))) />
            <label for="new-type">"Account type"</label>
            <select id="new-type" on:change=move |ev| account_type.set(event_target_value(&ev))>
                {types.into_iter().map(|t| { let sel = t.id == default_type; view! { <option value=t.id selected=sel>{t.label}</option> } }).collect_view()}
            </select>
            {(!teams.is_empty()).then(|| view! {
                <p class="label">"Teams"</p>
                <div class="checks">
                    {teams.into_iter().map(|t| {
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
            })}
            <label class="check-inline">
                <input type="checkbox" data-testid="invite-guest" prop:checked=guest on:change=move |ev| guest.set(event_target_checked(&ev)) />
                "Guests (people outside your identity provider; they sign in with a password)"
            </label>
            <div class="form-actions">
                <button class="btn btn-primary" disabled=move || invite.pending().get() on:click=move |_| {
                    invite.dispatch(InviteUsers {
                        org: org.get_untracked(),
                        people: people.get_untracked(),
                        account_type_id: account_type.get_untracked(),
                        team_ids: chosen_teams.get_untracked().into_iter().collect(),
                        guest: Some(guest.get_untracked()),
                    });
                }>"Add and create invitation links"</button>
            </div>
        </section>
    }
}

#[component]
fn InvitationLinks(links: RwSignal<Vec<InvitationLink>>) -> impl IntoView {
    view! {
        <section class="card notice-card" data-testid="invitation-links">
            <div class="with-actions">
                <h2>"Invitation links"</h2>
                <button class="btn btn-secondary btn-small" on:click=move |_| links.set(Vec::new())>"Done"</button>
            </div>
            <p class="muted">"Send each person their link. It works once, until the date shown; Gatehouse does not send email."</p>
            <ul class="links">
                {move || links.get().into_iter().map(|l| view! {
                    <li data-testid="invitation-link" data-email=l.email.clone()>
                        <strong>{l.email.clone()}</strong>
                        <span class="muted">{format!(" · valid until {}", short_time(&l.expires_at))}</span>
                        <CopyField value=l.link.clone() label="Invitation link" testid="invitation-url" />
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// `/{org}/admin/users/{id}`: one person.
#[component]
pub fn UserPage() -> impl IntoView {
    let org = use_org();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let change_type = ServerAction::<ChangeAccountType>::new();
    let deactivate = ServerAction::<DeactivateUsers>::new();
    let reactivate = ServerAction::<ReactivateUsers>::new();
    let team_change = ServerAction::<ChangeTeamMembers>::new();
    let resend = ServerAction::<ResendInvitation>::new();
    let release = ServerAction::<ReleaseManaged>::new();
    let reset_mfa = ServerAction::<ResetMfa>::new();
    report(reset_mfa, "Two-step verification reset", &[]);
    report(change_type, "Account type changed", &[]);
    report(deactivate, "Deactivated", &[]);
    report(reactivate, "Reactivated", &[]);
    report(team_change, "Teams updated", &[]);
    report(release, "Now managed in Gatehouse", &[]);
    let link: RwSignal<Vec<InvitationLink>> = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        if let Some(Ok(l)) = resend.value().get() {
            link.set(vec![l]);
        }
    });
    let detail = Resource::new(
        move || (org.get(), id.get(), change_type.version().get(), deactivate.version().get(), reactivate.version().get(), (team_change.version().get(), release.version().get(), reset_mfa.version().get())),
        |(o, id, ..)| get_user(o, id),
    );
    let confirm = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = deactivate.value().get() {
            confirm.set(false);
        }
    });
    view! {
        <Title text="User" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(d) => {
                        let u = d.user.clone();
                        let managed = u.managed();
                        let uid = StoredValue::new(u.id.clone());
                        let member_of: BTreeSet<String> = d.team_ids.iter().cloned().collect();
                        let current_type = u.account_type_id.clone();
                        view! {
                            <div class="page-header">
                                <A href=move || format!("/{}/admin/users", org.get())>"← Users"</A>
                                <h1 data-testid="user-name">{u.display_name()}</h1>
                                <p class="muted">{u.email.clone()} " · " {status_badge(&u)} " " {origin_badge(&u.origin)} " " {guest_badge(&u)}</p>
                            </div>
                            {move || (!link.get().is_empty()).then(|| view! { <InvitationLinks links=link /> })}
                            {d.can_release.then(|| view! { <ReleaseNotice action=release org=org kind="users" id=uid.get_value() /> })}
                            <section class="card">
                                <h2>"Profile"</h2>
                                <dl class="details">
                                    <dt>"Email"</dt><dd>{u.email.clone()}</dd>
                                    <dt>"Account type"</dt>
                                    <dd>
                                        {if managed {
                                            view! { <span data-testid="user-account-type">{u.account_type.clone()}</span> }.into_any()
                                        } else {
                                            view! {
                                                <select aria-label="Account type" data-testid="user-account-type" on:change=move |ev| {
                                                    change_type.dispatch(ChangeAccountType { org: org.get_untracked(), user_ids: vec![uid.get_value()], account_type_id: event_target_value(&ev) });
                                                }>
                                                    {d.account_types.iter().map(|t| { let sel = t.id == current_type; view! { <option value=t.id.clone() selected=sel>{t.label.clone()}</option> } }).collect_view()}
                                                </select>
                                            }.into_any()
                                        }}
                                    </dd>
                                    <dt>"Status"</dt><dd>{status_badge(&u)}</dd>
                                    <dt>"Origin"</dt><dd>{origin_badge(&u.origin)}</dd>
                                    <dt>"Two-step verification"</dt>
                                    <dd data-testid="user-mfa">{if u.mfa_enabled {
                                        view! {
                                            "Authenticator app "
                                            <button class="btn btn-secondary btn-small" data-testid="reset-mfa" on:click=move |_| { reset_mfa.dispatch(ResetMfa { org: org.get_untracked(), user_id: uid.get_value() }); }>"Reset"</button>
                                        }.into_any()
                                    } else {
                                        view! { <span class="muted">"Off"</span> }.into_any()
                                    }}</dd>
                                    <dt>"Created"</dt><dd>{short_time(&u.created_at)}</dd>
                                    <dt>"Last sign-in"</dt><dd>{u.last_login_at.as_deref().map(short_time).unwrap_or_else(|| "Never".into())}</dd>
                                </dl>
                                {(!managed).then(|| view! {
                                    <div class="form-actions">
                                        {u.invite_pending.then(|| view! {
                                            <button class="btn btn-secondary" on:click=move |_| { resend.dispatch(ResendInvitation { org: org.get_untracked(), user_id: uid.get_value() }); }>"New invitation link"</button>
                                        })}
                                        {if u.status == "active" {
                                            (!u.is_self).then(|| view! { <button class="btn btn-danger-outline" data-testid="deactivate" on:click=move |_| confirm.set(true)>"Deactivate"</button> }).into_any()
                                        } else {
                                            view! { <button class="btn btn-primary" data-testid="reactivate" on:click=move |_| { reactivate.dispatch(ReactivateUsers { org: org.get_untracked(), user_ids: vec![uid.get_value()] }); }>"Reactivate"</button> }.into_any()
                                        }}
                                    </div>
                                })}
                            </section>
                            <Show when=move || confirm.get()>
                                <DeactivateDialog ids=Signal::derive(move || vec![uid.get_value()]) deactivate=deactivate on_close=Callback::new(move |_| confirm.set(false)) />
                            </Show>
                            <section class="card">
                                <h2>"Teams"</h2>
                                {if d.team_choices.is_empty() {
                                    view! { <p class="muted">"There are no teams yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="checks">
                                            {d.team_choices.iter().map(|t| {
                                                let tid = t.id.clone();
                                                let on = member_of.contains(&t.id);
                                                view! {
                                                    <label class="check-inline"><input type="checkbox" checked=on disabled=managed on:change=move |ev| {
                                                        team_change.dispatch(ChangeTeamMembers { org: org.get_untracked(), team_id: tid.clone(), user_ids: vec![uid.get_value()], add: event_target_checked(&ev) });
                                                    } />{t.label.clone()}</label>
                                                }
                                            }).collect_view()}
                                        </div>
                                    }.into_any()
                                }}
                            </section>
                            <section class="card table-card">
                                <h2 class="pad">"Sign-in history"</h2>
                                <table class="table">
                                    <thead><tr><th>"Time"</th><th>"Result"</th><th>"Detail"</th><th>"IP address"</th></tr></thead>
                                    <tbody>
                                        {d.sign_ins.into_iter().map(|e| view! {
                                            <tr><td class="nowrap">{short_time(&e.at)}</td><td>{e.action_label}</td><td class="detail">{e.detail}</td><td class="muted">{e.ip}</td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
