//! Short messages at the corner of the screen after something succeeded or failed.
use leptos::prelude::*;
use std::time::Duration;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
}

#[derive(Clone)]
struct Toast {
    id: u64,
    kind: ToastKind,
    text: String,
}

#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

impl Toasts {
    pub fn show(&self, kind: ToastKind, text: impl Into<String>) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.items.update(|v| v.push(Toast { id, kind, text: text.into() }));
        let items = self.items;
        set_timeout(move || items.update(|v| v.retain(|t| t.id != id)), Duration::from_secs(5));
    }
    pub fn success(&self, text: impl Into<String>) {
        self.show(ToastKind::Success, text)
    }
    pub fn error(&self, text: impl Into<String>) {
        self.show(ToastKind::Error, text)
    }
}

pub fn provide_toasts() {
    provide_context(Toasts { items: RwSignal::new(Vec::new()), next: StoredValue::new(0) });
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

#[component]
pub fn ToastHost() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.items.get() key=|t| t.id let:t>
                <div class="toast" class:toast-error=t.kind == ToastKind::Error data-testid="toast">
                    {t.text}
                </div>
            </For>
        </div>
    }
}

/// Shows a toast when `action` finishes: `ok` on success, the error's message
/// otherwise, unless the error belongs to one of `inline` (shown beside its field).
pub fn report<T>(action: ServerAction<T>, ok: &'static str, inline: &'static [&'static str]) -> Signal<Option<crate::error::AppError>>
where
    T: leptos::server_fn::ServerFn<Error = crate::error::AppError> + Clone + Send + Sync + 'static,
    T::Output: Clone + Send + Sync + 'static,
{
    let toasts = use_toasts();
    Effect::new(move |_| match action.value().get() {
        Some(Ok(_)) => toasts.success(ok),
        Some(Err(e)) if e.field.as_deref().is_none_or(|f| !inline.contains(&f)) => toasts.error(e.message),
        _ => {}
    });
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}

/// Counts the successful completions of `action`. Resources that key on it
/// reload after a change but not after a refused one: a refused submission
/// changed nothing, and reloading would redraw the form and lose what was typed.
pub fn successes<T>(action: ServerAction<T>) -> Signal<usize>
where
    T: leptos::server_fn::ServerFn<Error = crate::error::AppError> + Clone + Send + Sync + 'static,
    T::Output: Clone + Send + Sync + 'static,
{
    let count = RwSignal::new(0usize);
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            count.update(|n| *n += 1);
        }
    });
    count.into()
}
