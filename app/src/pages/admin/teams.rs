//! Administration > Teams: the list with search and creation, and the team page.
use crate::api::provisioning::ReleaseManaged;
use crate::api::teams::{get_team, list_teams, ChangeTeamMembers, CreateTeam, SetTeamActive, UpdateTeam};
use crate::components::frame::use_org;
use crate::components::picker::PersonPicker;
use crate::components::release::ReleaseNotice;
use crate::components::toast::{report, successes};
use crate::components::{use_toasts, ErrorPanel, FieldError, FormError};
use crate::domain::views::Choice;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use std::collections::BTreeSet;

#[component]
pub fn TeamsPage() -> impl IntoView {
    let org = use_org();
    let q = use_query_map();
    let search = Memo::new(move |_| q.read().get("search").unwrap_or_default());
    let inactive = Memo::new(move |_| q.read().get("show").as_deref() == Some("inactive"));
    let create = ServerAction::<CreateTeam>::new();
    let created = successes(create);
    let teams = Resource::new(
        move || (org.get(), search.get(), inactive.get(), created.get()),
        |(o, s, i, _)| list_teams(o, Some(s), Some(i)),
    );
    let toasts = use_toasts();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            toasts.success("Team created");
            navigate(&format!("/{}/admin/teams/{id}", org.get_untracked()), Default::default());
        }
    });
    let error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Teams" />
        <div class="page-header">
            <h1>"Teams"</h1>
            <p class="muted">"Groups of people who share a workspace."</p>
        </div>
        <section class="card">
            <h2>"Create a team"</h2>
            <ActionForm action=create attr:class="form" attr:data-testid="create-team">
                <FormError error=error fields=&["name", "description"] />
                <input type="hidden" name="org" prop:value=move || org.get() />
                <div class="row">
                    <div>
                        <label for="team-name">"Name"</label>
                        <input id="team-name" name="name" type="text" required />
                        <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("name"))) />
                    </div>
                    <div>
                        <label for="team-description">"Description"</label>
                        <input id="team-description" name="description" type="text" />
                    </div>
                </div>
                <div class="form-actions"><button type="submit" class="btn btn-primary">"Create team"</button></div>
            </ActionForm>
        </section>
        <Form method="GET" action="" attr:class="filters">
            <label>"Search"<input type="search" name="search" placeholder="Team name" value=move || search.get() /></label>
            <label>"Show"
                <select name="show">
                    <option value="" selected=move || !inactive.get()>"Active teams"</option>
                    <option value="inactive" selected=move || inactive.get()>"Deactivated teams"</option>
                </select>
            </label>
            <button type="submit" class="btn btn-secondary">"Apply"</button>
        </Form>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match teams.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(list) => {
                        let empty = list.is_empty();
                        view! {
                            <div class="card table-card">
                                <table class="table" data-testid="teams-table">
                                    <thead><tr><th>"Team"</th><th>"Description"</th><th>"Members"</th><th>"Origin"</th></tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|t| {
                                            let href = format!("/{}/admin/teams/{}", org.get_untracked(), t.id);
                                            let name = t.name.clone();
                                            view! {
                                                <tr data-testid="team-row" data-name=t.name.clone()>
                                                    <td><A href=href>{name}</A></td>
                                                    <td class="muted">{t.description.clone()}</td>
                                                    <td>{t.member_count}</td>
                                                    <td>{if t.origin == "scim" { view! { <span class="badge badge-managed">"Managed by your identity provider"</span> }.into_any() } else { view! { <span class="muted">"Local"</span> }.into_any() }}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {empty.then(|| view! { <p class="empty">"No teams match."</p> })}
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

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
    let updated = successes(update);
    let detail = Resource::new(
        move || (org.get(), id.get(), updated.get(), members.version().get(), (set_active.version().get(), release.version().get())),
        |(o, id, ..)| get_team(o, id),
    );
    let selected: RwSignal<BTreeSet<String>> = RwSignal::new(BTreeSet::new());
    let error = Signal::derive(move || update.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Team" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(d) => {
                        let t = d.team.clone();
                        let managed = t.origin == "scim";
                        let active = t.status == "active";
                        let tid = StoredValue::new(t.id.clone());
                        let pick = Callback::new(move |c: Choice| {
                            members.dispatch(ChangeTeamMembers { org: org.get_untracked(), team_id: tid.get_value(), user_ids: vec![c.id], add: true });
                        });
                        view! {
                            <div class="page-header">
                                <A href=move || format!("/{}/admin/teams", org.get())>"← Teams"</A>
                                <h1 data-testid="team-name">{t.name.clone()}</h1>
                                <p class="muted">
                                    {format!("{} members", t.member_count)}
                                    {(!active).then(|| view! { " · " <span class="badge badge-danger">"Deactivated"</span> })}
                                    {managed.then(|| view! { " · " <span class="badge badge-managed">"Managed by your identity provider"</span> })}
                                </p>
                            </div>
                            {d.can_release.then(|| view! { <ReleaseNotice action=release org=org kind="teams" id=tid.get_value() /> })}
                            {(!managed).then(|| view! {
                                <section class="card">
                                    <h2>"Details"</h2>
                                    <ActionForm action=update attr:class="form">
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
                                            </div>
                                        </div>
                                        <div class="form-actions">
                                            <button type="submit" class="btn btn-primary">"Save"</button>
                                            <button type="button" class="btn btn-danger-outline" data-testid="team-toggle" on:click=move |_| {
                                                set_active.dispatch(SetTeamActive { org: org.get_untracked(), id: tid.get_value(), active: !active });
                                            }>{if active { "Deactivate team" } else { "Reactivate team" }}</button>
                                        </div>
                                    </ActionForm>
                                </section>
                            })}
                            <section class="card">
                                <div class="with-actions">
                                    <h2>"Members"</h2>
                                    {(!managed && active).then(|| view! {
                                        <PersonPicker org=org placeholder="Add people: type a name or email" on_pick=pick testid="member-picker" />
                                    })}
                                </div>
                                {(!managed).then(|| view! {
                                    <Show when=move || !selected.with(|s| s.is_empty())>
                                        <div class="bulkbar">
                                            <strong>{move || format!("{} selected", selected.with(|s| s.len()))}</strong>
                                            <button class="btn btn-danger-outline btn-small" on:click=move |_| {
                                                let ids: Vec<String> = selected.get_untracked().into_iter().collect();
                                                selected.set(BTreeSet::new());
                                                members.dispatch(ChangeTeamMembers { org: org.get_untracked(), team_id: tid.get_value(), user_ids: ids, add: false });
                                            }>"Remove from team"</button>
                                        </div>
                                    </Show>
                                })}
                                <table class="table" data-testid="members-table">
                                    <thead><tr><th class="check"></th><th>"Name"</th><th>"Email"</th><th>"Account type"</th><th>"Status"</th><th></th></tr></thead>
                                    <tbody>
                                        {d.members.into_iter().map(|m| {
                                            let uid = m.user_id.clone();
                                            let uid2 = m.user_id.clone();
                                            let uid3 = m.user_id.clone();
                                            view! {
                                                <tr data-testid="member-row" data-email=m.email.clone()>
                                                    <td class="check">{(!managed).then(|| view! {
                                                        <input type="checkbox" aria-label=format!("Select {}", m.email)
                                                            prop:checked=move || selected.with(|s| s.contains(&uid))
                                                            on:change=move |ev| { let on = event_target_checked(&ev); let id = uid2.clone(); selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } }); } />
                                                    })}</td>
                                                    <td>{m.name.clone()}</td>
                                                    <td>{m.email.clone()}</td>
                                                    <td>{m.account_type.clone()}</td>
                                                    <td>{if m.status == "active" { "Active" } else { "Inactive" }}</td>
                                                    <td class="actions">{(!managed).then(|| view! {
                                                        <button class="btn btn-secondary btn-small" on:click=move |_| {
                                                            members.dispatch(ChangeTeamMembers { org: org.get_untracked(), team_id: tid.get_value(), user_ids: vec![uid3.clone()], add: false });
                                                        }>"Remove"</button>
                                                    })}</td>
                                                </tr>
                                            }
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
