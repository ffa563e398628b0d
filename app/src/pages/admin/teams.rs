//! Administration > Teams: the list (search as you type, in the URL), and
//! creating a team in a dialog. A team's own page is `team.rs`.
use crate::api::teams::{list_teams, CreateTeam};
use crate::components::frame::use_org;
use crate::components::toast::successes;
use crate::components::url::query;
use crate::components::{plural, use_toasts, Dialog, ErrorPanel, FieldError, FormError};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use std::time::Duration;

pub(super) fn managed_badge() -> impl IntoView {
    view! { <span class="badge badge-managed">"Managed by your identity provider"</span> }
}

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
    let creating = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            toasts.success("Team created");
            creating.set(false);
            navigate(&format!("/{}/admin/teams/{id}", org.get_untracked()), Default::default());
        }
    });
    view! {
        <Title text="Teams" />
        <div class="page-header with-actions">
            <div>
                <h1>"Teams"</h1>
                <p class="muted">"Groups of people who share a workspace."</p>
            </div>
            <button type="button" class="btn btn-primary" on:click=move |_| { create.value().set(None); creating.set(true); }>"Create team"</button>
        </div>
        <TeamFilters initial_search=search.get_untracked() initial_inactive=inactive.get_untracked() />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match teams.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(list) => {
                        let empty = list.is_empty();
                        view! {
                            <div class="card table-card" tabindex="0" role="region" aria-label="Teams">
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
                                                    <td class="nowrap">{plural(t.member_count, "member", "members")}</td>
                                                    <td>{if t.origin.is_managed_by_idp() { managed_badge().into_any() } else { view! { <span class="muted">"Local"</span> }.into_any() }}</td>
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
        <CreateTeamDialog open=creating create />
    }
}

/// Search and active/deactivated, applied as you type; the URL keeps them.
#[component]
fn TeamFilters(initial_search: String, initial_inactive: bool) -> impl IntoView {
    let navigate = use_navigate();
    let search = RwSignal::new(initial_search.clone());
    let show = RwSignal::new(if initial_inactive { "inactive".to_string() } else { String::new() });
    let go = StoredValue::new(move || {
        let url = query(&[("search", search.get_untracked().trim().to_string()), ("show", show.get_untracked())]);
        navigate(&url, NavigateOptions { replace: true, scroll: false, ..Default::default() });
    });
    let typing = StoredValue::new(0u64);
    view! {
        <Form method="GET" action="" attr:class="filters" attr:role="search" attr:data-testid="team-filters">
            <label>"Search"<input type="search" name="search" placeholder="Team name" value=initial_search
                on:input=move |ev| {
                    search.set(event_target_value(&ev));
                    let n = typing.get_value() + 1;
                    typing.set_value(n);
                    set_timeout(move || if typing.get_value() == n { go.with_value(|g| g()) }, Duration::from_millis(300));
                } /></label>
            <label>"Show"
                <select name="show" on:change=move |ev| { show.set(event_target_value(&ev)); go.with_value(|g| g()); }>
                    <option value="" selected=!initial_inactive>"Active teams"</option>
                    <option value="inactive" selected=initial_inactive>"Deactivated teams"</option>
                </select>
            </label>
            <button type="submit" class="btn btn-secondary until-ready">"Apply"</button>
        </Form>
    }
}

#[component]
fn CreateTeamDialog(open: RwSignal<bool>, create: ServerAction<CreateTeam>) -> impl IntoView {
    let org = use_org();
    let error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    let clear = move |_| {
        if create.value().with_untracked(|v| v.as_ref().is_some_and(|r| r.is_err())) {
            create.value().set(None);
        }
    };
    view! {
        <Dialog open=open on_close=Callback::new(move |_| open.set(false)) title="Create team" testid="create-team-dialog">
            <ActionForm action=create attr:class="form" attr:data-testid="create-team" on:input=clear>
                <FormError error=error fields=&["name", "description"] />
                <input type="hidden" name="org" prop:value=move || org.get() />
                <label for="team-name">"Name"</label>
                <input id="team-name" name="name" type="text" required />
                <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("name"))) />
                <label for="team-description">"Description"</label>
                <input id="team-description" name="description" type="text" />
                <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("description"))) />
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>"Create"</button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                </div>
            </ActionForm>
        </Dialog>
    }
}
