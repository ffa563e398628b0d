//! Administration > User Attributes: attributes with a description and a
//! default value, their values per person and per team, and the teams'
//! priority (a person in several teams gets the first one's value). Values
//! the identity provider set are shown read-only.
use crate::api::attributes::{load_user_attributes, OrderUserAttributeTeams, SaveUserAttribute, SetUserAttributeValue};
use crate::components::frame::use_org;
use crate::components::toast::{report, successes};
use crate::components::{ErrorPanel, FieldError, FormError};
use crate::domain::attributes::{AttributeInput, AttributeView};
use crate::domain::views::Choice;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AttributesPage() -> impl IntoView {
    let org = use_org();
    let save = ServerAction::<SaveUserAttribute>::new();
    let set = ServerAction::<SetUserAttributeValue>::new();
    let order = ServerAction::<OrderUserAttributeTeams>::new();
    let save_error = report(save, "User attribute saved", &["name", "description", "default_value"]);
    let set_error = report(set, "Value saved", &["person", "team", "value"]);
    report(order, "Team priority saved", &[]);
    let (saved, values, ordered) = (successes(save), successes(set), successes(order));
    let page = crate::components::data(move || (org.get(), saved.get(), values.get(), ordered.get()), |(o, ..)| load_user_attributes(o));
    view! {
        <Title text="User Attributes" />
        <div class="page-header">
            <h1>"User Attributes"</h1>
            <p class="muted">"Values that describe people, such as their region. A dataset's row rule uses them to show each person only their rows (set it on a document over the dataset). A person's own value wins; else the value of their first team below; else the default; with none, they see no rows."</p>
        </div>
        <AttributeForm current=None save=save error=save_error />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(p) if p.attributes.is_empty() => view! { <p class="muted" data-testid="no-attributes">"No user attributes yet."</p> }.into_any(),
                    Ok(p) => {
                        let teams = p.teams.clone();
                        p.attributes.into_iter().map(|a| view! { <AttributeCard attribute=a teams=teams.clone() set=set order=order save=save set_error=set_error /> }).collect_view().into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Defines an attribute, or (with `current`) changes one.
#[component]
fn AttributeForm(current: Option<AttributeView>, save: ServerAction<SaveUserAttribute>, error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    let org = use_org();
    let id = current.as_ref().map(|a| a.id.clone());
    let key = id.clone().unwrap_or_else(|| "new".into());
    let name = RwSignal::new(current.as_ref().map(|a| a.name.clone()).unwrap_or_default());
    let description = RwSignal::new(current.as_ref().map(|a| a.description.clone()).unwrap_or_default());
    let default_value = RwSignal::new(current.as_ref().and_then(|a| a.default_value.clone()).unwrap_or_default());
    let editing = current.is_some();
    let stored_id = StoredValue::new(id);
    // Only the form that was submitted shows the error.
    let mine = RwSignal::new(false);
    let error = Signal::derive(move || if mine.get() { error.get() } else { None });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        mine.set(true);
        save.dispatch(SaveUserAttribute {
            org: org.get_untracked(),
            id: stored_id.get_value(),
            input: AttributeInput { name: name.get_untracked(), description: description.get_untracked(), default_value: default_value.get_untracked() },
        });
    };
    Effect::new(move |_| {
        if save.value().with(|v| matches!(v, Some(Ok(_)))) && mine.get_untracked() && !editing {
            name.set(String::new());
            description.set(String::new());
            default_value.set(String::new());
        }
    });
    let (n, d, v) = (format!("attr-name-{key}"), format!("attr-description-{key}"), format!("attr-default-{key}"));
    view! {
        <form class=if editing { "form attribute-edit" } else { "card form" } data-testid=if editing { "edit-attribute" } else { "define-attribute" } on:submit=submit>
            {(!editing).then(|| view! { <h2>"Define an attribute"</h2> })}
            <FormError error=error fields=&["name", "description", "default_value"] />
            <div class="share-fields">
                <div>
                    <label for=n.clone()>"Name"</label>
                    <input id=n type="text" required placeholder="region" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                    <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("name"))) />
                </div>
                <div>
                    <label for=d.clone()>"Description"</label>
                    <input id=d type="text" prop:value=description on:input=move |ev| description.set(event_target_value(&ev)) />
                </div>
                <div>
                    <label for=v.clone()>"Default value"</label>
                    <input id=v type="text" placeholder="none" prop:value=default_value on:input=move |ev| default_value.set(event_target_value(&ev)) />
                    <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("default_value"))) />
                </div>
                <div class="share-submit"><button type="submit" class="btn btn-secondary" disabled=move || save.pending().get()>{if editing { "Save" } else { "Define" }}</button></div>
            </div>
        </form>
    }
}

#[component]
fn AttributeCard(
    attribute: AttributeView,
    teams: Vec<Choice>,
    set: ServerAction<SetUserAttributeValue>,
    order: ServerAction<OrderUserAttributeTeams>,
    save: ServerAction<SaveUserAttribute>,
    set_error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let org = use_org();
    let a = attribute.clone();
    let id = StoredValue::new(a.id.clone());
    let team_ids: Vec<String> = a.teams.iter().map(|t| t.subject_id.clone()).collect();
    let team_count = team_ids.len();
    let team_ids = StoredValue::new(team_ids);
    let mv = move |from: usize, to: usize| {
        let mut ids = team_ids.get_value();
        ids.swap(from, to);
        order.dispatch(OrderUserAttributeTeams { org: org.get_untracked(), attribute_id: id.get_value(), team_ids: ids });
    };
    let clear = move |email: Option<String>, team_id: Option<String>| {
        set.dispatch(SetUserAttributeValue { org: org.get_untracked(), attribute_id: id.get_value(), email, team_id, value: String::new() });
    };
    let mine = RwSignal::new(false);
    let set_error = Signal::derive(move || if mine.get() { set_error.get() } else { None });
    let heading = format!("attr-{}", a.id);
    let labelled_by = heading.clone();
    let save_error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let editing = RwSignal::new(false);
    let current = StoredValue::new(attribute);
    view! {
        <section class="card" data-testid="attribute" data-name=a.name.clone() aria-labelledby=labelled_by>
            <div class="with-actions">
                <div>
                    <h2 id=heading><code>{format!("{{{}}}", a.name)}</code></h2>
                    <p class="muted">{if a.description.is_empty() { "No description.".to_string() } else { a.description.clone() }}</p>
                    <p data-testid="attribute-default">{match &a.default_value { Some(v) => format!("Default value: {v}"), None => "No default value: people with no value of their own and none from a team see no rows.".into() }}</p>
                    {(!a.used_by.is_empty()).then(|| view! { <p class="muted">{format!("Used by the row rule of: {}", a.used_by.join(", "))}</p> })}
                </div>
                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| editing.update(|e| *e = !*e)>"Edit"</button>
            </div>
            {move || editing.get().then(|| view! { <AttributeForm current=Some(current.get_value()) save=save error=save_error /> })}
            <h3>"Teams, first first"</h3>
            {if a.teams.is_empty() {
                view! { <p class="muted">"No team has a value."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll"><table class="table data-table attribute-table" data-testid="attribute-teams">
                        <thead><tr><th scope="col">"Priority"</th><th scope="col">"Team"</th><th scope="col">"Value"</th><th scope="col" class="actions"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                        <tbody>
                            {a.teams.iter().enumerate().map(|(i, t)| {
                                let tid = t.subject_id.clone();
                                let (up, down, rm) = (format!("Move {} up", t.label), format!("Move {} down", t.label), format!("Remove the value of {}", t.label));
                                view! {
                                    <tr data-testid="attribute-team" data-name=t.label.clone()>
                                        <td>{i + 1}</td>
                                        <td>{t.label.clone()}</td>
                                        <td>{t.value.clone()}</td>
                                        <td class="actions">
                                            <button type="button" class="btn btn-secondary btn-small" aria-label=up disabled=i == 0 on:click=move |_| mv(i, i - 1)>"↑"</button>
                                            <button type="button" class="btn btn-secondary btn-small" aria-label=down disabled=i + 1 == team_count on:click=move |_| mv(i, i + 1)>"↓"</button>
                                            <button type="button" class="btn btn-secondary btn-small" aria-label=rm on:click=move |_| clear(None, Some(tid.clone()))>"Remove"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
            <h3>"People"</h3>
            {if a.people.is_empty() {
                view! { <p class="muted">"No person has a value of their own."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll"><table class="table data-table attribute-table" data-testid="attribute-people">
                        <thead><tr><th scope="col">"Person"</th><th scope="col">"Value"</th><th scope="col" class="actions"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                        <tbody>
                            {a.people.iter().map(|p| {
                                let email = p.label.clone();
                                let rm = format!("Remove the value of {}", p.label);
                                view! {
                                    <tr data-testid="attribute-person">
                                        <td>{p.label.clone()}</td>
                                        <td>{p.value.clone()}</td>
                                        <td class="actions">{if p.managed_by_idp {
                                            view! { <span class="badge badge-managed">"Managed by your identity provider"</span> }.into_any()
                                        } else {
                                            view! { <button type="button" class="btn btn-secondary btn-small" aria-label=rm on:click=move |_| clear(Some(email.clone()), None)>"Remove"</button> }.into_any()
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
            <ActionForm action=set attr:class="form" attr:data-testid="set-attribute-value" on:submit=move |_| mine.set(true)>
                <input type="hidden" name="org" prop:value=move || org.get() />
                <input type="hidden" name="attribute_id" value=a.id.clone() />
                <div class="share-fields">
                    <div>
                        <label for=format!("value-email-{}", a.id)>"Person's email"</label>
                        <input id=format!("value-email-{}", a.id) type="email" name="email" placeholder="name@example.com" />
                    </div>
                    <div>
                        <label for=format!("value-team-{}", a.id)>"or team"</label>
                        <select id=format!("value-team-{}", a.id) name="team_id">
                            <option value="">"—"</option>
                            {teams.iter().map(|t| view! { <option value=t.id.clone()>{t.label.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div>
                        <label for=format!("value-{}", a.id)>"Value"</label>
                        <input id=format!("value-{}", a.id) type="text" name="value" required />
                    </div>
                    <div class="share-submit"><button type="submit" class="btn btn-secondary">"Set value"</button></div>
                </div>
                <FieldError message=Signal::derive(move || set_error.get().and_then(|e| e.for_field("person").or_else(|| e.for_field("team")).or_else(|| e.for_field("value")))) />
            </ActionForm>
        </section>
    }
}
