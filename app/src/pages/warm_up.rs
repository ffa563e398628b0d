//! Once an Administration page is up, the browser fetches the other
//! Administration groups' modules while it is idle, so that the page after
//! the first loads nothing more from the network.
//!
//! The first page loads only its own group's modules (`admin_pages!` in
//! app/src/pages/mod.rs), which keeps it light; without this, the page after
//! it would download the code the first one left out. This only fetches the
//! files into the browser's cache (the bundle's files are cached for good,
//! their folder being named by their content): the modules are compiled and
//! run when their page is reached, as before. A fetch that fails is left at
//! that (the page's own load then tries again and handles a missing bundle),
//! and nothing is fetched when the browser asks to save data.
//!
//! The files come from the bundle's split manifest (scripts/split-manifest.mjs
//! writes it; the server reads it to name a first page's modules as preloads):
//! every group's split function is a key there, its name followed by `_` and
//! a number.

use super::ADMIN_GROUPS;

/// This module's key in the split manifest (`fetch_ahead`'s split).
const WARM_UP: &str = "admin_warm_up";

/// The split manifest's entries: a split function's name and its files.
pub type Manifest = [(String, Vec<String>)];

#[cfg(feature = "hydrate")]
mod browser {
    use super::files_to_fetch;
    use std::sync::atomic::{AtomicBool, Ordering};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    /// Once per page load: the cache is the browser's, not the page's.
    static STARTED: AtomicBool = AtomicBool::new(false);

    pub fn start() {
        if STARTED.swap(true, Ordering::Relaxed) || saves_data() {
            return;
        }
        // Half a second after the page is up, its own requests gone first,
        // the module that fetches loads; it waits for the browser to be idle.
        leptos::prelude::set_timeout(
            || {
                leptos::task::spawn_local(async {
                    // A module that does not load is left at that (no panic, unlike a page's).
                    let _ = fetch_ahead().await;
                })
            },
            std::time::Duration::from_millis(500),
        );
    }

    /// The code that fetches, in a module of its own (`split_admin_warm_up.wasm`)
    /// so that a page's first visit does not carry it.
    #[leptos::wasm_split::wasm_split(admin_warm_up, wasm_split_path = ::leptos::wasm_split, fallible)]
    fn fetch_ahead() -> Result<(), leptos::wasm_split::SplitLoaderError> {
        let begin = || {
            leptos::task::spawn_local(async {
                if let Err(e) = fetch_groups().await {
                    leptos::logging::debug_warn!("the other Administration pages' modules were not fetched ahead: {e:?}");
                }
            })
        };
        // Where there is no requestIdleCallback (Safari), at once.
        if leptos::prelude::request_idle_callback_with_handle(begin).is_err() {
            begin();
        }
        Ok(())
    }

    /// `navigator.connection.saveData` (Chromium; absent elsewhere).
    fn saves_data() -> bool {
        let Some(window) = web_sys::window() else { return true };
        js_sys::Reflect::get(&window.navigator(), &"connection".into())
            .ok()
            .filter(|c| c.is_object())
            .and_then(|c| js_sys::Reflect::get(&c, &"saveData".into()).ok())
            .and_then(|s| s.as_bool())
            .unwrap_or(false)
    }

    async fn fetch_groups() -> Result<(), JsValue> {
        let window = web_sys::window().ok_or("no window")?;
        // The screen on display once the browser is idle (the first one
        // Administration shows is known after its redirect): /org/admin/<screen>.
        let path = window.location().pathname()?;
        let current = path.split('/').nth(3).unwrap_or_default();
        // The stylesheet is in the bundle's folder: /pkg/<hash>/gatehouse.css.
        let href = window.document().and_then(|d| d.get_element_by_id("leptos")).and_then(|l| l.get_attribute("href")).ok_or("no stylesheet link")?;
        let folder = href.strip_suffix("gatehouse.css").ok_or("the stylesheet is not in the bundle's folder")?;
        let manifest = fetch(&window, &format!("{folder}__wasm_split_manifest.json")).await?;
        // Read with the browser's JSON (serde's code for it would weigh on every page).
        let manifest: js_sys::Object = JsFuture::from(manifest.json()?).await?.dyn_into()?;
        let strings = |v: &JsValue| js_sys::Array::from(v).iter().filter_map(|s| s.as_string()).collect::<Vec<_>>();
        let manifest: Vec<(String, Vec<String>)> = js_sys::Object::entries(&manifest)
            .iter()
            .filter_map(|entry| {
                let entry = js_sys::Array::from(&entry);
                Some((entry.get(0).as_string()?, strings(&entry.get(1))))
            })
            .collect();
        let order: Vec<&str> = crate::components::frame::ADMIN_SCREENS.iter().map(|(k, _)| *k).collect();
        for file in files_to_fetch(&manifest, current, &order) {
            // Read whole, so that the cache keeps it.
            let response = fetch(&window, &format!("{folder}{file}.wasm")).await?;
            JsFuture::from(response.array_buffer()?).await?;
        }
        Ok(())
    }

    /// A fetch at low priority: the page's own requests go first.
    async fn fetch(window: &web_sys::Window, url: &str) -> Result<web_sys::Response, JsValue> {
        let init = web_sys::RequestInit::new();
        js_sys::Reflect::set(&init, &"priority".into(), &"low".into())?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await?.dyn_into()?;
        if !response.ok() {
            return Err(format!("{url}: {}", response.status()).into());
        }
        Ok(response)
    }
}

/// The group a manifest key belongs to: its name, `_`, digits.
fn group_of(key: &str) -> Option<&'static str> {
    ADMIN_GROUPS.iter().map(|(group, _)| *group).find(|group| key.strip_prefix(group).and_then(|rest| rest.strip_prefix('_')).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())))
}

/// The files to fetch, group by group in the navigation's order, leaving
/// out those of the group on screen (the page loaded them) and any file
/// already listed.
pub fn files_to_fetch(manifest: &Manifest, current: &str, order: &[&str]) -> Vec<String> {
    let group_drawing = |screen: &str| ADMIN_GROUPS.iter().find(|(_, screens)| screens.contains(&screen)).map(|(g, _)| *g);
    let current_group = group_drawing(current);
    // The page's own group's files are in already, and so are this module's.
    let mut have: Vec<&str> =
        manifest.iter().filter(|(key, _)| (current_group.is_some() && group_of(key) == current_group) || key.as_str() == WARM_UP).flat_map(|(_, files)| files.iter().map(String::as_str)).collect();
    let mut groups: Vec<&str> = Vec::new();
    for group in order.iter().filter_map(|s| group_drawing(s)) {
        if Some(group) != current_group && !groups.contains(&group) {
            groups.push(group);
        }
    }
    let mut out = Vec::new();
    for group in groups {
        for file in manifest.iter().filter(|(key, _)| group_of(key) == Some(group)).flat_map(|(_, files)| files) {
            if !have.contains(&file.as_str()) {
                have.push(file);
                out.push(file.clone());
            }
        }
    }
    out
}

/// Starts fetching the other Administration groups' modules while the
/// browser is idle (see the module's text): those of the groups other than
/// the one on display then. In the browser only, once per page load.
pub fn warm_up_admin_groups() {
    #[cfg(feature = "hydrate")]
    browser::start();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Vec<(String, Vec<String>)> {
        let m = [
            ("administration_account_17978426555409537891", vec!["chunk_10", "chunk_3", "split_administration_account_17978426555409537891"]),
            ("administration_people_17978426555409537891", vec!["chunk_10", "chunk_4", "chunk_5", "split_administration_people_17978426555409537891"]),
            ("administration_sign_in_17978426555409537891", vec!["chunk_10", "chunk_3", "chunk_5", "split_administration_sign_in_17978426555409537891"]),
            ("administration_settings_17978426555409537891", vec!["chunk_10", "chunk_6", "split_administration_settings_17978426555409537891"]),
            ("__profile_route_view_15697480748532606739", vec!["chunk_10", "chunk_9", "split___profile_route_view_15697480748532606739"]),
            ("administration_accounting_1", vec!["chunk_99"]),
            ("admin_warm_up", vec!["chunk_6", "split_admin_warm_up"]),
        ];
        m.into_iter().map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect())).collect()
    }

    const ORDER: [&str; 7] = ["account", "authentication", "account-types", "teams", "users", "attributes", "audit"];

    #[test]
    fn the_other_groups_files_in_the_navigations_order_without_the_pages_own_this_modules_or_twice() {
        assert_eq!(
            files_to_fetch(&manifest(), "account", &ORDER),
            ["chunk_5", "split_administration_sign_in_17978426555409537891", "split_administration_settings_17978426555409537891", "chunk_4", "split_administration_people_17978426555409537891",]
        );
        assert_eq!(
            files_to_fetch(&manifest(), "users", &ORDER),
            ["chunk_3", "split_administration_account_17978426555409537891", "split_administration_sign_in_17978426555409537891", "split_administration_settings_17978426555409537891",]
        );
    }

    #[test]
    fn keys_that_only_begin_like_a_group_and_other_pages_are_left_out() {
        let files = files_to_fetch(&manifest(), "audit", &ORDER);
        assert!(!files.iter().any(|f| f == "chunk_99" || f == "chunk_9" || f.contains("profile")), "{files:?}");
        assert!(!files.iter().any(|f| f == "chunk_6" || f.contains("settings")), "the page's own group: {files:?}");
    }

    #[test]
    fn every_screen_of_the_navigation_has_a_group() {
        for (screen, _) in crate::components::frame::ADMIN_SCREENS {
            assert!(ADMIN_GROUPS.iter().any(|(_, screens)| screens.contains(&screen)), "{screen}");
        }
    }
}
