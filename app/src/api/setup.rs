use crate::domain::views::SetupStatus;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "setup_status")]
pub async fn load_setup_status() -> Result<SetupStatus, AppError> {
    let st = super::request::state();
    Ok(SetupStatus { existing_org: crate::service::setup::existing_org(&st.db).await? })
}

/// The first-run form: creates the organization and its first admin, then
/// sends the admin to the sign-in page.
#[server(endpoint = "run_setup")]
pub async fn run_setup(
    setup_code: Option<String>,
    org_name: String,
    org_slug: String,
    first_name: String,
    last_name: String,
    email: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    use super::request;
    use crate::service::setup::{create_organization, Proof, SetupInput};
    if password != password_confirm {
        return Err(AppError::invalid("password_confirm", "The two passwords differ. Type the same password twice."));
    }
    let st = request::state();
    let ip = request::client_ip();
    let done =
        create_organization(&st.db, SetupInput { org_name, org_slug, first_name, last_name, email, password }, Proof::SetupCode(setup_code.as_deref().unwrap_or_default()), "first-run page", &ip)
            .await?;
    leptos_axum::redirect(&format!("/{}/login?setup=done", done.org.slug));
    Ok(())
}
