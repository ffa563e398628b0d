use super::toast::use_toasts;
use leptos::prelude::*;

/// A value shown read-only with a Copy button beside it.
#[component]
pub fn CopyField(#[prop(into)] value: String, #[prop(into)] label: String, #[prop(into)] testid: String) -> impl IntoView {
    let v = value.clone();
    view! {
        <div class="copy-field">
            <code class="copy-value" data-testid=testid.clone()>{value}</code>
            <CopyButton text=v what=label />
        </div>
    }
}

/// Copies `text` to the clipboard and says so.
#[component]
pub fn CopyButton(#[prop(into)] text: String, #[prop(into)] what: String) -> impl IntoView {
    let toasts = use_toasts();
    let aria = format!("Copy {what}");
    let on_click = move |_| {
        let what = what.clone();
        let text = text.clone();
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsValue;
            let navigator = window().navigator();
            let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")).map(|v| !v.is_undefined()).unwrap_or(false);
            if !has_clipboard {
                toasts.error("This browser does not allow copying here. Select the text and copy it yourself.");
                return;
            }
            let promise = navigator.clipboard().write_text(&text);
            leptos::task::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(promise).await {
                    Ok(_) => toasts.success(format!("{what} copied to the clipboard")),
                    Err(_) => toasts.error("Could not copy. Select the text and copy it yourself."),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (what, text, toasts);
        }
    };
    view! {
        <button type="button" class="btn btn-secondary btn-small" aria-label=aria on:click=on_click>
            "Copy"
        </button>
    }
}
