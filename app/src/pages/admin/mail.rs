//! Administration > Account > Mail: whether this server sends mail, and a
//! test mail to check its settings.
use crate::api::mail::{load_mail_status, SendTestMail};
use crate::components::frame::use_org;
use crate::components::toast::{report, successes};
use crate::components::ErrorPanel;
use leptos::prelude::*;

#[component]
pub fn MailCard() -> impl IntoView {
    let org = use_org();
    let send = ServerAction::<SendTestMail>::new();
    report(send, "Test mail sent. Check your inbox.", &[]);
    let sent = successes(send);
    let status = crate::components::data(move || (org.get(), sent.get(), send.version().get()), |(o, ..)| load_mail_status(o));
    view! {
        <section class="card" data-testid="mail-card">
            <h2>"Mail"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(e) => view! { <ErrorPanel error=e /> }.into_any(),
                        Ok(s) if !s.set_up => view! {
                            <p class="muted" data-testid="mail-off">"Mail is not set up on this server: invitation and password reset links are shown for you to copy. "
                                "The server's operator sets it up (GATEHOUSE_SMTP_HOST, GATEHOUSE_MAIL_FROM)."</p>
                        }.into_any(),
                        Ok(s) => view! {
                            <dl class="details" data-testid="mail-on">
                                <dt>"Mail server"</dt><dd>{s.server.clone()}</dd>
                                <dt>"Sender"</dt><dd>{s.from.clone()}</dd>
                                <dt>"Waiting to be sent"</dt><dd data-testid="mail-waiting">{s.waiting.to_string()}</dd>
                            </dl>
                            {s.last_error.clone().map(|e| view! { <p class="alert alert-warning" data-testid="mail-error">{format!("The mail server did not take a message yet: {e}. Gatehouse tries again.")}</p> })}
                            <p class="hint">{format!("Invitations, password reset links and sign-in notices are sent by mail. The test mail goes to you ({}).", s.test_to)}</p>
                            <button type="button" class="btn btn-secondary" data-testid="send-test-mail" disabled=move || send.pending().get()
                                on:click=move |_| { send.dispatch(SendTestMail { org: org.get_untracked() }); }>"Send a test mail"</button>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
