//! One module per screen.
pub mod admin;
pub mod document;
pub mod documents;
pub mod home;
pub mod invite;
pub mod login;
pub mod mfa;
pub mod password;
pub mod profile;
pub mod setup;
pub mod warm_up;

use crate::components::errors::ErrorPage;
use crate::components::frame::{AdminFrame, OrgFrame};
use crate::components::{provide_toasts, ToastHost};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let light = is_light_page();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // Before the stylesheet: the theme chosen on the Profile page, with no flash of the other.
                <script inner_html=profile::theme_script()></script>
                <HashedStylesheet options=options.clone() id="leptos" />
                {(!light).then(|| view! {
                    <AutoReload options=options.clone() />
                    <HydrationScripts options=options.clone() />
                })}
                <MetaTags />
            </head>
            // A light page is complete as sent: nothing will hydrate it.
            <body data-hydrated=light.then_some("true")>
                <App />
            </body>
        </html>
    }
}

/// Pages that are plain forms and work without the app: signing in and its
/// code step, asking for a reset link, accepting an invitation and choosing a
/// new password through a reset link. They are sent without the browser
/// bundle, so a first visit downloads HTML and the stylesheet only; the form
/// posts to its server function and the server redirects (errors come back in
/// the URL and are rendered by the server).
fn is_light_page() -> bool {
    #[cfg(feature = "ssr")]
    {
        let Some(parts) = use_context::<axum::http::request::Parts>() else {
            return false;
        };
        let segments: Vec<&str> = parts.uri.path().trim_matches('/').split('/').collect();
        matches!(segments.as_slice(), [_, "login"] | [_, "login", "verify"] | [_, "login", "forgot"] | [_, "invite", _] | [_, "reset", _])
    }
    #[cfg(not(feature = "ssr"))]
    false
}

/// A light page's route view (each is listed in `is_light_page` too): the page itself on the server; in the
/// browser, which never hydrates a light page, a stand-in that asks the
/// server for it. Their code then stays out of the browser's bundle (about
/// 30 KB of it compressed).
macro_rules! light {
    ($page:path) => {{
        #[cfg(not(feature = "hydrate"))]
        let view = $page;
        #[cfg(feature = "hydrate")]
        let view = FromServer;
        view
    }};
}

/// In the browser, a light page reached without loading it (a link followed
/// by the router): the server's page, loaded whole.
/// (At once, not in an effect: the load starts as the address changes, and
/// nothing that follows it is cut short by it.)
/// Never while hydrating: the server sent this path as a page to hydrate,
/// so `is_light_page` and the `light!` routes disagree, and loading it again
/// would loop.
#[cfg(feature = "hydrate")]
#[component]
fn FromServer() -> impl IntoView {
    let hydrating = Owner::current_shared_context().is_some_and(|c| c.during_hydration());
    if hydrating {
        leptos::logging::error!("a light page was sent to be hydrated: is_light_page (app/src/pages/mod.rs) does not list it");
    } else if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_toasts();
    view! {
        <Title formatter=|t: String| if t.is_empty() { "Gatehouse".to_string() } else { format!("{t} · Gatehouse") } />
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/") view=RootPage />
                <Route path=path!("/setup") view={Lazy::<SetupRoute>::new()} />
                // The light pages (see `is_light_page`) are sent whole, in
                // order: nothing runs in the browser to put streamed parts in place.
                <Route path=path!("/:org/login") view=light!(login::LoginPage) ssr=SsrMode::Async />
                <Route path=path!("/:org/login/verify") view=light!(mfa::SignInCodePage) ssr=SsrMode::Async />
                <Route path=path!("/:org/login/forgot") view=light!(password::ForgotPasswordPage) ssr=SsrMode::Async />
                <Route path=path!("/:org/login/enrol") view={Lazy::<SignInEnrolRoute>::new()} />
                <Route path=path!("/:org/invite/:token") view=light!(invite::InvitePage) ssr=SsrMode::Async />
                <Route path=path!("/:org/reset/:token") view=light!(password::ResetPasswordPage) ssr=SsrMode::Async />
                <ParentRoute path=path!("/:org") view=OrgFrame>
                    <Route path=path!("") view=home::HomePage />
                    <Route path=path!("profile") view={Lazy::<ProfileRoute>::new()} />
                    <Route path=path!("documents/:id") view={Lazy::<DocumentRoute>::new()} />
                    <ParentRoute path=path!("admin") view=AdminFrame>
                        <Route path=path!("") view=|| view! { <Redirect path="account" /> } />
                        <Route path=path!("account") view={Lazy::<AccountRoute>::new()} />
                        <Route path=path!("audit") view={Lazy::<AuditLogRoute>::new()} />
                        <Route path=path!("authentication") view={Lazy::<AuthenticationRoute>::new()} />
                        <Route path=path!("sso-activity") view={Lazy::<SsoActivityRoute>::new()} />
                        <Route path=path!("provisioning-activity") view={Lazy::<ProvisioningActivityRoute>::new()} />
                        <Route path=path!("account-types") view={Lazy::<AccountTypesRoute>::new()} />
                        <Route path=path!("account-types/:id") view={Lazy::<AccountTypeEditorRoute>::new()} />
                        <Route path=path!("users") view={Lazy::<UsersRoute>::new()} />
                        <Route path=path!("users/:id") view={Lazy::<UserRoute>::new()} />
                        <Route path=path!("teams") view={Lazy::<TeamsRoute>::new()} />
                        <Route path=path!("teams/:id") view={Lazy::<TeamRoute>::new()} />
                        <Route path=path!("attributes") view={Lazy::<AttributesRoute>::new()} />
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
        <ToastHost />
    }
}

/// Pages whose browser code is split from the main wasm module (scripts/build.sh
/// runs wasm-split) and loaded when first visited: the Administration pages
/// in four groups (`admin_pages!` below), and a document, the profile,
/// first-run setup and authenticator enrolment, each in its own module. The
/// light pages are not in the browser's bundle at all (`light!`). When a visit starts on such a
/// page, the server names its modules as preloads in the page, and the page
/// hydrates once they are in. The home page and the frames around the pages
/// stay in the main module.
macro_rules! lazy_page {
    ($($route:ident => $page:path),* $(,)?) => {$(
        struct $route;
        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $route
            }
            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_page! {
    SetupRoute => setup::SetupPage,
    SignInEnrolRoute => mfa::SignInEnrolPage,
    ProfileRoute => profile::ProfilePage,
    DocumentRoute => document::DocumentPage,
}

/// The Administration pages in groups: a group's split function (its module
/// is named after it), the function that preloads it, its enum, and a row per
/// page (the route's type, the page's name in the group, the first segment
/// of its path after `admin/`, its component). A
/// group is one split function (`#[leptos::lazy]`) that draws any of its
/// pages: the first page of a group loads the group's module, and moving
/// between its pages loads nothing more. It takes a `#[repr(u8)]` enum
/// because a split function is called across the modules' boundary. Each
/// page's `LazyRoute` calls its group.
macro_rules! admin_pages {
    ($($group:ident, $preload:ident, $kind:ident { $($route:ident => $name:ident => $screen:literal => $page:path),* $(,)? })*) => {
        $(
        #[derive(Clone, Copy)]
        #[repr(u8)]
        enum $kind {
            $($name),*
        }

        #[leptos::lazy]
        fn $group(page: $kind) -> AnyView {
            match page {
                $($kind::$name => $page().into_any(),)*
            }
        }

        $(
            struct $route;
            impl leptos_router::LazyRoute for $route {
                fn data() -> Self {
                    $route
                }
                async fn view(_this: Self) -> AnyView {
                    $group($kind::$name).await
                }
                async fn preload() {
                    // Only the browser's build has split functions to load.
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        )*
        )*

        /// Each Administration group's split function (its modules' key in
        /// the bundle's split manifest is this name, `_` and a number) and
        /// the screens it draws (the first segment of their paths after `admin/`).
        pub const ADMIN_GROUPS: &[(&str, &[&str])] = &[$((stringify!($group), &[$($screen),*])),*];

        /// Loads the module of the Administration group that draws `screen`
        /// (its path after `admin/`), without waiting: called when a link to
        /// it is pointed at or focused, so that following it loads nothing more.
        pub fn preload_admin_screen(screen: &str) {
            #[cfg(target_arch = "wasm32")]
            {
                let first = screen.split('/').next().unwrap_or_default();
                $($(
                    if first == $screen {
                        leptos::task::spawn_local($preload());
                        return;
                    }
                )*)*
            }
            #[cfg(not(target_arch = "wasm32"))]
            let _ = screen;
        }
    };
}

admin_pages! {
    administration_account, __preload_administration_account, AccountGroupPage {
        AccountRoute => Account => "account" => admin::account::AccountPage,
    }
    administration_settings, __preload_administration_settings, SettingsPage {
        AuditLogRoute => AuditLog => "audit" => admin::audit::AuditLogPage,
        AccountTypesRoute => AccountTypes => "account-types" => admin::account_types::AccountTypesPage,
        AccountTypeEditorRoute => AccountTypeEditor => "account-types" => admin::account_types::AccountTypeEditorPage,
        AttributesRoute => Attributes => "attributes" => admin::attributes::AttributesPage,
    }
    administration_sign_in, __preload_administration_sign_in, SignInPage {
        AuthenticationRoute => Authentication => "authentication" => admin::authentication::AuthenticationPage,
        SsoActivityRoute => SsoActivity => "sso-activity" => admin::sso_activity::SsoActivityPage,
        ProvisioningActivityRoute => ProvisioningActivity => "provisioning-activity" => admin::provisioning_activity::ProvisioningActivityPage,
    }
    administration_people, __preload_administration_people, PeoplePage {
        UsersRoute => Users => "users" => admin::users::UsersPage,
        UserRoute => User => "users" => admin::user::UserPage,
        TeamsRoute => Teams => "teams" => admin::teams::TeamsPage,
        TeamRoute => Team => "teams" => admin::team::TeamPage,
    }
}

/// `/` leads to the first-run page or to the organization; the server's page
/// guard normally redirects before this renders.
#[component]
fn RootPage() -> impl IntoView {
    let status = crate::components::data(|| (), |_| crate::api::setup::load_setup_status());
    view! {
        <main class="centered">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) => match s.existing_org {
                            Some(slug) => view! { <Redirect path=format!("/{slug}") /> }.into_any(),
                            None => view! { <Redirect path="/setup" /> }.into_any(),
                        },
                        Err(e) => view! { <crate::components::ErrorPanel error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
        r.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    // Under an organization's address, the way out is its home page.
    let path = leptos_router::hooks::use_location().pathname.get_untracked();
    let org = path.trim_start_matches('/').split('/').next().filter(|s| !s.is_empty() && *s != "setup").map(str::to_string);
    let (href, label) = match org {
        Some(o) => (format!("/{o}"), "Go to your home page"),
        None => ("/".to_string(), "Go to Gatehouse"),
    };
    view! {
        <Title text="Not found" />
        <ErrorPage status=404 title="There is nothing here" message="Nothing is at this address. Check it, or start again from the home page."
            action_href=href action_label=label />
    }
}
