//! The browser entry point: hydrates the server-rendered page.
#![recursion_limit = "512"]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        reload_after_a_failed_module_load(info);
    }));
    // Most pages are split from the main module (app/src/pages/mod.rs):
    // hydration waits until the page's own modules have loaded (the server
    // names them as preloads in the page).
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), app::App).await.forget();
        // End-to-end tests wait for this before they click.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}

/// A page's module that cannot be loaded stops the app (the failed load
/// panics, and a panic aborts wasm). It happens when Gatehouse was upgraded
/// while the page was open and the old bundle's files are gone: loading the
/// page again brings the new bundle. At most once a minute, so that a site
/// which lacks a module does not reload without end.
fn reload_after_a_failed_module_load(info: &std::panic::PanicHookInfo) {
    const LAST_RELOAD: &str = "gatehouse-module-reload";
    if !info.to_string().contains("load callback should succeed") {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let now = js_sys::Date::now();
    let storage = window.session_storage().ok().flatten();
    let last = storage.as_ref().and_then(|s| s.get_item(LAST_RELOAD).ok().flatten()).and_then(|v| v.parse::<f64>().ok());
    if last.is_some_and(|at| now - at < 60_000.0) {
        return;
    }
    if let Some(storage) = &storage {
        let _ = storage.set_item(LAST_RELOAD, &now.to_string());
    }
    let _ = window.location().reload();
}
