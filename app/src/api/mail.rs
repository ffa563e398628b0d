//! Administration > Account > Mail: whether mail is set up, and a test mail.
use crate::domain::views::MailStatus;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "mail_status")]
pub async fn load_mail_status(org: String) -> Result<MailStatus, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    let st = request::state();
    Ok(crate::service::mail::status(&st.db, &st.config, &c).await?)
}

/// Sends a test mail to the signed-in administrator, now.
#[server(endpoint = "send_test_mail")]
pub async fn send_test_mail(org: String) -> Result<(), AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    let st = request::state();
    Ok(crate::service::mail::send_test(&st.db, &st.config, &c).await?)
}
