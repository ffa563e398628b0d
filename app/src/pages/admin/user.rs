//! `/{org}/admin/users/{id}`: one person: profile, account type, status, teams
//! and sign-in history. A person the identity provider manages is shown
//! read-only, with a note saying where to change them.
use crate::api::provisioning::ReleaseManaged;
use crate::api::teams::ChangeTeamMembers;
use crate::api::users::{get_user, ChangeAccountType, DeactivateUsers, InviteUsers, ReactivateUsers, ResendInvitation, ResetMfa};
use crate::components::frame::use_org;
use crate::components::release::ReleaseNotice;
use crate::components::toast::report;
use crate::components::ErrorPanel;
use crate::domain::views::InvitationLink;
use crate::pages::admin::audit::time_view;
use crate::pages::admin::user_dialogs::{guest_badge, origin_badge, status_badge, DeactivateDialog, InviteDialog};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeSet;

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
    let detail = Resource::new(
        move || (org.get(), id.get(), change_type.version().get(), deactivate.version().get(), reactivate.version().get(), (team_change.version().get(), release.version().get(), resend.version().get(), reset_mfa.version().get())),
        |(o, id, ..)| get_user(o, id),
    );
    let deactivating: RwSignal<Option<Vec<String>>> = RwSignal::new(None);
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
                                <A href=move || format!("/{}/admin/users", org.get()) attr:class="back-link">"← Users"</A>
                                <h1 data-testid="user-name">{u.display_name()}</h1>
                                <p class="muted">{u.email.clone()} " · " {status_badge(&u)} " " {origin_badge(u.origin)} " " {guest_badge(&u)}</p>
                            </div>
                            {d.can_release.then(|| view! { <ReleaseNotice action=release org=org kind="users" id=uid.get_value() /> })}
                            {managed.then(|| view! {
                                <div class="alert alert-info" data-testid="managed-note">
                                    "Your identity provider manages this person: change their name, account type, teams and status there. Gatehouse shows them read-only."
                                </div>
                            })}
                            <section class="card">
                                <h2>"Profile"</h2>
                                <dl class="details">
                                    <dt>"Email"</dt><dd>{u.email.clone()}</dd>
                                    <dt>{if managed { view! { <span>"Account type"</span> }.into_any() } else { view! { <label for="user-account-type">"Account type"</label> }.into_any() }}</dt>
                                    <dd>
                                        {if managed {
                                            view! { <span data-testid="user-account-type">{u.account_type.clone()}</span> }.into_any()
                                        } else {
                                            view! {
                                                <select id="user-account-type" class="inline-select" data-testid="user-account-type" on:change=move |ev| {
                                                    change_type.dispatch(ChangeAccountType { org: org.get_untracked(), user_ids: vec![uid.get_value()], account_type_id: event_target_value(&ev) });
                                                }>
                                                    {d.account_types.iter().map(|t| { let sel = t.id == current_type; view! { <option value=t.id.clone() selected=sel>{t.label.clone()}</option> } }).collect_view()}
                                                </select>
                                            }.into_any()
                                        }}
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
                                            (!u.is_self).then(|| view! { <button type="button" class="btn btn-danger-outline" data-testid="deactivate" on:click=move |_| deactivating.set(Some(vec![uid.get_value()]))>"Deactivate…"</button> }).into_any()
                                        } else {
                                            view! { <button type="button" class="btn btn-primary" data-testid="reactivate" on:click=move |_| { reactivate.dispatch(ReactivateUsers { org: org.get_untracked(), user_ids: vec![uid.get_value()] }); }>"Reactivate"</button> }.into_any()
                                        }}
                                    </div>
                                })}
                                {(!managed && u.is_self && u.status.is_active()).then(|| view! {
                                    <p class="hint">"You cannot deactivate yourself; another administrator can."</p>
                                })}
                            </section>
                            <section class="card">
                                <h2>"Teams"</h2>
                                {if d.team_choices.is_empty() {
                                    view! { <p class="muted">"There are no teams yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <fieldset class="checks-fieldset" disabled=managed>
                                            <legend class="visually-hidden">"Teams"</legend>
                                            <div class="checks">
                                                {d.team_choices.iter().map(|t| {
                                                    let tid = t.id.clone();
                                                    let on = member_of.contains(&t.id);
                                                    view! {
                                                        <label class="check-inline"><input type="checkbox" checked=on on:change=move |ev| {
                                                            team_change.dispatch(ChangeTeamMembers { org: org.get_untracked(), team_id: tid.clone(), user_ids: vec![uid.get_value()], add: event_target_checked(&ev) });
                                                        } />{t.label.clone()}</label>
                                                    }
                                                }).collect_view()}
                                            </div>
                                        </fieldset>
                                        {managed.then(|| view! { <p class="hint">"Teams come from your identity provider's groups."</p> })}
                                    }.into_any()
                                }}
                            </section>
                            <section class="card table-card">
                                <h2 class="pad">"Sign-in history"</h2>
                                <div class="table-scroll" tabindex="0" role="region" aria-label="Sign-in history">
                                    <table class="table">
                                        <thead><tr><th>"Time"</th><th>"Result"</th><th>"Detail"</th><th>"IP address"</th></tr></thead>
                                        <tbody>
                                            {d.sign_ins.into_iter().map(|e| view! {
                                                <tr><td class="nowrap">{time_view(&e.at)}</td><td>{e.action_label}</td><td class="detail">{e.detail}</td><td class="muted">{e.ip}</td></tr>
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
    }
}
