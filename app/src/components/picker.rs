//! A search box that finds people by the start of their name or email.
use crate::api::teams::search_people;
use crate::domain::views::Choice;
use leptos::prelude::*;

#[component]
pub fn PersonPicker(
    #[prop(into)] org: Signal<String>,
    #[prop(into)] placeholder: String,
    on_pick: Callback<Choice>,
    #[prop(optional, into)] testid: String,
) -> impl IntoView {
    let term = RwSignal::new(String::new());
    let results = Resource::new(move || (org.get(), term.get()), |(o, t)| async move {
        if t.trim().is_empty() { Ok(Vec::new()) } else { search_people(o, t).await }
    });
    view! {
        <div class="picker" data-testid=testid>
            <input type="search" placeholder=placeholder aria-label="Find a person" prop:value=term
                on:input=move |ev| term.set(event_target_value(&ev)) />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = results.await.unwrap_or_default();
                    (!list.is_empty()).then(|| view! {
                        <ul class="picker-results" role="listbox">
                            {list.into_iter().map(|c| {
                                let label = c.label.clone();
                                view! {
                                    <li role="option">
                                        <button type="button" class="picker-option" on:click=move |_| {
                                            on_pick.run(c.clone());
                                            term.set(String::new());
                                        }>{label}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })
                })}
            </Transition>
        </div>
    }
}
