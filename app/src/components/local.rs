//! Times and numbers in the reader's own terms. The server renders UTC and
//! plain grouping ("2026-12-06 14:03 UTC", "50,000"); once the page is live,
//! the browser rewrites them in its time zone and locale, and the exact UTC
//! time stays on hover.
use leptos::prelude::*;

/// "2026-11-23T12:47:18.123456Z" -> "2026-11-23 12:47:18 UTC".
pub fn short_time(t: &str) -> String {
    match (t.get(0..10), t.get(11..19)) {
        (Some(d), Some(h)) => format!("{d} {h} UTC"),
        _ => t.to_string(),
    }
}

/// "50000" -> "50,000": what the server renders before the browser's locale applies.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A time as the pages show it: a `<time>` element with the exact value,
/// shown in the browser's zone, with UTC on hover.
pub fn time_view(t: &str) -> impl IntoView {
    view! { <LocalTime at=t.to_string() /> }
}

#[component]
pub fn LocalTime(at: String) -> impl IntoView {
    let utc = short_time(&at);
    let shown = RwSignal::new(utc.clone());
    #[cfg(feature = "hydrate")]
    {
        let at = at.clone();
        Effect::new(move |_| {
            if let Some(local) = browser::time(&at) {
                shown.set(local);
            }
        });
    }
    view! { <time datetime=at title=utc>{move || shown.get()}</time> }
}

/// A number in the browser's locale.
#[component]
pub fn Number(n: i64) -> impl IntoView {
    let shown = RwSignal::new(grouped(n));
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| shown.set(browser::number(n)));
    move || shown.get()
}

/// A number in the browser's locale as a text signal, for places that take
/// one text only (an `<option>`).
pub fn number_text(n: i64) -> Signal<String> {
    let shown = RwSignal::new(grouped(n));
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| shown.set(browser::number(n)));
    shown.into()
}

/// "1 member", "50,000 rows": a count with its noun, the number in the browser's locale.
#[component]
pub fn Count(n: i64, one: &'static str, many: &'static str) -> impl IntoView {
    view! { <Number n=n />{if n == 1 { format!(" {one}") } else { format!(" {many}") }} }
}

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::JsValue;

    fn language() -> String {
        web_sys::window().and_then(|w| w.navigator().language()).unwrap_or_else(|| "en".to_string())
    }

    pub fn number(n: i64) -> String {
        js_sys::Number::from(n as f64).to_locale_string(&language()).into()
    }

    /// The date and time in the browser's zone, e.g. "6 Dec 2026, 15:03".
    pub fn time(iso: &str) -> Option<String> {
        let date = js_sys::Date::new(&JsValue::from_str(iso));
        if date.get_time().is_nan() {
            return None;
        }
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into()).ok()?;
        js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into()).ok()?;
        Some(date.to_locale_string(&language(), &options).into())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn server_side_forms() {
        assert_eq!(super::grouped(50000), "50,000");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::grouped(1234567), "1,234,567");
        assert_eq!(super::grouped(-1000), "-1,000");
        assert_eq!(super::short_time("2026-11-23T12:47:18.123456Z"), "2026-11-23 12:47:18 UTC");
    }
}
