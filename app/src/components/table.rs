//! The console's tables: Users, Teams, Account Types, provisioning tokens and
//! the audit log share this one component and its state.
//!
//! A table's state (search, sort, page and page size) lives in the URL, so a
//! link, a reload or the Back button shows the same rows. Headers sort (again
//! to reverse), matches of the search are highlighted, the last column of
//! actions stays in view when the table scrolls sideways, and on a phone each
//! row becomes a card whose cells are labelled with their column (`data-label`).
use crate::components::url::query;
use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;
use std::time::Duration;

/// The page sizes offered.
pub const PAGE_SIZES: [u32; 3] = [25, 50, 100];
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// What a table shows, read from the URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableState {
    pub search: String,
    /// A column key, "-key" for descending.
    pub sort: String,
    pub page: u32,
    pub size: u32,
}

impl TableState {
    pub fn read(q: &ParamsMap, default_sort: &str) -> TableState {
        TableState {
            search: q.get_str("search").unwrap_or("").to_string(),
            sort: q.get_str("sort").filter(|s| !s.is_empty()).unwrap_or(default_sort).to_string(),
            page: q.get_str("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1),
            size: q.get_str("size").and_then(|s| s.parse().ok()).filter(|s| PAGE_SIZES.contains(s)).unwrap_or(DEFAULT_PAGE_SIZE),
        }
    }

    /// The sort column and whether it is descending.
    pub fn sort_by(&self) -> (&str, bool) {
        match self.sort.strip_prefix('-') {
            Some(k) => (k, true),
            None => (self.sort.as_str(), false),
        }
    }

    /// One page of rows that are already searched and sorted; a page past
    /// the end shows the last one.
    pub fn page_of<T>(&self, rows: Vec<T>) -> Paged<T> {
        let total = rows.len() as i64;
        let page_count = page_count(total, self.size);
        let page = self.page.min(page_count);
        let start = (page - 1) as usize * self.size as usize;
        Paged { rows: rows.into_iter().skip(start).take(self.size as usize).collect(), total, page, page_count }
    }
}

/// How many pages `total` rows make, at least one.
pub fn page_count(total: i64, size: u32) -> u32 {
    (((total.max(0) + i64::from(size) - 1) / i64::from(size)).max(1)) as u32
}

/// One page of a table kept in the browser.
pub struct Paged<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub page_count: u32,
}

/// The table state of the current URL.
pub fn use_table_state(default_sort: &'static str) -> Memo<TableState> {
    let q = use_query_map();
    Memo::new(move |_| q.with(|q| TableState::read(q, default_sort)))
}

/// A link to this page with `changes` made to its query (an empty value
/// removes the parameter); any change but the page's goes back to page 1.
pub fn link_with(q: &ParamsMap, changes: &[(&str, String)]) -> String {
    let keeps_page = changes.iter().any(|(k, _)| *k == "page");
    let mut pairs: Vec<(String, String)> =
        q.into_iter().filter(|(k, _)| !changes.iter().any(|(c, _)| c == k) && (keeps_page || k.as_ref() != "page")).map(|(k, v)| (k.to_string(), v.to_string())).collect();
    pairs.extend(changes.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let borrowed: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    query(&borrowed)
}

/// Whether `text` contains `term`, ignoring case.
pub fn contains(text: &str, term: &str) -> bool {
    term.is_empty() || text.to_lowercase().contains(&term.to_lowercase())
}

/// `text` with each occurrence of `term` (ignoring case) in a `<mark>`.
pub fn highlight(text: &str, term: &str) -> AnyView {
    let term = term.trim();
    let lower = text.to_lowercase();
    // Lower-casing may change lengths outside ASCII; then no highlight.
    if term.is_empty() || lower.len() != text.len() {
        return text.to_string().into_any();
    }
    let needle = term.to_lowercase();
    let mut parts = Vec::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find(&needle) {
        let start = at + i;
        let end = start + needle.len();
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            break;
        }
        parts.push((text[at..start].to_string(), text[start..end].to_string()));
        at = end;
    }
    if parts.is_empty() {
        return text.to_string().into_any();
    }
    let rest = text[at..].to_string();
    view! {
        {parts.into_iter().map(|(before, hit)| view! { {before}<mark>{hit}</mark> }).collect_view()}
        {rest}
    }
    .into_any()
}

/// The short badge of a row the identity provider manages; the long form is
/// its tooltip and what a screen reader says.
pub fn idp_badge() -> impl IntoView {
    view! {
        <span class="badge badge-managed" data-testid="idp-badge" title="Managed by your identity provider">
            "IdP"<span class="visually-hidden">" (managed by your identity provider)"</span>
        </span>
    }
}

/// A column of a [`DataTable`].
#[derive(Clone, Copy)]
pub struct Col {
    pub label: &'static str,
    /// The sort key the header sets, when the column sorts.
    pub sort: Option<&'static str>,
    pub class: &'static str,
}

impl Col {
    pub const fn plain(label: &'static str) -> Col {
        Col { label, sort: None, class: "" }
    }
    pub const fn sorts(label: &'static str, key: &'static str) -> Col {
        Col { label, sort: Some(key), class: "" }
    }
    /// The last column: the row's actions, kept in view.
    pub const fn actions() -> Col {
        Col { label: "Actions", sort: None, class: "actions" }
    }
}

/// A table of rows: the header (sortable columns are links that keep the
/// rest of the URL), the rows given as children, and a line when there are none.
#[component]
pub fn DataTable(
    /// The name a screen reader gives the table.
    label: &'static str,
    testid: &'static str,
    columns: Vec<Col>,
    state: Memo<TableState>,
    /// A header cell before the columns, such as "select all".
    #[prop(optional, into)]
    leading: Option<ViewFn>,
    /// Shown instead of rows when there are none.
    empty: Option<&'static str>,
    /// Inside a card already: the table scrolls in its own box, without a card of its own.
    #[prop(optional)]
    bare: bool,
    children: Children,
) -> impl IntoView {
    let class = if bare { "table-scroll data-table-card" } else { "card table-card data-table-card" };
    view! {
        <div class=class tabindex="0" role="region" aria-label=label>
            <table class="table data-table" data-testid=testid>
                <thead><tr>
                    {leading.map(|l| l.run())}
                    {columns.into_iter().map(|c| header(c, state)).collect_view()}
                </tr></thead>
                <tbody>{children()}</tbody>
            </table>
            {empty.map(|e| view! { <p class="empty">{e}</p> })}
        </div>
    }
}

fn header(c: Col, state: Memo<TableState>) -> AnyView {
    let Some(key) = c.sort else {
        return if c.class == "actions" { view! { <th class="actions"><span class="visually-hidden">{c.label}</span></th> }.into_any() } else { view! { <th class=c.class>{c.label}</th> }.into_any() };
    };
    let q = use_query_map();
    let direction = move || {
        let s = state.get();
        match s.sort_by() {
            (k, false) if k == key => "ascending",
            (k, true) if k == key => "descending",
            _ => "none",
        }
    };
    let href = move || {
        let next = if direction() == "ascending" { format!("-{key}") } else { key.to_string() };
        q.with(|q| link_with(q, &[("sort", next)]))
    };
    let mark = move || match direction() {
        "ascending" => "▲",
        "descending" => "▼",
        _ => "",
    };
    view! {
        <th class=c.class aria-sort=direction>
            <A href=href scroll=false attr:class="sort" attr:data-sort=key>{c.label}<span class="sort-mark" aria-hidden="true">{mark}</span></A>
        </th>
    }
    .into_any()
}

/// The search box and page size above a table. The search applies as you
/// type (after a short pause) and both change the URL; "Apply" serves a
/// browser that has not loaded the app. `children` are further filters.
#[component]
pub fn TableControls(
    state: Memo<TableState>,
    /// What the search matches, e.g. "Name or email".
    placeholder: &'static str,
    testid: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let q = use_query_map();
    let navigate = use_navigate();
    let initial = state.get_untracked();
    let go = StoredValue::new(move |changes: Vec<(&'static str, String)>| {
        let url = q.with_untracked(|q| link_with(q, &changes));
        navigate(&url, NavigateOptions { replace: true, scroll: false, ..Default::default() });
    });
    let typing = StoredValue::new(0u64);
    view! {
        <Form method="GET" action="" attr:class="filters" attr:role="search" attr:data-testid=testid>
            <label>"Search"
                <input type="search" name="search" placeholder=placeholder value=initial.search.clone()
                    on:input=move |ev| {
                        let term = event_target_value(&ev).trim().to_string();
                        let n = typing.get_value() + 1;
                        typing.set_value(n);
                        set_timeout(move || if typing.get_value() == n { go.with_value(|g| g(vec![("search", term)])) }, Duration::from_millis(300));
                    } />
            </label>
            {children.map(|c| c())}
            <label>"Rows per page"
                <select name="size" data-testid="page-size" on:change=move |ev| go.with_value(|g| g(vec![("size", event_target_value(&ev))]))>
                    {PAGE_SIZES.iter().map(|s| view! { <option value=s.to_string() selected=*s == initial.size>{s.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <input type="hidden" name="sort" value=initial.sort.clone() />
            <button type="submit" class="btn btn-secondary until-ready">"Apply"</button>
        </Form>
    }
}

/// A filter of a table, kept in the URL under `name`; choosing applies it.
#[component]
pub fn FilterSelect(name: &'static str, label: &'static str, options: Vec<(String, String)>, selected: String) -> impl IntoView {
    let q = use_query_map();
    let navigate = use_navigate();
    view! {
        <label>{label}
            <select name=name on:change=move |ev| {
                let url = q.with_untracked(|q| link_with(q, &[(name, event_target_value(&ev))]));
                navigate(&url, NavigateOptions { replace: true, scroll: false, ..Default::default() });
            }>
                {options.into_iter().map(|(v, l)| { let on = v == selected; view! { <option value=v selected=on>{l}</option> } }).collect_view()}
            </select>
        </label>
    }
}

/// The count of rows and the links to the previous and next pages. `more`:
/// more match than `total`, which is then a lower bound (the pages go on as
/// long as there are rows; the last is not known).
#[component]
pub fn Pager(total: i64, page: u32, page_count: u32, one: &'static str, many: &'static str, #[prop(optional)] testid: &'static str, #[prop(optional)] more: bool) -> impl IntoView {
    let q = use_query_map();
    let link = move |n: u32| q.with_untracked(|q| link_with(q, &[("page", if n > 1 { n.to_string() } else { String::new() })]));
    let prev = (page > 1).then(|| link(page - 1));
    let next = (page < page_count || more).then(|| link(page + 1));
    view! {
        <nav class="pager" aria-label="Pages">
            <span class="muted" data-testid=testid>
                {more.then_some("More than ")}
                <crate::components::local::Count n=total one=one many=many />
                {if more { format!(" · page {page}") } else { format!(" · page {page} of {page_count}") }}
            </span>
            {prev.map(|h| view! { <A href=h>"← Previous"</A> })}
            {next.map(|h| view! { <A href=h>"Next →"</A> })}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&'static str, &str)]) -> ParamsMap {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    #[test]
    fn state_from_the_url() {
        let s = TableState::read(&map(&[("search", "ada"), ("sort", "-email"), ("page", "3"), ("size", "25")]), "name");
        assert_eq!(s, TableState { search: "ada".into(), sort: "-email".into(), page: 3, size: 25 });
        assert_eq!(s.sort_by(), ("email", true));
        // Nonsense falls back to the defaults.
        let s = TableState::read(&map(&[("page", "0"), ("size", "7"), ("sort", "")]), "name");
        assert_eq!((s.page, s.size, s.sort.as_str()), (1, DEFAULT_PAGE_SIZE, "name"));
    }

    #[test]
    fn links_keep_the_rest_and_reset_the_page() {
        let q = map(&[("status", "all"), ("page", "4"), ("sort", "name")]);
        assert_eq!(link_with(&q, &[("sort", "-name".into())]), "?status=all&sort=-name");
        assert_eq!(link_with(&q, &[("page", "5".into())]), "?status=all&sort=name&page=5");
        assert_eq!(link_with(&q, &[("page", String::new())]), "?status=all&sort=name");
    }

    #[test]
    fn pages() {
        let s = TableState { search: String::new(), sort: "name".into(), page: 9, size: 25 };
        let p = s.page_of((0..60).collect::<Vec<_>>());
        assert_eq!((p.total, p.page, p.page_count, p.rows.len(), p.rows[0]), (60, 3, 3, 10, 50));
        assert_eq!(page_count(0, 25), 1);
        assert_eq!(page_count(50, 25), 2);
    }

    #[test]
    fn matching_ignores_case() {
        assert!(contains("Ada Lovelace", "LOVE"));
        assert!(contains("anything", ""));
        assert!(!contains("Ada", "bob"));
    }
}
