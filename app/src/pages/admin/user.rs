//! `/{org}/admin/users/{id}`: one person: profile, account type, status, teams
//! and sign-in history. A person the identity provider manages is shown
//! read-only, with a note saying where to change them.
use crate::api::provisioning::ReleaseManaged;
use crate::api::teams::ChangeTeamMembers;
use crate::api::users::{get_user, ChangeAccountType, DeactivateUsers, InviteUsers, ReactivateUsers, ResendInvitation, ResetMfa};
use crate::components::frame::use_org;
use crate::components::picker::TeamPicker;
use crate::components::release::ReleaseNotice;
use crate::components::toast::report;
use crate::components::ErrorPanel;
use crate::domain::views::{Choice, InvitationLink, TeamOfUser};
use crate::pages::admin::audit::{sentence_view, time_view};
use crate::pages::admin::user_dialogs::{guest_badge, origin_badge, status_badge, ChangeTypeDialog, DeactivateDialog, InviteDialog, People, TypeChange};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

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
    // Only the links dialog of InviteDialog is used here; its form never opens.
    let invite = ServerAction::<InviteUsers>::new();
    report(change_type, "Account type changed", &[]);
    report(deactivate, "Deactivated", &[]);
    report(reactivate, "Reactivated", &[]);
    report(team_change, "Teams updated", &[]);
    report(release, "Now managed in Gatehouse", &[]);
    let links: RwSignal<Vec<InvitationLink>> = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        if let Some(Ok(l)) = resend.value().get() {
            links.set(vec![l]);
        }
    });
    let detail = crate::components::data(
        move || {
            (
                org.get(),
                id.get(),
                change_type.version().get(),
                deactivate.version().get(),
                reactivate.version().get(),
                (team_change.version().get(), release.version().get(), resend.version().get(), reset_mfa.version().get()),
            )
        },
        |(o, id, ..)| get_user(o, id),
    );
    let deactivating: RwSignal<Option<People>> = RwSignal::new(None);
    let changing: RwSignal<Option<TypeChange>> = RwSignal::new(None);
    let loaded = Memo::new(move |_| detail.get().and_then(|r| r.ok()));
    let types = Signal::derive(move || loaded.get().map(|d| d.account_types).unwrap_or_default());
    let admin_types = Signal::derive(move || loaded.get().map(|d| d.admin_type_ids).unwrap_or_default());
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
                        let current_type = u.account_type_id.clone();
                        view! {
                            <div class="page-header">
                                <A href=move || format!("/{}/admin/users", org.get()) attr:class="back-link">"← Users"</A>
                                <h1 data-testid="user-name">{u.display_name()}</h1>
                                <p class="muted">{u.email.clone()} " · " {status_badge(&u)} " " {origin_badge(u.origin)} " " {guest_badge(&u)}</p>
                            </div>
                            {d.can_release.then(|| view! { <ReleaseNotice action=release org=org kind="users" id=uid.get_value() /> })}
                            {managed.then(|| view! {
                                <div class="alert alert-info" data-testid="managed-note">
                                    "Your identity provider manages this person: change their name, account type, status and the teams from its groups there. Gatehouse shows them read-only; you can still add them to teams made in Gatehouse. "
                                    <A href=move || format!("/{}/admin/provisioning-activity?resource={}", org.get(), uid.get_value()) attr:data-testid="provisioning-history">"Provisioning history"</A>
                                </div>
                            })}
                            <section class="card">
                                <h2>"Profile"</h2>
                                <dl class="details">
                                    <dt>"Email"</dt><dd>{u.email.clone()}</dd>
                                    <dt>"Account type"</dt>
                                    <dd>
                                        <span data-testid="user-account-type">{u.account_type.clone()}</span>
                                        {(!managed).then(|| {
                                            let admin = d.admin_type_ids.contains(&current_type);
                                            let change = TypeChange { user_ids: vec![uid.get_value()], who: u.display_name_or_email(), current: Some(current_type.clone()), any_admin: admin, all_admin: admin };
                                            view! {
                                                " "
                                                <button type="button" class="btn btn-secondary btn-small" data-testid="change-account-type" on:click=move |_| changing.set(Some(change.clone()))>"Change…"</button>
                                            }
                                        })}
                                    </dd>
                                    <dt>"Status"</dt><dd>{status_badge(&u)}</dd>
                                    <dt>"Origin"</dt><dd>{origin_badge(u.origin)}</dd>
                                    <dt>"Two-step verification"</dt>
                                    <dd data-testid="user-mfa">{if u.mfa_enabled {
                                        view! {
                                            "Authenticator app "
                                            <button type="button" class="btn btn-secondary btn-small" data-testid="reset-mfa" on:click=move |_| {
                                                reset_mfa.dispatch(ResetMfa { org: org.get_untracked(), user_id: uid.get_value() });
                                            }>"Reset"</button>
                                        }.into_any()
                                    } else {
                                        view! { <span class="muted">"Off"</span> }.into_any()
                                    }}</dd>
                                    <dt>"Created"</dt><dd>{time_view(&u.created_at)}</dd>
                                    <dt>"Last sign-in"</dt><dd>{match u.last_login_at.as_deref() { Some(t) => time_view(t).into_any(), None => "Never".into_any() }}</dd>
                                </dl>
                                {(!managed).then(|| view! {
                                    <div class="form-actions">
                                        {u.invite_pending.then(|| view! {
                                            <button type="button" class="btn btn-secondary" on:click=move |_| { resend.dispatch(ResendInvitation { org: org.get_untracked(), user_id: uid.get_value() }); }>"New invitation link"</button>
                                        })}
                                        {if u.status.is_active() {
                                            (!u.is_self).then(|| view! { <button type="button" class="btn btn-danger-outline" data-testid="deactivate" on:click={ let who = u.display_name_or_email(); move |_| deactivating.set(Some(People { ids: vec![uid.get_value()], who: who.clone() })) }>"Deactivate…"</button> }).into_any()
                                        } else {
                                            view! { <button type="button" class="btn btn-primary" data-testid="reactivate" on:click=move |_| { reactivate.dispatch(ReactivateUsers { org: org.get_untracked(), user_ids: vec![uid.get_value()] }); }>"Reactivate"</button> }.into_any()
                                        }}
                                    </div>
                                })}
                                <div class="form-actions"><crate::pages::admin::password_resets::ResetPasswordButton user=u.clone() /></div>
                                {(!managed && u.is_self && u.status.is_active()).then(|| view! {
                                    <p class="hint">"You cannot deactivate yourself; another administrator can."</p>
                                })}
                            </section>
                            <section class="card" data-testid="user-teams">
                                <h2>"Teams"</h2>
                                <TeamsOfUser teams=d.teams.clone() choices=d.team_choices.clone() user_id=uid.get_value() action=team_change />
                            </section>
                            <section class="card table-card">
                                <h2 class="pad">"Sign-in history"</h2>
                                {d.sign_ins.is_empty().then(|| view! { <p class="empty" data-testid="no-sign-ins">"No sign-ins yet."</p> })}
                                <div class="table-scroll" tabindex="0" role="region" aria-label="Sign-in history">
                                    <table class="table">
                                        <thead><tr><th>"Time"</th><th>"What happened"</th><th>"IP address"</th></tr></thead>
                                        <tbody>
                                            {d.sign_ins.into_iter().map(|e| view! {
                                                <tr data-testid="sign-in-row" data-action=e.action.clone()><td class="nowrap">{time_view(&e.at)}</td><td class="detail">{sentence_view(&e.sentence)}</td><td class="muted">{e.ip}</td></tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <InviteDialog open=RwSignal::new(false) links choices=Signal::derive(|| None) invite />
        <DeactivateDialog target=deactivating deactivate />
        <ChangeTypeDialog target=changing types admin_types action=change_type />
    }
}

/// The teams of one person: those from the identity provider's groups,
/// read-only, and those made in Gatehouse, with a search to add more (it
/// scales to hundreds of teams) and a button to remove each.
#[component]
fn TeamsOfUser(teams: Vec<TeamOfUser>, choices: Vec<Choice>, user_id: String, action: ServerAction<ChangeTeamMembers>) -> impl IntoView {
    let org = use_org();
    let (managed, local): (Vec<TeamOfUser>, Vec<TeamOfUser>) = teams.into_iter().partition(|t| t.managed);
    let uid = StoredValue::new(user_id);
    let change = move |team_id: String, add: bool| {
        action.dispatch(ChangeTeamMembers { org: org.get_untracked(), team_id, user_ids: vec![uid.get_value()], add });
    };
    let member_of: Vec<String> = local.iter().map(|t| t.id.clone()).collect();
    let addable: Vec<Choice> = choices.into_iter().filter(|c| !member_of.contains(&c.id)).collect();
    let no_choices = addable.is_empty();
    view! {
        {(!managed.is_empty()).then(|| view! {
            <h3>"From your identity provider"</h3>
            <ul class="chips" data-testid="idp-teams">
                {managed.into_iter().map(|t| view! { <li class="chip">{t.name}</li> }).collect_view()}
            </ul>
            <p class="hint">"Your identity provider's groups set these; change them there."</p>
        })}
        <h3>"In Gatehouse"</h3>
        {if local.is_empty() {
            view! { <p class="muted" data-testid="local-teams">"Not in any team made in Gatehouse."</p> }.into_any()
        } else {
            view! {
                <ul class="team-list" data-testid="local-teams">
                    {local.into_iter().map(|t| {
                        let id = t.id.clone();
                        let name = t.name.clone();
                        view! {
                            <li>
                                <span>{t.name}</span>
                                <button type="button" class="btn btn-link btn-small" aria-label=format!("Remove from {name}")
                                    on:click=move |_| change(id.clone(), false)>"Remove"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {if no_choices {
            view! { <p class="hint">"There are no other teams made in Gatehouse to add them to."</p> }.into_any()
        } else {
            view! {
                <TeamPicker teams=addable placeholder="Add to a team: type its name" testid="user-team-picker"
                    on_pick=Callback::new(move |c: Choice| change(c.id, true)) />
            }.into_any()
        }}
    }
}
