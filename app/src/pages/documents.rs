//! The documents landing page: My documents (with archived users' folders),
//! team workspaces, shared with me; creating a document; uploading a CSV.
use crate::api::documents::{load_documents, CreateDocument, UploadCsv};
use crate::components::frame::use_org;
use crate::components::local::number_text;
use crate::components::table::{use_table_state, Col, DataTable};
use crate::components::toast::report;
use crate::components::{ErrorPanel, FieldError, FormError};
use crate::domain::document_views::{DocumentFolder, DocumentSummary, DocumentsHome};
use crate::pages::admin::audit::time_view;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn DocumentsSection() -> impl IntoView {
    let org = use_org();
    let create = ServerAction::<CreateDocument>::new();
    let upload = ServerAction::<UploadCsv>::new();
    let home = crate::components::data(move || (org.get(), upload.version().get()), |(o, _)| load_documents(o));
    let create_error = report(create, "Document created", &["name", "dataset"]);
    let upload_error = report(upload, "CSV uploaded: its dataset can now be chosen for a new document", &["name", "csv"]);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/{}/documents/{id}", org.get_untracked()), Default::default());
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading documents…"</p> }>
            {move || Suspend::new(async move {
                match home.await {
                    Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                    Ok(h) => view! {
                        {h.can_create.then(|| view! { <CreateForm home=h.clone() action=create error=create_error /> })}
                        <section class="card" data-testid="my-documents">
                            <h2>"My documents"</h2>
                            <DocList docs=h.mine.clone() empty="You have no documents of your own yet." />
                            {(!h.archived.is_empty()).then(|| view! {
                                <h3>"Archived users"</h3>
                                {h.archived.iter().map(|f| folder(f, "archived-folder")).collect_view()}
                            })}
                        </section>
                        {h.teams.iter().map(|t| view! {
                            <section class="card" data-testid="team-workspace" data-team=t.name.clone()>
                                <h2>"Team workspace: " {t.name.clone()}</h2>
                                <DocList docs=t.documents.clone() empty="No documents in this workspace yet." />
                            </section>
                        }).collect_view()}
                        <section class="card" data-testid="shared-with-me">
                            <h2>"Shared with me"</h2>
                            <DocList docs=h.shared.clone() empty="Nothing has been shared with you yet." />
                        </section>
                        {h.can_upload.then(|| view! { <UploadForm action=upload error=upload_error /> })}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn folder(f: &DocumentFolder, testid: &'static str) -> impl IntoView {
    view! {
        <details class="folder" data-testid=testid data-name=f.name.clone() open>
            <summary>{format!("Archived users > {}", f.name)}</summary>
            <DocList docs=f.documents.clone() empty="" />
        </details>
    }
}

/// Documents in the order the headers ask for (the URL keeps it, for every
/// list of the page): by name, or by when they last changed.
fn sorted(mut docs: Vec<DocumentSummary>, sort: (&str, bool)) -> Vec<DocumentSummary> {
    match sort.0 {
        "changed" => docs.sort_by(|a, b| a.updated_at.cmp(&b.updated_at)),
        "owner" => docs.sort_by_key(|d| d.owner.to_lowercase()),
        _ => docs.sort_by_key(|d| d.name.to_lowercase()),
    }
    if sort.1 {
        docs.reverse();
    }
    docs
}

#[component]
fn DocList(docs: Vec<DocumentSummary>, empty: &'static str) -> impl IntoView {
    let org = use_org();
    if docs.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    let table = use_table_state("name");
    let columns = vec![Col::sorts("Name", "name"), Col::plain("Dataset"), Col::sorts("Owner", "owner"), Col::sorts("Changed", "changed")];
    view! {
        <DataTable label="Documents" testid="document-list" columns state=table empty=None bare=true>
            {move || sorted(docs.clone(), table.get().sort_by()).into_iter().map(|d| {
                let href = format!("/{}/documents/{}", org.get_untracked(), d.id);
                let name = d.name.clone();
                view! {
                    <tr data-testid="document-row" data-name=d.name>
                        <td data-label="Name" class="name"><A href=href>{name}</A></td>
                        <td data-label="Dataset" class="muted">{d.dataset}</td>
                        <td data-label="Owner">{d.owner}</td>
                        <td data-label="Changed" class="muted nowrap">{time_view(&d.updated_at)}</td>
                    </tr>
                }
            }).collect_view()}
        </DataTable>
    }
    .into_any()
}

#[component]
fn CreateForm(home: DocumentsHome, action: ServerAction<CreateDocument>, error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    let org = use_org();
    view! {
        <section class="card">
            <h2>"New document"</h2>
            <ActionForm action=action attr:class="form" attr:data-testid="create-document">
                <FormError error=error fields=&["name", "dataset"] />
                <input type="hidden" name="org" prop:value=move || org.get() />
                <div class="row">
                    <div>
                        <label for="doc-name">"Name"</label>
                        <input id="doc-name" name="name" type="text" required />
                        <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("name"))) />
                    </div>
                    <div>
                        <label for="doc-dataset">"Dataset"</label>
                        <select id="doc-dataset" name="dataset_id">
                            {home.datasets.iter().map(|d| {
                                let (name, rows, one) = (d.name.clone(), number_text(d.row_count), d.row_count == 1);
                                view! { <option value=d.id.clone()>{move || format!("{name} ({} {})", rows.get(), if one { "row" } else { "rows" })}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div>
                        <label for="doc-place">"Place in"</label>
                        <select id="doc-place" name="team_id">
                            <option value="">"My documents"</option>
                            {home.my_teams.iter().map(|t| view! { <option value=t.id.clone()>{format!("Team workspace: {}", t.label)}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="form-actions"><button type="submit" class="btn btn-primary">"Create document"</button></div>
            </ActionForm>
        </section>
    }
}

#[component]
fn UploadForm(action: ServerAction<UploadCsv>, error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    let org = use_org();
    view! {
        <section class="card">
            <h2>"Upload a CSV as a new dataset"</h2>
            <p class="muted">"Paste the file's text. The first line names the columns; at most 1 MB and 20,000 rows."</p>
            <ActionForm action=action attr:class="form" attr:data-testid="upload-csv">
                <FormError error=error fields=&["name", "csv"] />
                <input type="hidden" name="org" prop:value=move || org.get() />
                <label for="csv-name">"Dataset name"</label>
                <input id="csv-name" name="name" type="text" required />
                <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("name"))) />
                <label for="csv-text">"CSV"</label>
                <textarea id="csv-text" name="csv" rows="6" required></textarea>
                <FieldError message=Signal::derive(move || error.get().and_then(|e| e.for_field("csv"))) />
                <div class="form-actions"><button type="submit" class="btn btn-secondary">"Upload CSV"</button></div>
            </ActionForm>
        </section>
    }
}
