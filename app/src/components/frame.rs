//! The frame around every signed-in screen: the top bar, and the left
//! navigation of Administration.
use crate::api::session::{load_me, SignOut};
use crate::domain::views::Me;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::use_params_map;

/// The organization named in the URL.
pub fn use_org() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("org").unwrap_or_default())
}

/// The signed-in person, loaded once per organization frame and shared with its screens.
#[derive(Clone, Copy)]
pub struct MeResource(pub Resource<Result<Me, AppError>>);

pub fn use_me() -> Resource<Result<Me, AppError>> {
    expect_context::<MeResource>().0
}

#[component]
pub fn OrgFrame() -> impl IntoView {
    let org = use_org();
    let me_res = Resource::new(move || org.get(), load_me);
    provide_context(MeResource(me_res));
    let sign_out = ServerAction::<SignOut>::new();

    let top = move || {
        Suspend::new(async move {
            me_res.await.ok().map(|m| {
                let home = format!("/{}", m.org_slug);
                let admin = format!("/{}/admin", m.org_slug);
                view! {
                    <nav class="topnav">
                        <A href=home.clone() exact=true>"Home"</A>
                        <A href=format!("{home}/profile")>"Profile"</A>
                        {m.is_admin.then(|| view! { <A href=admin.clone()>"Administration"</A> })}
                    </nav>
                    <div class="usermenu">
                        <span class="avatar" aria-hidden="true">{m.initials()}</span>
                        <span class="usermenu-name" data-testid="current-user">{m.display_name()}</span>
                        <ActionForm action=sign_out attr:class="inline-form">
                            <input type="hidden" name="org" value=m.org_slug.clone() />
                            <button type="submit" class="btn btn-ghost btn-small" data-testid="sign-out">"Sign out"</button>
                        </ActionForm>
                    </div>
                }
            })
        })
    };

    view! {
        <header class="topbar">
            <a class="brand" href=move || format!("/{}", org.get())>
                <span class="brand-mark" aria-hidden="true">"G"</span>
                <span class="brand-name">"Gatehouse"</span>
            </a>
            <Transition fallback=|| ()>{top}</Transition>
        </header>
        <main class="page">
            <Outlet />
        </main>
    }
}

/// Administration: the left navigation beside the chosen screen. Each screen's
/// server functions check `administer`; a non-admin sees the 403 they return.
#[component]
pub fn AdminFrame() -> impl IntoView {
    let org = use_org();
    let link = move |p: &'static str| format!("/{}/admin/{p}", org.get());
    view! {
        <div class="admin">
            <aside class="sidenav" aria-label="Administration">
                <p class="sidenav-title">"Administration"</p>
                <A href=move || link("account")>"Account"</A>
                <A href=move || link("authentication")>"Authentication"</A>
                <A href=move || link("account-types")>"Account Types"</A>
                <A href=move || link("teams")>"Teams"</A>
                <A href=move || link("users")>"Users"</A>
                <A href=move || link("audit")>"Audit log"</A>
            </aside>
            <section class="admin-main">
                <Outlet />
            </section>
        </div>
    }
}
