//! Administration > Teams: the list (search as you type, sort and page, all
//! in the URL), and
//! creating a team in a dialog. A team's own page is `team.rs`.
use crate::api::teams::{list_teams, CreateTeam};
use crate::components::frame::{use_me, use_org};
use crate::components::local::Count;
use crate::components::table::{highlight, idp_badge, use_table_state, Col, DataTable, FilterSelect, Pager, TableControls};
use crate::components::toast::successes;
use crate::components::{use_toasts, Dialog, ErrorPanel, FieldError, FormError};
use crate::domain::views::TeamSummary;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

pub(super) fn managed_badge() -> impl IntoView {
    view! { <span class="badge badge-managed">"Managed by your identity provider"</span> }
}

/// Teams in the order the table's header asks for.
fn sorted(mut list: Vec<TeamSummary>, sort: (&str, bool)) -> Vec<TeamSummary> {
    match sort.0 {
        "members" => list.sort_by(|a, b| a.member_count.cmp(&b.member_count).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))),
        _ => list.sort_by_key(|t| t.name.to_lowercase()),
    }
    if sort.1 {
        list.reverse();
    }
    list
}

#[component]
pub fn TeamsPage() -> impl IntoView {
    let org = use_org();
    let q = use_query_map();
    let table = use_table_state("name");
    let search = Memo::new(move |_| table.get().search);
    let inactive = Memo::new(move |_| q.read().get("show").as_deref() == Some("inactive"));
    let create = ServerAction::<CreateTeam>::new();
    let created = successes(create);
    let teams = crate::components::data(move || (org.get(), search.get(), inactive.get(), created.get()), |(o, s, i, _)| list_teams(o, Some(s), Some(i)));
    let toasts = use_toasts();
    let navigate = use_navigate();
    let creating = RwSignal::new(false);
    // Administrators create teams; a team admin sees the teams, without the button.
    let me = use_me();
    let create_button = move || {
        Suspend::new(async move {
            me.await.ok().filter(|m| m.is_admin).map(|_| {
                view! { <button type="button" class="btn btn-primary" on:click=move |_| { create.value().set(None); creating.set(true); }>"Create team"</button> }
            })
        })
    };
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
            <Transition fallback=|| ()>{create_button}</Transition>
        </div>
        <TableControls state=table placeholder="Team name" testid="team-filters">
            <FilterSelect name="show" label="Show" selected=if inactive.get_untracked() { "inactive".to_string() } else { String::new() }
                options=vec![(String::new(), "Active teams".to_string()), ("inactive".to_string(), "Deactivated teams".to_string())] />
        </TableControls>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match teams.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(list) => {
                        let state = table.get_untracked();
                        let page = state.page_of(sorted(list, state.sort_by()));
                        let term = state.search.clone();
                        let empty = (page.total == 0).then_some("No teams match.");
                        let columns = vec![Col::sorts("Team", "name"), Col::plain("Description"), Col::sorts("Members", "members"), Col::plain("Origin")];
                        view! {
                            <DataTable label="Teams" testid="teams-table" columns state=table empty>
                                {page.rows.into_iter().map(|t| {
                                    let href = format!("/{}/admin/teams/{}", org.get_untracked(), t.id);
                                    let name = highlight(&t.name, &term);
                                    let (private, yours) = (t.visibility.is_private(), t.you_administer);
                                    view! {
                                        <tr data-testid="team-row" data-name=t.name.clone()>
                                            <td data-label="Team" class="name"><A href=href>{name}</A>
                                                {private.then(|| view! { " " <span class="badge badge-info">"Private"</span> })}
                                                {yours.then(|| view! { " " <span class="badge badge-success">"Team admin"</span> })}</td>
                                            <td data-label="Description" class="muted">{t.description.clone()}</td>
                                            <td data-label="Members" class="nowrap"><Count n=t.member_count one="member" many="members" /></td>
                                            <td data-label="Origin">{if t.origin.is_managed_by_idp() { idp_badge().into_any() } else { view! { <span class="muted">"Local"</span> }.into_any() }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </DataTable>
                            <Pager total=page.total page=page.page page_count=page.page_count one="team" many="teams" />
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <CreateTeamDialog open=creating create />
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
