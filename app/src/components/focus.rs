//! Focus that follows the work: after a navigation, the new page's heading;
//! after a dialog or a row action whose control disappeared in the reload,
//! the same control once it is back, else the page's heading. Apart from the
//! heading after a navigation, focus is only moved when it was lost (on the
//! page's body), never taken from where the person put it.
#[cfg(feature = "hydrate")]
use leptos::prelude::*;

/// The page's main heading.
pub const HEADING: &str = "main h1";

/// How long focus is watched: 40 checks, 50 ms apart.
#[cfg(feature = "hydrate")]
const TRIES: u32 = 40;

/// Over the next two seconds, whenever focus is lost (a reload replaced the
/// focused control) and an element matching one of `selectors` (tried in
/// order) is on the page, focuses it.
pub fn when_lost(selectors: Vec<String>) {
    #[cfg(feature = "hydrate")]
    poll(selectors, 0, None);
    #[cfg(not(feature = "hydrate"))]
    let _ = selectors;
}

/// Focuses the new page's heading once it is drawn (after a navigation),
/// and again should a reload of the page take focus away.
pub fn heading_soon() {
    #[cfg(feature = "hydrate")]
    {
        let old = document().query_selector(HEADING).ok().flatten();
        poll(vec![HEADING.to_string()], 0, Some(old));
    }
}

/// `waiting_for_new`: the heading that was there before the navigation,
/// while the new one is not focused yet.
#[cfg(feature = "hydrate")]
fn poll(selectors: Vec<String>, tries: u32, waiting_for_new: Option<Option<web_sys::Element>>) {
    use wasm_bindgen::JsCast;
    let doc = document();
    let lost = doc.active_element().is_none_or(|e| e.tag_name() == "BODY");
    let mut waiting = waiting_for_new;
    if waiting.is_some() || lost {
        let found = selectors.iter().find_map(|s| doc.query_selector(s).ok().flatten());
        // The old page's heading is taken only if no new one came in 200 ms.
        let is_old = matches!((&waiting, &found), (Some(Some(old)), Some(f)) if old == f);
        if let Some(el) = found.filter(|_| !is_old || tries >= 4).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            if !el.has_attribute("tabindex") && el.tab_index() < 0 {
                let _ = el.set_attribute("tabindex", "-1");
            }
            let _ = el.focus();
            waiting = None;
        }
    }
    if tries < TRIES {
        set_timeout(move || poll(selectors, tries + 1, waiting), std::time::Duration::from_millis(50));
    }
}

/// A selector that finds this control again after a reload: by accessible
/// name or test id, which stay the same when the list is drawn anew.
#[cfg(feature = "hydrate")]
pub fn selector_for(el: &web_sys::Element) -> Option<String> {
    let quote = |v: String| v.replace('\\', "\\\\").replace('"', "\\\"");
    let tag = el.tag_name().to_lowercase();
    if let Some(label) = el.get_attribute("aria-label") {
        return Some(format!("{tag}[aria-label=\"{}\"]", quote(label)));
    }
    if let Some(id) = el.get_attribute("data-testid") {
        return Some(format!("{tag}[data-testid=\"{}\"]", quote(id)));
    }
    let id = el.id();
    (!id.is_empty()).then(|| format!("#{id}"))
}
