//! `/{org}/documents/{id}`: a document's table, paged on the server. People who
//! may explore filter and sort it (state in the URL: `f=col|op|value`, `sort`,
//! `desc`, `page`); owners edit and share it; the export menu lists only what
//! the account type allows. A dataset's row rule is said above the table,
//! with why a reader sees no rows; administrators set it here.
use crate::api::documents::{load_document, CopyDocument, SaveDocument, SetRowRule, ShareDocument};
use crate::api::webhooks::ExportWebhook;
use crate::components::frame::use_org;
use crate::components::local::Count;
use crate::components::toast::report;
use crate::components::url::query;
use crate::components::{ErrorPanel, FormError, Menu};
use crate::domain::attributes::RuleOp;
use crate::domain::document_views::{DocumentPage as Page, DocumentQuery, Exploration};
use crate::domain::documents::{ColumnKind, ExportFormat, Filter, FilterOp, Sort, TableView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::params::ParamsMap;
use std::collections::BTreeSet;

fn parse_filter(s: &str) -> Option<Filter> {
    let mut p = s.splitn(3, '|');
    let (column, op, value) = (p.next()?, p.next()?, p.next()?);
    Some(Filter { column: column.into(), op: FilterOp::from_key(op)?, value: value.into() })
}

/// The exploration in the URL, if any (`x=1` marks one with no filter or sort).
fn exploration(q: &ParamsMap) -> Option<Exploration> {
    let mut filters: Vec<Filter> = q.get_all("f").unwrap_or_default().iter().filter_map(|s| parse_filter(s)).collect();
    if let (Some(c), Some(o), Some(v)) = (q.get("fc"), q.get("fo").and_then(|o| FilterOp::from_key(&o)), q.get("fv")) {
        if !c.is_empty() && !v.trim().is_empty() {
            filters.push(Filter { column: c, op: o, value: v.trim().to_string() });
        }
    }
    let sort = q.get("sort").filter(|s| !s.is_empty()).map(|column| Sort { column, desc: q.get("desc").as_deref() == Some("1") });
    (q.get("x").is_some() || !filters.is_empty() || sort.is_some()).then_some(Exploration { filters, sort })
}

/// The link to this document exploring `filters` and `sort`, at `page`.
fn link(filters: &[Filter], sort: &Option<Sort>, page: u32) -> String {
    let mut pairs: Vec<(&str, String)> = vec![("x", "1".into())];
    pairs.extend(filters.iter().map(|f| ("f", format!("{}|{}|{}", f.column, f.op.key(), f.value))));
    if let Some(s) = sort {
        pairs.push(("sort", s.column.clone()));
        pairs.push(("desc", if s.desc { "1".into() } else { String::new() }));
    }
    pairs.push(("page", if page > 1 { page.to_string() } else { String::new() }));
    query(&pairs)
}

#[component]
pub fn DocumentPage() -> impl IntoView {
    let org = use_org();
    let params = use_params_map();
    let q = use_query_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let dq = Memo::new(move |_| {
        let q = q.read();
        DocumentQuery { page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1), explore: exploration(&q) }
    });
    let save = ServerAction::<SaveDocument>::new();
    let share = ServerAction::<ShareDocument>::new();
    let hook = ServerAction::<ExportWebhook>::new();
    let save_error = report(save, "Document saved", &[]);
    let share_error = report(share, "Document shared", &["email"]);
    report(hook, "Exported to the webhook", &[]);
    let rule = ServerAction::<SetRowRule>::new();
    let rule_error = report(rule, "Row rule saved", &["column", "attribute"]);
    let copy = ServerAction::<CopyDocument>::new();
    report(copy, "Copy saved in My documents", &[]);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = copy.value().get() {
            navigate(&format!("/{}/documents/{id}", org.get_untracked()), Default::default());
        }
    });
    let rules = crate::components::toast::successes(rule);
    let doc = crate::components::data(move || (org.get(), id.get(), dq.get(), save.version().get(), share.version().get(), rules.get()), |(o, id, q, ..)| load_document(o, id, q));
    view! {
        <Title text="Document" />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match doc.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(p) => view! {
                        <div class="page-header with-actions">
                            <div>
                                <h1 data-testid="document-name">{p.name.clone()}</h1>
                                <p class="muted">{format!("{} · owner {} · {}", p.location, p.owner, p.dataset)}</p>
                            </div>
                            <div class="header-actions">
                                {p.can_copy.then(|| view! { <SaveCopyButton page=p.clone() copy=copy /> })}
                                <ExportMenu page=p.clone() hook=hook />
                            </div>
                        </div>
                        <RuleNote page=p.clone() />
                        {p.can_explore.then(|| view! { <ExploreBar page=p.clone() /> })}
                        <Table page=p.clone() />
                        {p.can_edit.then(|| view! { <EditCard page=p.clone() save=save error=save_error /> })}
                        {p.can_share.then(|| view! { <ShareCard page=p.clone() share=share error=share_error /> })}
                        {p.can_set_rule.then(|| view! { <RuleCard page=p.clone() action=rule error=rule_error /> })}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ExportMenu(page: Page, hook: ServerAction<ExportWebhook>) -> impl IntoView {
    let org = use_org();
    if page.exports.is_empty() {
        // Said rather than hidden, so nobody hunts for a missing button.
        return view! {
            <p class="muted small no-exports" data-testid="no-exports">"Your account type does not allow exports. An administrator can change it."</p>
        }
        .into_any();
    }
    let base = format!("/{}/documents/{}", org.get_untracked(), page.id);
    let dest = RwSignal::new(page.webhooks.first().map(|w| w.id.clone()).unwrap_or_default());
    let id = StoredValue::new(page.id.clone());
    let page = StoredValue::new(page);
    view! {
        <Menu label="Export" text="Export" testid="export-menu">
            <p class="menu-label">"Exports the document as saved."</p>
            {page.with_value(|page| page.exports.iter().map(|f| match f {
                ExportFormat::Webhook => {
                    let label = f.label();
                    view! {
                        {if page.webhooks.is_empty() {
                            view! { <p class="menu-label">"No webhook destination is allowed yet: an administrator adds them on the Account page."</p> }.into_any()
                        } else {
                            view! {
                                <label class="menu-label">"Webhook destination"
                                    <select on:change=move |ev| dest.set(event_target_value(&ev))>
                                        {page.webhooks.iter().map(|w| view! { <option value=w.id.clone()>{w.label.clone()}</option> }).collect_view()}
                                    </select>
                                </label>
                                <button type="button" class="menu-item" role="menuitem" data-testid="export-webhook" disabled=move || hook.pending().get()
                                    on:click=move |_| { hook.dispatch(ExportWebhook { org: org.get_untracked(), id: id.get_value(), destination_id: dest.get_untracked() }); }>
                                    {label}</button>
                            }.into_any()
                        }}
                    }.into_any()
                }
                file => view! {
                    <a class="menu-item" role="menuitem" href=format!("{base}/export.{}", file.key()) download="" rel="external" data-testid=format!("export-{}", file.key())>{file.label()}</a>
                }.into_any(),
            }).collect_view())}
        </Menu>
    }
    .into_any()
}

#[component]
fn ExploreBar(page: Page) -> impl IntoView {
    let shown = page.shown.clone();
    let filters = shown.filters.clone();
    let sort = shown.sort.clone();
    let hidden_filters = filters.iter().map(|f| view! { <input type="hidden" name="f" value=format!("{}|{}|{}", f.column, f.op.key(), f.value) /> }).collect_view();
    let hidden_sort = sort.as_ref().map(|s| {
        view! {
            <input type="hidden" name="sort" value=s.column.clone() />
            <input type="hidden" name="desc" value=if s.desc { "1" } else { "" } />
        }
    });
    let chips = filters
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let rest: Vec<Filter> = filters.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, f)| f.clone()).collect();
            view! {
                <li class="chip">{format!("{} {} {}", f.column, f.op.label(), f.value)} " "
                    <A href=link(&rest, &sort, 1) attr:aria-label="Remove filter">"×"</A></li>
            }
        })
        .collect_view();
    let columns = page.all_columns.iter().map(|c| view! { <option value=c.name.clone()>{c.name.clone()}</option> }).collect_view();
    let back = (shown != page.saved).then(|| view! { <li><A href="?">"Back to the saved view"</A></li> });
    view! {
        <Form method="GET" action="" attr:class="filters" attr:data-testid="explore">
            <input type="hidden" name="x" value="1" />
            {hidden_filters}
            {hidden_sort}
            <label>"Filter"<select name="fc">{columns}</select></label>
            <label>"Condition"
                <select name="fo">
                    {FilterOp::ALL.iter().map(|o| view! { <option value=o.key()>{o.label()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Value"<input type="text" name="fv" /></label>
            <button type="submit" class="btn btn-secondary">"Add filter"</button>
        </Form>
        <ul class="chips" data-testid="active-filters">{chips}{back}</ul>
    }
}

#[component]
fn Table(page: Page) -> impl IntoView {
    let shown = page.shown.clone();
    let kinds: Vec<ColumnKind> = shown.columns.iter().map(|c| page.all_columns.iter().find(|d| &d.name == c).map(|d| d.kind).unwrap_or(ColumnKind::Text)).collect();
    let header = shown
        .columns
        .iter()
        .map(|c| {
            let label = c.clone();
            if !page.can_explore {
                return view! { <th>{label}</th> }.into_any();
            }
            let current = shown.sort.as_ref().filter(|s| &s.column == c);
            let next = Some(Sort { column: c.clone(), desc: current.is_some_and(|s| !s.desc) });
            let arrow = current.map(|s| if s.desc { " ↓" } else { " ↑" }).unwrap_or("");
            view! { <th><A href=link(&shown.filters, &next, 1)>{label}{arrow}</A></th> }.into_any()
        })
        .collect_view();
    let pager = |n: u32| {
        if page.shown == page.saved {
            query(&[("page", n.to_string())])
        } else {
            link(&page.shown.filters, &page.shown.sort, n)
        }
    };
    let prev = (page.page > 1).then(|| pager(page.page - 1));
    let next = (page.page < page.page_count).then(|| pager(page.page + 1));
    view! {
        <div class="card table-card" tabindex="0" role="region" aria-label="Rows">
            <table class="table" data-testid="document-table">
                <thead><tr>{header}</tr></thead>
                <tbody>
                    {page.rows.iter().map(|r| view! {
                        <tr data-testid="data-row">
                            {r.iter().zip(&kinds).map(|(v, k)| view! { <td class:num=*k == ColumnKind::Number>{v.clone()}</td> }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(page.total == 0).then(|| view! { <p class="empty">"No rows match."</p> })}
        </div>
        <nav class="pager" aria-label="Pages">
            <span class="muted" data-testid="row-count"><Count n=page.total one="row" many="rows" />{format!(" · page {} of {}", page.page, page.page_count)}</span>
            {prev.map(|h| view! { <A href=h>"← Previous"</A> })}
            {next.map(|h| view! { <A href=h>"Next →"</A> })}
        </nav>
    }
}

#[component]
fn EditCard(page: Page, save: ServerAction<SaveDocument>, error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    let org = use_org();
    let name = RwSignal::new(page.name.clone());
    let chosen: RwSignal<BTreeSet<String>> = RwSignal::new(page.shown.columns.iter().cloned().collect());
    let all: Vec<String> = page.all_columns.iter().map(|c| c.name.clone()).collect();
    let order = StoredValue::new(all.clone());
    let shown = StoredValue::new(page.shown.clone());
    let id = StoredValue::new(page.id.clone());
    let on_save = move |_| {
        let cols: Vec<String> = order.get_value().into_iter().filter(|c| chosen.with_untracked(|s| s.contains(c))).collect();
        let s = shown.get_value();
        save.dispatch(SaveDocument { org: org.get_untracked(), id: id.get_value(), name: name.get_untracked(), view: TableView { columns: cols, filters: s.filters, sort: s.sort } });
    };
    view! {
        <section class="card" data-testid="edit-document">
            <h2>"Edit document"</h2>
            <p class="muted">"Saves the name, the columns ticked below, and the filters and sort shown above."</p>
            <FormError error=error />
            <div class="form">
                <label for="doc-rename">"Name"</label>
                <input id="doc-rename" type="text" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                <div class="checks">
                    {all.into_iter().map(|c| {
                        let key = c.clone();
                        let key2 = c.clone();
                        view! {
                            <label class="check-inline"><input type="checkbox" prop:checked=move || chosen.with(|s| s.contains(&key))
                                on:change=move |ev| { let on = event_target_checked(&ev); let k = key2.clone(); chosen.update(|s| { if on { s.insert(k); } else { s.remove(&k); } }); } />
                            {c}</label>
                        }
                    }).collect_view()}
                </div>
                <div class="form-actions"><button class="btn btn-primary" on:click=on_save disabled=move || save.pending().get()>"Save document"</button></div>
            </div>
        </section>
    }
}

#[component]
fn ShareCard(page: Page, share: ServerAction<ShareDocument>, error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    let org = use_org();
    view! {
        <section class="card" data-testid="share-document">
            <h2>"Share"</h2>
            <p class="muted">{if page.shared_with.is_empty() { "Not shared yet.".to_string() } else { format!("Shared with {}.", page.shared_with.join(", ")) }}</p>
            <ActionForm action=share attr:class="form share-form" on:input=move |_| {
                if share.value().with_untracked(|v| v.as_ref().is_some_and(|r| r.is_err())) { share.value().set(None); }
            }>
                <input type="hidden" name="org" prop:value=move || org.get() />
                <input type="hidden" name="id" value=page.id.clone() />
                <div class="share-fields">
                    <div>
                        <label for="share-email">"Person's email"</label>
                        <input id="share-email" type="email" name="email" placeholder="name@example.com" />
                    </div>
                    <div>
                        <label for="share-team">"or team"</label>
                        <select id="share-team" name="team_id">
                            <option value="">"—"</option>
                            {page.share_teams.iter().map(|t| view! { <option value=t.id.clone()>{t.label.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="share-submit"><button type="submit" class="btn btn-secondary">"Share"</button></div>
                </div>
                <crate::components::FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("email"))) />
            </ActionForm>
        </section>
    }
}

/// Saves a copy into the caller's documents (the row rule binds it too).
#[component]
fn SaveCopyButton(page: Page, copy: ServerAction<CopyDocument>) -> impl IntoView {
    let org = use_org();
    let id = StoredValue::new(page.id.clone());
    let name = StoredValue::new(format!("Copy of {}", page.name));
    view! {
        <button type="button" class="btn btn-secondary" data-testid="copy-document" disabled=move || copy.pending().get()
            on:click=move |_| { copy.dispatch(CopyDocument { org: org.get_untracked(), id: id.get_value(), name: name.get_value() }); }>
            "Save a copy"</button>
    }
}

/// Which rows the reader sees, and why none when they have no value.
#[component]
fn RuleNote(page: Page) -> impl IntoView {
    page.rule.map(|r| match r.your_value {
        Some(v) => view! {
            <p class="alert alert-info" data-testid="row-rule">
                {format!("Rows limited by {}: you see the rows for your {} “{v}”.", r.text, r.attribute)}
            </p>
        }
        .into_any(),
        None => view! {
            <p class="alert alert-warning" role="status" data-testid="row-rule">
                {format!("You have no value for {}, so you see no rows: this dataset shows each person the rows where {}. An administrator can give you a value (Administration > User Attributes).", r.attribute, r.text)}
            </p>
        }
        .into_any(),
    })
}

/// Administrators: the row rule of the dataset under this document, which
/// binds every document over it and every reader.
#[component]
fn RuleCard(page: Page, action: ServerAction<SetRowRule>, error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    let org = use_org();
    let current = page.rule.clone();
    let column = current.as_ref().map(|r| r.column.clone()).unwrap_or_default();
    let op = current.as_ref().map(|r| r.op).unwrap_or(RuleOp::Eq);
    let attribute = current.as_ref().map(|r| r.attribute_id.clone()).unwrap_or_default();
    let text_columns: Vec<String> = page.all_columns.iter().filter(|c| c.kind == ColumnKind::Text).map(|c| c.name.clone()).collect();
    view! {
        <section class="card" data-testid="row-rule-card">
            <h2>"Row-level security"</h2>
            <p class="muted">{format!("Applies to every document over the dataset {} and to every reader, administrators included. Choose no attribute to show every row.", page.dataset)}</p>
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="org" prop:value=move || org.get() />
                <input type="hidden" name="id" value=page.id.clone() />
                <div class="share-fields">
                    <div>
                        <label for="rule-column">"Column"</label>
                        <select id="rule-column" name="column">
                            {text_columns.into_iter().map(|c| { let sel = c == column; let v = c.clone(); view! { <option value=v selected=sel>{c}</option> } }).collect_view()}
                        </select>
                    </div>
                    <div>
                        <label for="rule-op">"Condition"</label>
                        <select id="rule-op" name="op">
                            {[RuleOp::Eq, RuleOp::In].into_iter().map(|o| view! { <option value=o.key() selected=o == op>{o.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div>
                        <label for="rule-attribute">"User attribute"</label>
                        <select id="rule-attribute" name="attribute_id">
                            <option value="" selected=attribute.is_empty()>"— none (every row)"</option>
                            {page.rule_attributes.iter().map(|a| { let sel = a.id == attribute; view! { <option value=a.id.clone() selected=sel>{a.label.clone()}</option> } }).collect_view()}
                        </select>
                    </div>
                    <div class="share-submit"><button type="submit" class="btn btn-secondary" data-testid="save-row-rule">"Save rule"</button></div>
                </div>
                <crate::components::FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("column").or_else(|| e.for_field("attribute")))) />
            </ActionForm>
        </section>
    }
}
