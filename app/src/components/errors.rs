use crate::error::{AppError, ErrorKind};
use leptos::prelude::*;

/// A whole-page message for an error that stops a screen from showing.
#[component]
pub fn ErrorPanel(error: AppError, #[prop(optional, into)] org: Option<String>) -> impl IntoView {
    let (title, code) = match error.kind {
        ErrorKind::Unauthenticated => ("Sign in to continue", "401"),
        ErrorKind::Forbidden => ("You do not have access to this page", "403"),
        ErrorKind::NotFound => ("Not found", "404"),
        _ => ("Something went wrong", "Error"),
    };
    let action = match (error.kind, org) {
        (ErrorKind::Unauthenticated, Some(o)) => {
            Some(view! { <a class="btn btn-primary" href=format!("/{o}/login")>"Sign in"</a> }.into_any())
        }
        (ErrorKind::Forbidden, Some(o)) => Some(view! { <a class="btn btn-secondary" href=format!("/{o}")>"Go to your home page"</a> }.into_any()),
        _ => None,
    };
    view! {
        <section class="error-panel" data-testid="error-panel" data-status=code>
            <p class="error-code">{code}</p>
            <h1>{title}</h1>
            <p>{error.message}</p>
            {action}
        </section>
    }
}

/// The message under a form field, when the last submission was refused because of it.
#[component]
pub fn FieldError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })
}

/// The message at the top of a form for errors that belong to no one field.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>, #[prop(optional)] fields: &'static [&'static str]) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| e.field.as_deref().is_none_or(|f| !fields.contains(&f)))
            .map(|e| view! { <div class="alert alert-error" role="alert" data-testid="form-error">{e.message}</div> })
    }
}
