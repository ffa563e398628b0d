//! Keeps unsaved changes from being lost silently: while `dirty`, leaving
//! the page by a link asks first, and so does closing or reloading the tab
//! (the browser's own question).
use leptos::prelude::*;

pub fn guard(dirty: Signal<bool>, question: &'static str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if dirty.get_untracked() {
                ev.prevent_default();
                ev.set_return_value(question);
            }
        });
        // Links are caught in the capture phase, before the router handles them.
        let click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
            if !dirty.get_untracked() || ev.default_prevented() || ev.button() != 0 || ev.ctrl_key() || ev.meta_key() || ev.shift_key() {
                return;
            }
            let link = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.closest("a[href]").ok().flatten());
            if link.is_some() && !window().confirm_with_message(question).unwrap_or(true) {
                ev.prevent_default();
                ev.stop_immediate_propagation();
            }
        });
        let _ = window().add_event_listener_with_callback_and_bool("click", click.as_ref().unchecked_ref(), true);
        let click = StoredValue::new_local(click);
        on_cleanup(move || {
            unload.remove();
            click.try_with_value(|c| {
                let _ = window().remove_event_listener_with_callback_and_bool("click", c.as_ref().unchecked_ref(), true);
            });
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (dirty, question);
}
