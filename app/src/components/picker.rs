//! Search boxes that offer a list to choose from: people (found on the
//! server by the start of their name or email) and teams (filtered in the
//! browser). Both follow the ARIA combobox pattern: the list is announced,
//! ArrowDown/ArrowUp move through it (the input keeps focus and names the
//! active option with `aria-activedescendant`), Home/End jump to the first
//! and last, Enter picks, Escape closes the list and then clears the box.
use crate::api::teams::search_people;
use crate::components::table::contains;
use crate::domain::views::Choice;
use leptos::prelude::*;

/// The combobox itself: `term` is what is typed, `options` what matches it.
#[component]
pub fn Combobox(
    /// Unique on the page: the list's id is derived from it.
    id: &'static str,
    label: &'static str,
    #[prop(into)] placeholder: String,
    term: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<Choice>>,
    on_pick: Callback<Choice>,
    #[prop(optional, into)] testid: String,
    /// Said when the term matches nothing.
    #[prop(optional)]
    none: &'static str,
) -> impl IntoView {
    let list_id = format!("{id}-list");
    let active: RwSignal<Option<usize>> = RwSignal::new(None);
    let closed = RwSignal::new(false);
    // A new term starts a new list, with nothing active yet.
    Effect::new(move |_| {
        term.track();
        active.set(None);
        closed.set(false);
    });
    let open = move || !closed.get() && !term.with(|t| t.trim().is_empty());
    let option_id = move |i: usize| format!("{id}-option-{i}");
    let pick = move |c: Choice| {
        on_pick.run(c);
        term.set(String::new());
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let n = options.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                closed.set(false);
                active.update(|a| *a = Some(a.map(|i| (i + 1) % n).unwrap_or(0)));
            }
            "ArrowUp" if n > 0 => {
                ev.prevent_default();
                closed.set(false);
                active.update(|a| *a = Some(a.map(|i| (i + n - 1) % n).unwrap_or(n - 1)));
            }
            "Home" if n > 0 && active.get_untracked().is_some() => {
                ev.prevent_default();
                active.set(Some(0));
            }
            "End" if n > 0 && active.get_untracked().is_some() => {
                ev.prevent_default();
                active.set(Some(n - 1));
            }
            "Enter" => {
                // Enter never submits the surrounding form from here.
                ev.prevent_default();
                let chosen = active.get_untracked().or((n == 1).then_some(0));
                if let Some(c) = chosen.and_then(|i| options.with_untracked(|o| o.get(i).cloned())) {
                    pick(c);
                }
            }
            "Escape" => {
                if open() {
                    ev.prevent_default();
                    ev.stop_propagation();
                    closed.set(true);
                    active.set(None);
                } else if !term.get_untracked().is_empty() {
                    ev.prevent_default();
                    ev.stop_propagation();
                    term.set(String::new());
                }
            }
            _ => {}
        }
    };
    let list_for_input = list_id.clone();
    view! {
        <div class="picker" data-testid=testid>
            <input type="search" role="combobox" placeholder=placeholder aria-label=label autocomplete="off"
                aria-autocomplete="list" aria-controls=list_for_input
                aria-expanded=move || if open() && options.with(|o| !o.is_empty()) { "true" } else { "false" }
                aria-activedescendant=move || active.get().filter(|_| open()).map(option_id)
                prop:value=term
                on:input=move |ev| term.set(event_target_value(&ev))
                on:keydown=keydown
                on:blur=move |_| closed.set(true)
                on:focus=move |_| closed.set(false) />
            <ul class="picker-results" role="listbox" id=list_id aria-label=label hidden=move || !open() || options.with(|o| o.is_empty())>
                {move || options.get().into_iter().enumerate().map(|(i, c)| {
                    let label = c.label.clone();
                    view! {
                        <li role="option" id=option_id(i) class="picker-option" class:active=move || active.get() == Some(i)
                            aria-selected=move || if active.get() == Some(i) { "true" } else { "false" }
                            // Chosen on mousedown, before the input loses focus and closes the list.
                            on:mousedown=move |ev| { ev.prevent_default(); pick(c.clone()); }>
                            {label}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || (open() && !none.is_empty() && options.with(|o| o.is_empty())).then(|| view! { <p class="muted small picker-none" role="status">{none}</p> })}
        </div>
    }
}

/// Finds active people on the server by the start of their name or email.
#[component]
pub fn PersonPicker(
    #[prop(into)] org: Signal<String>,
    #[prop(into)] placeholder: String,
    on_pick: Callback<Choice>,
    #[prop(optional, into)] testid: String,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    let term = RwSignal::new(String::new());
    // Asked only in the browser, as people type: an effect, which never runs
    // on the server or while the page hydrates. (A LocalResource read here, inside
    // the page's Transition, could make the Transition show its fallback
    // during hydration when the browser polled it late: a hydration error
    // that left the team page without its code.)
    let options = RwSignal::new(Vec::<Choice>::new());
    Effect::new(move |_| {
        let (o, t) = (org.get(), term.get());
        if t.trim().is_empty() {
            options.set(Vec::new());
            return;
        }
        leptos::task::spawn_local(async move {
            let found = search_people(o, t.clone()).await;
            // An answer to a term no longer typed is dropped.
            if term.get_untracked() == t {
                options.set(found.unwrap_or_default());
            }
        });
    });
    let options: Signal<Vec<Choice>> = options.into();
    view! {
        <Combobox id=id.unwrap_or("person-picker") label="Find a person" placeholder term options on_pick testid none="Nobody active matches." />
    }
}

/// Chooses among teams given in full, filtered as you type (name contains).
#[component]
pub fn TeamPicker(#[prop(into)] teams: Signal<Vec<Choice>>, #[prop(into)] placeholder: String, on_pick: Callback<Choice>, #[prop(optional, into)] testid: String) -> impl IntoView {
    let term = RwSignal::new(String::new());
    let options = Signal::derive(move || {
        let t = term.get();
        teams.with(|all| all.iter().filter(|c| contains(&c.label, t.trim())).take(50).cloned().collect::<Vec<_>>())
    });
    view! {
        <Combobox id="team-picker" label="Find a team" placeholder term options on_pick testid none="No team matches." />
    }
}
