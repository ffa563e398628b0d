//! `/{org}/profile`: the signed-in person's account type and teams, their
//! password, two-step verification, and the theme this browser shows.
use crate::pages::home::{PersonHeader, SignedInProfile};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    view! {
        <Title text="Profile" />
        <PersonHeader heading=|_| "Your profile".to_string() />
        <SignedInProfile />
        // Outside the Transition: a resource made inside a Suspend's future may
        // run its server function after the page's owner (and its context) is gone.
        <crate::pages::password::ChangePasswordCard />
        <crate::pages::mfa::MfaCard />
        <ThemeCard />
    }
}

/// Where this browser keeps the chosen theme (no server storage: it is a
/// choice about this screen, not about the account).
pub const THEME_KEY: &str = "gatehouse-theme";

/// The shell's inline script: puts the stored choice on `<html data-theme>`
/// before the first paint, so a dark page never flashes light. Without a
/// choice the stylesheet follows the system (`prefers-color-scheme`).
pub fn theme_script() -> String {
    format!(r#"try{{var t=localStorage.getItem("{THEME_KEY}");if(t==="light"||t==="dark")document.documentElement.setAttribute("data-theme",t)}}catch(e){{}}"#)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    fn label(self) -> &'static str {
        match self {
            Theme::System => "Match system",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }

    /// The value kept in the browser and put on `<html data-theme>`; none follows the system.
    fn stored(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }

    fn value(self) -> &'static str {
        self.stored().unwrap_or("system")
    }
}

/// Theme: Match system, Light or Dark, for this browser.
#[component]
fn ThemeCard() -> impl IntoView {
    let theme = RwSignal::new(Theme::System);
    // The server cannot know this browser's choice: read it once the page runs here.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| theme.set(browser::read()));
    let choose = move |t: Theme| {
        theme.set(t);
        #[cfg(feature = "hydrate")]
        browser::keep(t);
    };
    view! {
        <section class="card" data-testid="theme-card">
            <h2 id="theme-heading">"Theme"</h2>
            <div class="form">
                <fieldset class="radios" aria-labelledby="theme-heading" aria-describedby="theme-hint">
                    {Theme::ALL.into_iter().map(|t| view! {
                        <label class="check-inline">
                            <input type="radio" name="theme" value=t.value() prop:checked=move || theme.get() == t on:change=move |_| choose(t) />
                            {t.label()}
                        </label>
                    }).collect_view()}
                </fieldset>
            </div>
            <p class="hint" id="theme-hint">"Kept in this browser only. Match system follows the light or dark setting of your device."</p>
        </section>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Theme, THEME_KEY};

    fn storage() -> Option<web_sys::Storage> {
        // Storage can be refused (private windows, policies): the choice then lasts this page.
        leptos::prelude::window().local_storage().ok().flatten()
    }

    pub fn read() -> Theme {
        match storage().and_then(|s| s.get_item(THEME_KEY).ok().flatten()).as_deref() {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// Keeps the choice and applies it at once.
    pub fn keep(t: Theme) {
        let root = leptos::prelude::document().document_element();
        match t.stored() {
            Some(v) => {
                if let Some(s) = storage() {
                    let _ = s.set_item(THEME_KEY, v);
                }
                if let Some(r) = root {
                    let _ = r.set_attribute("data-theme", v);
                }
            }
            None => {
                if let Some(s) = storage() {
                    let _ = s.remove_item(THEME_KEY);
                }
                if let Some(r) = root {
                    let _ = r.remove_attribute("data-theme");
                }
            }
        }
    }
}
