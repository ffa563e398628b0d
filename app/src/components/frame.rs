//! The frame around every signed-in screen: the top bar, and the left
//! navigation of Administration.
use crate::api::session::{load_me, SignOut};
use crate::components::menu::Menu;
use crate::domain::views::Me;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_params_map};

/// The organization named in the URL.
pub fn use_org() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("org").unwrap_or_default())
}

/// The signed-in person, loaded once per organization frame and shared with its screens.
#[derive(Clone, Copy)]
pub struct MeResource(pub crate::components::Data<Result<Me, AppError>>);

pub fn use_me() -> crate::components::Data<Result<Me, AppError>> {
    expect_context::<MeResource>().0
}

#[component]
pub fn OrgFrame() -> impl IntoView {
    let org = use_org();
    let me_res = crate::components::data(move || org.get(), load_me);
    provide_context(MeResource(me_res));
    let sign_out = ServerAction::<SignOut>::new();

    let top = move || {
        Suspend::new(async move {
            me_res.await.ok().map(|m| {
                let home = format!("/{}", m.org_slug);
                // A team admin's Administration is the Teams pages.
                let admin = if m.is_admin { format!("/{}/admin", m.org_slug) } else { format!("/{}/admin/teams", m.org_slug) };
                let slug = StoredValue::new(m.org_slug.clone());
                let is_admin = m.is_admin || m.team_admin;
                let (name, email) = (m.display_name(), m.email.clone());
                let (menu_home, menu_admin) = (home.clone(), admin.clone());
                view! {
                    <nav class="topnav" aria-label="Main">
                        <A href=home.clone() exact=true>"Home"</A>
                        <A href=format!("{home}/profile")>"Profile"</A>
                        {is_admin.then(|| view! { <A href=admin.clone()>"Administration"</A> })}
                    </nav>
                    <div class="usermenu">
                        <span class="avatar" aria-hidden="true">{m.initials()}</span>
                        <span class="usermenu-name" data-testid="current-user">{m.display_name()}</span>
                        <ActionForm action=sign_out attr:class="inline-form">
                            <input type="hidden" name="org" value=m.org_slug.clone() />
                            <button type="submit" class="btn btn-ghost btn-small" data-testid="sign-out">"Sign out"</button>
                        </ActionForm>
                    </div>
                    // Phones: the same links and Sign out behind one button.
                    <div class="topmenu">
                        <Menu label="Menu" text="Menu" button_class="btn btn-ghost btn-small" testid="top-menu">
                            <p class="menu-label">{name.clone()}<br />{email.clone()}</p>
                            <A href=menu_home.clone() exact=true attr:class="menu-item" attr:role="menuitem">"Home"</A>
                            <A href=format!("{menu_home}/profile") attr:class="menu-item" attr:role="menuitem">"Profile"</A>
                            {is_admin.then(|| view! { <A href=menu_admin.clone() attr:class="menu-item" attr:role="menuitem">"Administration"</A> })}
                            <button type="button" class="menu-item" role="menuitem" on:click=move |_| {
                                sign_out.dispatch(SignOut { org: slug.get_value() });
                            }>"Sign out"</button>
                        </Menu>
                    </div>
                }
            })
        })
    };

    // After a navigation (not on the first load), focus goes to the new
    // page's heading, so a keyboard or screen reader user starts there.
    let location = use_location();
    Effect::new(move |first: Option<()>| {
        location.pathname.track();
        if first.is_some() {
            crate::components::focus::heading_soon();
        }
    });

    view! {
        // The router would treat "#main" as a navigation: focus it directly.
        <a class="skip-link" href="#main" on:click=move |ev| {
            ev.prevent_default();
            #[cfg(feature = "hydrate")]
            {
                use wasm_bindgen::JsCast;
                if let Some(main) = document().get_element_by_id("main").and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = main.focus();
                }
            }
        }>"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href=move || format!("/{}", org.get())>
                <span class="brand-mark" aria-hidden="true">"G"</span>
                <span class="brand-name">"Gatehouse"</span>
            </a>
            <Transition fallback=|| ()>{top}</Transition>
        </header>
        <main class="page" id="main" tabindex="-1">
            <Outlet />
        </main>
    }
}

/// The screens of Administration, in the order of the left navigation.
pub const ADMIN_SCREENS: [(&str, &str); 7] = [
    ("account", "Account"),
    ("authentication", "Authentication"),
    ("account-types", "Account Types"),
    ("teams", "Teams"),
    ("users", "Users"),
    ("attributes", "User Attributes"),
    ("audit", "Audit log"),
];

/// Administration: the left navigation beside the chosen screen (on phones, a
/// menu above it). The server answers non-admins' visits with a 403 page before
/// anything renders, except team admins' visits to Teams, whose navigation
/// has Teams alone; should anyone else still get here (a link inside the
/// app), the navigation is left out and each screen's server functions refuse.
#[component]
pub fn AdminFrame() -> impl IntoView {
    use crate::pages::preload_admin_screen;
    let org = use_org();
    let me = use_me();
    let location = use_location();
    let link = move |p: &str| format!("/{}/admin/{p}", org.get());
    let current = Memo::new(move |_| {
        let path = location.pathname.get();
        let screen = path.split('/').nth(3).unwrap_or_default().to_string();
        ADMIN_SCREENS.iter().find(|(k, _)| *k == screen).map(|(_, l)| l.to_string()).unwrap_or_else(|| "Administration".into())
    });
    let label = Signal::derive(move || format!("Administration: {}", current.get()));
    let nav = move || {
        Suspend::new(async move {
            me.await.ok().filter(|m| m.is_admin || m.team_admin).map(|m| {
                let all = m.is_admin;
                if all {
                    // The other groups' modules, fetched while the browser is idle.
                    crate::pages::warm_up::warm_up_admin_groups();
                }
                let screens = move || ADMIN_SCREENS.iter().filter(move |(k, _)| all || *k == "teams");
                view! {
                    <nav class="sidenav" aria-label="Administration">
                        <p class="sidenav-title">"Administration"</p>
                        {screens().map(|(k, l)| view! { <A href=move || link(k) {..} on:pointerenter=move |_| preload_admin_screen(k) on:focus=move |_| preload_admin_screen(k)>{*l}</A> }).collect_view()}
                    </nav>
                    <div class="sidenav-compact">
                        <Menu label=label text=label button_class="btn btn-secondary sidenav-button" testid="admin-menu">
                            {screens().map(|(k, l)| view! { <A href=move || link(k) attr:class="menu-item" attr:role="menuitem" {..} on:focus=move |_| preload_admin_screen(k)>{*l}</A> }).collect_view()}
                        </Menu>
                    </div>
                }
            })
        })
    };
    view! {
        <div class="admin">
            <Transition fallback=|| ()>{nav}</Transition>
            <section class="admin-main">
                <Outlet />
            </section>
        </div>
    }
}
