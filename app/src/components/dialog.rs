//! A modal dialog. It opens as a native `<dialog>` with `showModal()`, so the
//! page behind it is inert; Tab and Shift+Tab stay inside it; Escape, the ×
//! button or the caller's Cancel close it; and focus goes back to whatever had
//! it before the dialog opened (normally the button that opened it).
use leptos::html;
use leptos::prelude::*;

/// Everything inside a dialog that Tab can reach.
#[cfg(feature = "hydrate")]
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

#[component]
pub fn Dialog(
    /// Whether the dialog is shown.
    #[prop(into)]
    open: Signal<bool>,
    /// Called on Escape and on the × button; the caller closes the dialog.
    on_close: Callback<()>,
    /// The heading, which also names the dialog for screen readers.
    #[prop(into)]
    title: Signal<String>,
    #[prop(optional, into)] testid: String,
    /// "danger" gives a red accent for destructive confirmations.
    #[prop(optional, into)]
    tone: String,
    /// "wide" for dialogs with tables or long values.
    #[prop(optional, into)]
    size: String,
    children: ChildrenFn,
) -> impl IntoView {
    let children = StoredValue::new(children);
    let testid = StoredValue::new(testid);
    let tone = StoredValue::new(tone);
    let size = StoredValue::new(size);
    view! {
        <Show when=move || open.get()>
            <DialogBox on_close title testid=testid.get_value() tone=tone.get_value() size=size.get_value()>
                {children.with_value(|c| c())}
            </DialogBox>
        </Show>
    }
}

static NEXT_ID: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[component]
fn DialogBox(on_close: Callback<()>, title: Signal<String>, testid: String, tone: String, size: String, children: Children) -> impl IntoView {
    let node: NodeRef<html::Dialog> = NodeRef::new();
    let heading_id = format!("dialog-title-{}", NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    let class = format!("modal {} {}", if tone == "danger" { "modal-danger" } else { "" }, if size == "wide" { "modal-wide" } else { "" });

    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage> = StoredValue::new_local(None);
        Effect::new(move |_| {
            let Some(d) = node.get() else { return };
            if d.open() {
                return;
            }
            // An item of a menu disappears with the menu: return to the menu's button.
            let active = document().active_element().map(|e| e.closest(".menu").ok().flatten().and_then(|m| m.query_selector("button[aria-haspopup]").ok().flatten()).unwrap_or(e));
            opener.set_value(active.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()));
            let _ = d.show_modal();
            // What the caller marked, else the first field; a confirmation
            // without fields starts on the neutral × rather than on its action.
            let first = d
                .query_selector("[autofocus]")
                .ok()
                .flatten()
                .or_else(|| d.query_selector(".modal-body :is(input:not([type=hidden]):not([disabled]), select, textarea)").ok().flatten())
                .or_else(|| d.query_selector(".modal-x").ok().flatten());
            if let Some(el) = first.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = el.focus();
            }
        });
        on_cleanup(move || {
            // Leave the top layer first: while the dialog is modal, the page behind it cannot take focus.
            if let Some(d) = node.try_get_untracked().flatten() {
                if d.open() {
                    d.close();
                }
            }
            if let Some(el) = opener.try_get_value().flatten() {
                if el.is_connected() {
                    let _ = el.focus();
                }
                // The dialog's action may redraw the list the opener is in:
                // then the same control once it is back, else the heading.
                let again = crate::components::focus::selector_for(&el);
                crate::components::focus::when_lost(again.into_iter().chain([crate::components::focus::HEADING.to_string()]).collect());
            }
        });
    }

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        #[cfg(feature = "hydrate")]
        if ev.key() == "Tab" {
            use wasm_bindgen::JsCast;
            let Some(d) = node.get_untracked() else {
                return;
            };
            let Ok(list) = d.query_selector_all(FOCUSABLE) else {
                return;
            };
            let items: Vec<web_sys::HtmlElement> = (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok()).collect();
            let (Some(first), Some(last)) = (items.first(), items.last()) else {
                return;
            };
            let active = document().active_element();
            let at = |e: &web_sys::HtmlElement| active.as_ref().is_some_and(|a| a == e.unchecked_ref::<web_sys::Element>());
            let outside = !active.as_ref().is_some_and(|a| d.contains(Some(a)));
            if ev.shift_key() && (at(first) || outside) {
                ev.prevent_default();
                let _ = last.focus();
            } else if !ev.shift_key() && (at(last) || outside) {
                ev.prevent_default();
                let _ = first.focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };

    let labelled_by = heading_id.clone();
    view! {
        <dialog node_ref=node class=class aria-labelledby=labelled_by data-testid=testid
            on:cancel=move |ev: leptos::ev::Event| { ev.prevent_default(); on_close.run(()); }
            on:keydown=on_keydown>
            <div class="modal-head">
                <h2 id=heading_id>{move || title.get()}</h2>
                <button type="button" class="modal-x" aria-label="Close" on:click=move |_| on_close.run(())>"×"</button>
            </div>
            <div class="modal-body">{children()}</div>
        </dialog>
    }
}

/// Moves focus to the first element matching `selector` once the current
/// render is on screen: a dialog whose content changes (a wizard's next step)
/// keeps focus inside it instead of dropping it on the page.
pub fn focus_soon(selector: &'static str) {
    #[cfg(feature = "hydrate")]
    set_timeout(
        move || {
            use wasm_bindgen::JsCast;
            if let Some(el) = document().query_selector(selector).ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = el.focus();
            }
        },
        std::time::Duration::from_millis(0),
    );
    #[cfg(not(feature = "hydrate"))]
    let _ = selector;
}
