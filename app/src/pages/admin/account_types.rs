//! Administration > Account Types: the list, and the editor for new and existing types.
use crate::api::account_types::{get_account_type, list_account_types, DeleteAccountType, SaveAccountType, SetInviteDefault};
use crate::components::frame::use_org;
use crate::components::local::Number;
use crate::components::table::{contains, highlight, use_table_state, Col, DataTable, Pager, TableControls};
use crate::components::toast::report;
use crate::components::{plural, use_toasts, Dialog, ErrorPanel, FieldError, FormError, Menu};
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

/// Account types in the order the table's header asks for.
fn sorted(mut list: Vec<AccountTypeView>, sort: (&str, bool)) -> Vec<AccountTypeView> {
    match sort.0 {
        "users" => list.sort_by(|a, b| a.user_count.cmp(&b.user_count).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))),
        _ => list.sort_by_key(|t| t.name.to_lowercase()),
    }
    if sort.1 {
        list.reverse();
    }
    list
}

#[component]
pub fn AccountTypesPage() -> impl IntoView {
    let org = use_org();
    let delete = ServerAction::<DeleteAccountType>::new();
    let make_default = ServerAction::<SetInviteDefault>::new();
    let types = crate::components::data(move || (org.get(), delete.version().get(), make_default.version().get()), |(o, _, _)| list_account_types(o));
    let toasts = use_toasts();
    let table = use_table_state("name");
    // The type being deleted: id and name.
    let deleting: RwSignal<Option<(String, String)>> = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            toasts.success("Account type deleted");
            deleting.set(None);
        }
    });
    report(make_default, "Invitation default changed", &[]);
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
        <TableControls state=table placeholder="Name or description" testid="account-type-filters" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match types.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(list) => {
                        let state = table.get_untracked();
                        let term = state.search.clone();
                        let found: Vec<AccountTypeView> = list.into_iter().filter(|t| contains(&t.name, &term) || contains(&t.description, &term)).collect();
                        let page = state.page_of(sorted(found, state.sort_by()));
                        let empty = (page.total == 0).then_some("No account types match.");
                        let columns = vec![Col::sorts("Name", "name"), Col::plain("Kind"), Col::sorts("Users", "users"), Col::plain("Allows"), Col::actions()];
                        view! {
                            <DataTable label="Account types" testid="account-types" columns state=table empty>
                                {page.rows.into_iter().map(|t| {
                                    let o = org.get_untracked();
                                    let edit = format!("/{o}/admin/account-types/{}", t.id);
                                    let users = format!("/{o}/admin/users?type={}&status=all", t.id);
                                    let id_def = StoredValue::new(t.id.clone());
                                    let target = StoredValue::new((t.id.clone(), t.name.clone()));
                                    let s = summary(&t);
                                    let users_label = format!("{}: {}", t.name, plural(t.user_count, "user", "users"));
                                    let name = highlight(&t.name, &term);
                                    let description = highlight(&t.description, &term);
                                    let can_default = !t.invite_default && t.can_be_default;
                                    let has_actions = can_default || t.can_delete;
                                    let can_delete = t.can_delete;
                                    let menu_label = format!("Actions for {}", t.name);
                                    view! {
                                        <tr data-testid="account-type-row" data-name=t.name.clone()>
                                            <td data-label="Name" class="name">
                                                {if t.can_edit { view! { <A href=edit>{name}</A> }.into_any() } else { view! { <strong>{name}</strong> }.into_any() }}
                                                {t.invite_default.then(|| view! { <span class="badge badge-info">"Invitation default"</span> })}
                                                <div class="muted small">{description}</div>
                                            </td>
                                            <td data-label="Kind"><span class="badge">{if t.built_in.is_some() { "Built-in" } else { "Custom" }}</span></td>
                                            <td data-label="Users"><A href=users attr:aria-label=users_label><Number n=t.user_count /></A></td>
                                            <td data-label="Allows" class="muted">{s}</td>
                                            <td class="actions">
                                                {has_actions.then(|| view! {
                                                    <Menu label=menu_label.clone() text="⋯" button_class="btn btn-secondary btn-small btn-icon">
                                                        // Administrators are made one by one, never by default.
                                                        {can_default.then(|| view! {
                                                            <button type="button" class="menu-item" role="menuitem" on:click=move |_| {
                                                                make_default.dispatch(SetInviteDefault { org: org.get_untracked(), id: id_def.get_value() });
                                                            }>"Make invitation default"</button>
                                                        })}
                                                        {can_delete.then(|| view! {
                                                            <button type="button" class="menu-item danger" role="menuitem" on:click=move |_| {
                                                                delete.value().set(None);
                                                                deleting.set(Some(target.get_value()));
                                                            }>"Delete…"</button>
                                                        })}
                                                    </Menu>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </DataTable>
                            <Pager total=page.total page=page.page page_count=page.page_count one="account type" many="account types" />
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <Dialog open=Signal::derive(move || deleting.with(|d| d.is_some())) on_close=Callback::new(move |_| deleting.set(None))
            title=Signal::derive(move || deleting.get().map(|(_, n)| format!("Delete “{n}”?")).unwrap_or_default())
            testid="delete-account-type-dialog" tone="danger">
            <p>"The account type is removed for good. A type that someone holds cannot be deleted: give them another type first."</p>
            {move || delete_error.get().map(|e| {
                let link = format!("/{}/admin/users?type={}&status=all", org.get_untracked(), deleting.get_untracked().map(|d| d.0).unwrap_or_default());
                view! {
                    <div class="alert alert-error" role="alert" data-testid="delete-error">
                        {e.message} " " <a href=link>"See these users"</a>
                    </div>
                }
            })}
            <div class="form-actions">
                <button type="button" class="btn btn-danger" disabled=move || delete.pending().get() on:click=move |_| {
                    if let Some((id, _)) = deleting.get_untracked() {
                        delete.dispatch(DeleteAccountType { org: org.get_untracked(), id });
                    }
                }>"Delete"</button>
                <button type="button" class="btn btn-secondary" on:click=move |_| deleting.set(None)>"Cancel"</button>
            </div>
        </Dialog>
    }
}

/// `/{org}/admin/account-types/new` and `/{org}/admin/account-types/{id}`.
#[component]
pub fn AccountTypeEditorPage() -> impl IntoView {
    let org = use_org();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").filter(|i| i != "new"));
    let existing = crate::components::data(
        move || (org.get(), id.get()),
        |(o, id)| async move {
            match id {
                Some(id) => get_account_type(o, id).await.map(Some),
                None => Ok(None),
            }
        },
    );
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
    let chosen: RwSignal<BTreeSet<String>> =
        RwSignal::new(existing.as_ref().map(|t| t.permissions.iter().cloned().collect()).unwrap_or_else(|| crate::domain::PermissionSet::viewer().iter().map(|p| p.key().to_string()).collect()));
    let save = ServerAction::<SaveAccountType>::new();
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    // What was loaded; leaving with anything else asks first.
    let saved = RwSignal::new((name.get_untracked(), description.get_untracked(), chosen.get_untracked()));
    let dirty = Signal::derive(move || saved.with(|(n, d, c)| *n != name.get() || *d != description.get() || *c != chosen.get()));
    crate::components::unsaved::guard(dirty, "Leave without saving? Your changes to this account type will be lost.");
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            saved.set((name.get_untracked(), description.get_untracked(), chosen.get_untracked()));
            toasts.success(format!("Account type “{}” {}", name.get_untracked(), if is_new { "created" } else { "saved" }));
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
                            {(!p.has_feature()).then(|| view! { <span class="muted small perm-note">" — not in Gatehouse yet; kept for when it is"</span> })}
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

    let clear = move || {
        if save.value().with_untracked(|v| v.as_ref().is_some_and(|r| r.is_err())) {
            save.value().set(None);
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveAccountType {
            org: org.get_untracked(),
            id: id.clone(),
            input: AccountTypeInput { name: name.get_untracked(), description: description.get_untracked(), permissions: chosen.get_untracked().into_iter().collect() },
        });
    };
    let fixed_name = built_in.is_some();

    view! {
        <Title text=title.clone() />
        <div class="page-header">
            <A href=move || format!("/{}/admin/account-types", org.get()) attr:class="back-link">"← Account Types"</A>
            <h1>{title}</h1>
            {built_in.map(|b| view! { <p class="muted">{format!("A built-in type ({b}): its permissions can change, its name and existence cannot.")}</p> })}
        </div>
        <form class="card form" data-testid="account-type-editor" on:submit=submit on:input=move |_| clear() on:change=move |_| clear()>
            <FormError error=error fields=&["name", "description", "permissions"] />
            <label for="at-name">"Name"</label>
            <input id="at-name" type="text" prop:value=name readonly=fixed_name aria-describedby=fixed_name.then_some("at-name-hint")
                on:input=move |ev| name.set(event_target_value(&ev)) />
            {fixed_name.then(|| view! { <p class="hint" id="at-name-hint">"Built-in account types keep their name."</p> })}
            <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("name"))) />
            <label for="at-description">"Description"</label>
            <input id="at-description" type="text" prop:value=description on:input=move |ev| description.set(event_target_value(&ev)) />
            <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("description"))) />
            <div class="matrix-tools" role="group" aria-label="Start from">
                <span class="muted">"Start from:"</span>
                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| start_from(crate::domain::PermissionSet::viewer())>"Viewer"</button>
                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| start_from(crate::domain::PermissionSet::creator())>"Creator"</button>
                <button type="button" class="btn btn-secondary btn-small" on:click=exports_off>"Turn off all exports"</button>
            </div>
            <p class="hint">"Exports that are off are shown in red. People without any export see why on a document instead of an Export button."</p>
            <div class="matrix">{matrix}</div>
            <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("permissions"))) />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="save-account-type" disabled=move || save.pending().get()>
                    {move || match (save.pending().get(), is_new) {
                        (true, true) => "Creating…",
                        (true, false) => "Saving…",
                        (false, true) => "Create",
                        (false, false) => "Save",
                    }}
                </button>
                <A href=move || format!("/{}/admin/account-types", org.get()) attr:class="btn btn-secondary">"Cancel"</A>
            </div>
        </form>
    }
}
