//! A button that opens a list of actions (the WAI-ARIA menu button pattern).
//! The list closes on Escape (focus back to the button), on a click or tap
//! outside, on Tab, and after an item is chosen. It is placed with fixed
//! coordinates under the button, above it when there is no room below, and
//! never past the viewport's edges, so a table card cannot clip it.
use leptos::html;
use leptos::prelude::*;

#[component]
pub fn Menu(
    /// The button's accessible name, e.g. "Actions for ada@acme.example".
    #[prop(into)]
    label: Signal<String>,
    /// What the button shows, e.g. "⋯" or "Export".
    #[prop(into)]
    text: Signal<String>,
    #[prop(optional, into)] button_class: String,
    #[prop(optional, into)] testid: String,
    /// Items: elements with `role="menuitem"` (buttons or links); other
    /// content (a heading, a note) may sit between them.
    children: ChildrenFn,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let root: NodeRef<html::Div> = NodeRef::new();
    let button: NodeRef<html::Button> = NodeRef::new();
    let popup: NodeRef<html::Div> = NodeRef::new();
    let position = RwSignal::new(String::from("visibility:hidden"));
    let class = if button_class.is_empty() { "btn btn-secondary".to_string() } else { button_class };
    let children = StoredValue::new(children);

    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
        }
    };

    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        // Click or tap outside: close without moving focus.
        let outside = window_event_listener(leptos::ev::pointerdown, move |ev| {
            if !open.get_untracked() {
                return;
            }
            let inside = ev.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok()).zip(root.get_untracked()).is_some_and(|(t, r)| r.contains(Some(&t)));
            if !inside {
                open.set(false);
            }
        });
        // The list is placed once; scrolling or resizing would leave it behind.
        let resize = window_event_listener(leptos::ev::resize, move |_| open.set(false));
        on_cleanup(move || {
            outside.remove();
            resize.remove();
        });
        Effect::new(move |_| {
            if !open.get() {
                position.set("visibility:hidden".into());
                return;
            }
            let (Some(b), Some(p)) = (button.get(), popup.get()) else {
                return;
            };
            let r = b.get_bounding_client_rect();
            let win = window();
            let vw = win.inner_width().ok().and_then(|v| v.as_f64()).unwrap_or(1024.0);
            let vh = win.inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(768.0);
            let (pw, ph) = (p.offset_width() as f64, p.offset_height() as f64);
            let margin = 8.0;
            // Right edges aligned, kept inside the viewport.
            let left = (r.right() - pw).min(vw - pw - margin).max(margin);
            let below = r.bottom() + 4.0;
            let top = if below + ph + margin > vh && r.top() - ph - 4.0 >= margin { r.top() - ph - 4.0 } else { below };
            position.set(format!("left:{left:.0}px;top:{top:.0}px;max-height:{:.0}px", (vh - top - margin).max(120.0)));
            // Once shown (a hidden element cannot take focus), the first item gets it.
            set_timeout(
                move || {
                    if let Some(first) = p.query_selector("[role=menuitem]").ok().flatten().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                        let _ = first.focus();
                    }
                },
                std::time::Duration::from_millis(0),
            );
        });
    }

    // Arrow keys move between items, Home/End jump, Escape closes.
    let on_popup_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        if key == "Escape" {
            ev.prevent_default();
            ev.stop_propagation();
            close(true);
            return;
        }
        if key == "Tab" {
            open.set(false);
            return;
        }
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(p) = popup.get_untracked() else {
                return;
            };
            let Ok(list) = p.query_selector_all("[role=menuitem]:not([disabled])") else {
                return;
            };
            let items: Vec<web_sys::HtmlElement> = (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into().ok()).collect();
            if items.is_empty() {
                return;
            }
            let active = document().active_element();
            let at = items.iter().position(|e| active.as_ref().is_some_and(|a| a == e.unchecked_ref::<web_sys::Element>()));
            let n = items.len();
            let to = match key.as_str() {
                "ArrowDown" => Some(at.map(|i| (i + 1) % n).unwrap_or(0)),
                "ArrowUp" => Some(at.map(|i| (i + n - 1) % n).unwrap_or(n - 1)),
                "Home" => Some(0),
                "End" => Some(n - 1),
                _ => None,
            };
            if let Some(i) = to {
                ev.prevent_default();
                let _ = items[i].focus();
            }
        }
    };

    // A chosen item closes the menu; its own handler has already run.
    let on_popup_click = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let chosen = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.closest("[role=menuitem]").ok().flatten()).is_some();
            if chosen {
                close(true);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };

    view! {
        <div class="menu" node_ref=root data-testid=testid>
            <button type="button" class=class node_ref=button aria-haspopup="menu" aria-expanded=move || open.get().to_string()
                aria-label=move || label.get()
                on:click=move |_| open.update(|o| *o = !*o)
                on:keydown=move |ev| {
                    if ev.key() == "ArrowDown" && !open.get_untracked() {
                        ev.prevent_default();
                        open.set(true);
                    }
                }>
                {move || text.get()}
            </button>
            <Show when=move || open.get()>
                <div class="menu-popup" role="menu" node_ref=popup style=move || position.get()
                    on:keydown=on_popup_keydown on:click=on_popup_click>
                    {children.with_value(|c| c())}
                </div>
            </Show>
        </div>
    }
}
