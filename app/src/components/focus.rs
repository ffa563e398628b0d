//! Focus that follows the work: after a navigation, the new page's heading;
//! after a dialog or a row action whose control disappeared in the reload,
//! the same control once it is back, else the page's heading. Focus is only
//! ever moved when it was lost (on the page's body), never taken from where
//! the person put it.
#[cfg(feature = "hydrate")]
use leptos::prelude::*;

/// The page's main heading.
pub const HEADING: &str = "main h1";

/// Over the next two seconds, whenever focus is lost (a reload replaced the
/// focused control) and an element
/// matching one of `selectors` (tried in order) is on the page, focuses it.
pub fn when_lost(selectors: Vec<String>) {
    #[cfg(feature = "hydrate")]
    poll(selectors, 0, false);
    #[cfg(not(feature = "hydrate"))]
    let _ = selectors;
}

/// Focuses the page's heading once it is on the page (after a navigation).
pub fn heading_soon() {
    #[cfg(feature = "hydrate")]
    poll(vec![HEADING.to_string()], 0, true);
}

#[cfg(feature = "hydrate")]
fn poll(selectors: Vec<String>, tries: u32, always: bool) {
    use wasm_bindgen::JsCast;
    let doc = document();
    let lost = doc.active_element().is_none_or(|e| e.tag_name() == "BODY");
    let found = if always || lost { selectors.iter().find_map(|s| doc.query_selector(s).ok().flatten()) } else { None };
    let found = found
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = found {
        if el.tab_index() < 0 && !el.has_attribute("tabindex") {
            let _ = el.set_attribute("tabindex", "-1");
        }
        let _ = el.focus();
        if always {
            return;
        }
    }
    if tries < 40 {
        set_timeout(move || poll(selectors, tries + 1, always), std::time::Duration::from_millis(50));
    }
}

/// A selector that finds this control again after a reload: by test id or
/// accessible name, which stay the same when the list is drawn anew.
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
