//! Administration > Account Types: the list, and the editor for new and existing types.
use crate::api::account_types::{get_account_type, list_account_types, DeleteAccountType, SaveAccountType, SetInviteDefault};
use crate::components::frame::use_org;
use crate::components::{use_toasts, ErrorPanel, FieldError, FormError};
use crate::domain::permissions::{Permission, PermissionGroup};
use crate::domain::views::{AccountTypeInput, AccountTypeView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use std::collections::BTreeSet;

const GROUPS: [PermissionGroup; 4] = [PermissionGroup::Content, PermissionGroup::Sharing, PermissionGroup::Exports, PermissionGroup::Administration];

/// "Allows 8 of 13 · exports: 7 of 7".
fn summary(t: &AccountTypeView) -> String {
    let exports: Vec<&Permission> = Permission::ALL.iter().filter(|p| p.group() == PermissionGroup::Exports).collect();
    let on = exports.iter().filter(|p| t.permissions.iter().any(|k| k == p.key())).count();
    let exports_text = if on == 0 { "no exports".to_string() } else { format!("exports {on} of {}", exports.len()) };
    let admin = if t.administers { " · administers" } else { "" };
    format!("{} of {} permissions · {exports_text}{admin}", t.permissions.len(), Permission::ALL.len())
}

#[component]
pub fn AccountTypesPage() -> impl IntoView {
    let org = use_org();
    let delete = ServerAction::<DeleteAccountType>::new();
    let make_default = ServerAction::<SetInviteDefault>::new();
    let types = Resource::new(
        move || (org.get(), delete.version().get(), make_default.version().get()),
        |(o, _, _)| list_account_types(o),
    );
    let toasts = use_toasts();
    let confirming = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            toasts.success("Account type deleted");
            confirming.set(None);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = make_default.value().get() {
            toasts.success("Invitation default changed");
        }
    });
    let delete_error = Signal::derive(move || delete.value().get().and_then(|r| r.err()));

    view! {
        <Title text="Account Types" />
        <div class="page-header with-actions">
            <div>
                <h1>"Account Types"</h1>
                <p class="muted">"What each kind of user may do. New users get the invitation default unless you pick another type."</p>
            </div>
            <A href=move || format!("/{}/admin/account-types/new", org.get()) attr:class="btn btn-primary">"Create New Account Type"</A>
        </div>
        {move || delete_error.get().map(|e| {
            let link = format!("/{}/admin/users?type={}", org.get_untracked(), confirming.get_untracked().unwrap_or_default());
            view! {
                <div class="alert alert-error" role="alert" data-testid="delete-error">
                    {e.message} " " <a href=link>"See these users"</a>
                </div>
            }
        })}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match types.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(list) => view! {
                        <div class="card table-card">
                            <table class="table" data-testid="account-types">
                                <thead><tr><th>"Name"</th><th>"Kind"</th><th>"Users"</th><th>"Allows"</th><th></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|t| {
                                        let o = org.get_untracked();
                                        let edit = format!("/{o}/admin/account-types/{}", t.id);
                                        let users = format!("/{o}/admin/users?type={}&status=all", t.id);
                                        let id_del = t.id.clone();
                                        let id_def = t.id.clone();
                                        let id_confirm = t.id.clone();
                                        let name = t.name.clone();
                                        let s = summary(&t);
                                        let link_name = t.name.clone();
                                        view! {
                                            <tr data-testid="account-type-row" data-name=t.name.clone()>
                                                <td>
                                                    {if t.can_edit {
                                                        view! { <A href=edit>{link_name}</A> }.into_any()
                                                    } else {
                                                        view! { <strong>{t.name.clone()}</strong> }.into_any()
                                                    }}
                                                    {t.invite_default.then(|| view! { <span class="badge badge-info">"Invitation default"</span> })}
                                                    <div class="muted small">{t.description.clone()}</div>
                                                </td>
                                                <td><span class="badge">{if t.built_in.is_some() { "Built-in" } else { "Custom" }}</span></td>
                                                <td><a href=users>{t.user_count}</a></td>
                                                <td class="muted">{s}</td>
                                                <td class="actions">
                                                    {(!t.invite_default && t.can_be_default).then(|| view! {
                                                        <button class="btn btn-secondary btn-small" on:click=move |_| {
                                                            make_default.dispatch(SetInviteDefault { org: org.get_untracked(), id: id_def.clone() });
                                                        }>"Make default"</button>
                                                    })}
                                                    {t.can_delete.then(|| {
                                                        let id_c = id_confirm.clone();
                                                        let id_d = id_del.clone();
                                                        let name = name.clone();
                                                        view! {
                                                            <Show when=move || confirming.get().as_deref() == Some(id_c.as_str())
                                                                fallback={
                                                                    let id = id_confirm.clone();
                                                                    move || { let id = id.clone(); view! {
                                                                        <button class="btn btn-danger-outline btn-small" on:click=move |_| { delete.value().set(None); confirming.set(Some(id.clone())) }>"Delete"</button>
                                                                    } }
                                                                }>
                                                                <span class="confirm">
                                                                    {format!("Delete “{name}”?")}
                                                                    <button class="btn btn-danger btn-small" on:click={
                                                                        let id = id_d.clone();
                                                                        move |_| { delete.dispatch(DeleteAccountType { org: org.get_untracked(), id: id.clone() }); }
                                                                    }>"Delete"</button>
                                                                    <button class="btn btn-secondary btn-small" on:click=move |_| confirming.set(None)>"Cancel"</button>
                                                                </span>
                                                            </Show>
                                                        }
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// `/{org}/admin/account-types/new` and `/{org}/admin/account-types/{id}`.
#[component]
pub fn AccountTypeEditorPage() -> impl IntoView {
    let org = use_org();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").filter(|i| i != "new"));
    let existing = Resource::new(move || (org.get(), id.get()), |(o, id)| async move {
        match id {
            Some(id) => get_account_type(o, id).await.map(Some),
            None => Ok(None),
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match existing.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(t) => view! { <AccountTypeEditor existing=t /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AccountTypeEditor(existing: Option<AccountTypeView>) -> impl IntoView {
    let org = use_org();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let is_new = existing.is_none();
    let id = existing.as_ref().map(|t| t.id.clone());
    let built_in = existing.as_ref().and_then(|t| t.built_in.clone());
    let name = RwSignal::new(existing.as_ref().map(|t| t.name.clone()).unwrap_or_default());
    let description = RwSignal::new(existing.as_ref().map(|t| t.description.clone()).unwrap_or_default());
    let chosen: RwSignal<BTreeSet<String>> = RwSignal::new(
        existing.as_ref().map(|t| t.permissions.iter().cloned().collect()).unwrap_or_else(|| {
            crate::domain::PermissionSet::viewer().iter().map(|p| p.key().to_string()).collect()
        }),
    );
    let save = ServerAction::<SaveAccountType>::new();
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            toasts.success(format!("Account type “{}” saved", name.get_untracked()));
            navigate(&format!("/{}/admin/account-types", org.get_untracked()), Default::default());
        }
    });
    let start_from = move |set: crate::domain::PermissionSet| chosen.set(set.iter().map(|p| p.key().to_string()).collect());
    let exports_off = move |_| chosen.update(|s| s.retain(|k| Permission::from_key(k).map(|p| p.group() != PermissionGroup::Exports).unwrap_or(false)));
    let title = if is_new { "Create New Account Type".to_string() } else { format!("Edit {}", name.get_untracked()) };

    let matrix = GROUPS
        .iter()
        .map(|g| {
            let g = *g;
            let rows = Permission::ALL
                .iter()
                .filter(|p| p.group() == g)
                .map(|p| {
                    let key = p.key();
                    let on = move || chosen.with(|s| s.contains(key));
                    view! {
                        <label class="perm" class:perm-on=on class:perm-export-off=move || g == PermissionGroup::Exports && !on() data-testid=format!("perm-{key}")>
                            <input type="checkbox" name=key prop:checked=on
                                on:change=move |ev| {
                                    let checked = event_target_checked(&ev);
                                    chosen.update(|s| { if checked { s.insert(key.to_string()); } else { s.remove(key); } });
                                } />
                            <span>{p.label()}</span>
                        </label>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="perm-group">
                    <legend>{g.label()}</legend>
                    {rows}
                </fieldset>
            }
        })
        .collect_view();

    view! {
        <Title text=title.clone() />
        <div class="page-header">
            <A href=move || format!("/{}/admin/account-types", org.get())>"← Account Types"</A>
            <h1>{title}</h1>
            {built_in.map(|b| view! { <p class="muted">{format!("A built-in type ({b}): its permissions can change, its name and existence cannot.")}</p> })}
        </div>
        <section class="card form" data-testid="account-type-editor">
            <FormError error=error fields=&["name", "description", "permissions"] />
            <label for="at-name">"Name"</label>
            <input id="at-name" type="text" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("name"))) />
            <label for="at-description">"Description"</label>
            <input id="at-description" type="text" prop:value=description on:input=move |ev| description.set(event_target_value(&ev)) />
            <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("description"))) />
            <div class="matrix-tools">
                <span class="muted">"Start from:"</span>
                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| start_from(crate::domain::PermissionSet::viewer())>"Viewer"</button>
                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| start_from(crate::domain::PermissionSet::creator())>"Creator"</button>
                <button type="button" class="btn btn-secondary btn-small" on:click=exports_off>"Turn off all exports"</button>
            </div>
            <div class="matrix">{matrix}</div>
            <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("permissions"))) />
            <div class="form-actions">
                <button type="button" class="btn btn-primary" disabled=move || save.pending().get()
                    on:click=move |_| {
                        save.dispatch(SaveAccountType {
                            org: org.get_untracked(),
                            id: id.clone(),
                            input: AccountTypeInput {
                                name: name.get_untracked(),
                                description: description.get_untracked(),
                                permissions: chosen.get_untracked().into_iter().collect(),
                            },
                        });
                    }>
                    {move || if save.pending().get() { "Saving…" } else { "Save" }}
                </button>
                <A href=move || format!("/{}/admin/account-types", org.get()) attr:class="btn btn-secondary">"Cancel"</A>
            </div>
        </section>
    }
}
