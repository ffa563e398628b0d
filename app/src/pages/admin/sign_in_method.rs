//! Administration > Authentication, first card: the sign-in method and the
//! identity provider (View and Edit modes), and what the identity provider needs.
use crate::api::authentication::{load_authentication, SaveAuthentication};
use crate::components::copy::CopyField;
use crate::components::dialog::focus_soon;
use crate::components::frame::use_org;
use crate::components::toast::{report, successes};
use crate::components::{ErrorPanel, FieldError, FormError};
use crate::domain::sign_in::{idle_timeout_label, IDLE_TIMEOUT_CHOICES, MAX_SESSION_DAYS, MIN_SESSION_DAYS};
use crate::domain::views::{AuthSettingsInput, AuthSettingsView, CertificateInfo, OidcInput};
use crate::domain::{AuthMethod, MfaPolicy};
use crate::pages::admin::audit::short_time;
use leptos::prelude::*;

const PASSWORD_FLOOR: usize = crate::domain::password::MIN_LEN;
const PASSWORD_CEILING: usize = crate::domain::password::MAX_MIN_LEN;

const FIELDS: &[&str] = &[
    "method",
    "idp_login_url",
    "idp_certificate",
    "idp_next_certificate",
    "idp_issuer",
    "oidc_issuer",
    "oidc_client_id",
    "oidc_client_secret",
    "oidc_scopes",
    "oidc_email_claim",
    "session_days",
    "idle_timeout_secs",
    "password_min_length",
    "mfa_email_codes",
];

#[component]
pub fn SignInMethodSection() -> impl IntoView {
    let org = use_org();
    let save = ServerAction::<SaveAuthentication>::new();
    let error = report(save, "Authentication settings saved", FIELDS);
    let saved = successes(save);
    let settings = crate::components::data(move || (org.get(), saved.get()), |(o, _)| load_authentication(o));
    let editing = RwSignal::new(false);
    let form = Form::default();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            editing.set(false);
            focus_soon("[data-testid=edit-authentication]");
        }
    });
    let field = move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(name)));

    view! {
        <section class="card" data-testid="sign-in-method">
            // The heading and Edit stay put while the settings reload after a
            // save, so focus can go back to Edit at once.
            <div class="with-actions">
                <div>
                    <h2>"Sign-in"</h2>
                    <p class="muted">"How people sign in: with a password, through your identity provider (SAML or OpenID Connect single sign-on), or either."</p>
                </div>
                <Show when=move || !editing.get()>
                    <button type="button" class="btn btn-primary" data-testid="edit-authentication" on:click=move |_| {
                        if let Some(Ok(s)) = settings.get_untracked() {
                            form.fill(&s);
                            editing.set(true);
                            focus_soon("[data-testid=authentication-form] input[name=method]:checked");
                        }
                    }>"Edit"</button>
                </Show>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Err(e) => view! { <ErrorPanel error=e org=org.get_untracked() /> }.into_any(),
                        Ok(s) => { view! {
                            {
                                let s2 = s.clone();
                                move || if editing.get() {
                                    edit_form(form, save, error, field, editing).into_any()
                                } else {
                                    details(&s2).into_any()
                                }
                            }
                            {s.method.allows_oidc().then(|| view! {
                                <h3>"What your OpenID provider needs"</h3>
                                <p class="muted">"Register these in your provider's application for Gatehouse (Okta: Sign-in redirect URIs and Initiate login URI; Entra ID: Redirect URI, type Web)."</p>
                                <dl class="details" data-testid="oidc-needs">
                                    <dt>"Redirect URI"</dt>
                                    <dd><CopyField value=s.oidc_redirect_uri.clone() label="Redirect URI" testid="oidc-redirect-uri" /></dd>
                                    <dt>"Initiate login URI (sign-in started at the provider)"</dt>
                                    <dd><CopyField value=s.oidc_initiate_login_uri.clone() label="Initiate login URI" testid="oidc-initiate-login-uri" /></dd>
                                </dl>
                            })}
                            // Two protocols' needs on one page once OpenID Connect is chosen: say which is SAML's.
                            <h3>{if s.method.allows_oidc() { "What a SAML identity provider needs" } else { "What your identity provider needs" }}</h3>
                            <p class="muted">"Paste these into the SAML application in your identity provider (in Okta: Single sign-on URL, Audience URI, Default Relay State)."</p>
                            <dl class="details">
                                <dt>"ACS URL (single sign-on URL, default relay state)"</dt>
                                <dd><CopyField value=s.acs_url.clone() label="ACS URL" testid="acs-url" /></dd>
                                <dt>"SP entity ID (audience)"</dt>
                                <dd><CopyField value=s.sp_entity_id.clone() label="SP entity ID" testid="sp-entity-id" /></dd>
                                <dt>"SP metadata XML"</dt>
                                <dd>
                                    <CopyField value=s.metadata_url.clone() label="Metadata URL" testid="metadata-url" />
                                    <a href=s.metadata_url.clone() rel="external" target="_blank" class="small">"Open the metadata"</a>
                                </dd>
                            </dl>
                        }.into_any() }
                    }
                })}
            </Transition>
        </section>
    }
}

fn details(s: &AuthSettingsView) -> impl IntoView {
    let verified = match (&s.sso_verified_at, &s.sso_verified_by) {
        (Some(at), Some(by)) => format!("Shown to work: {by} signed in through SSO on {}", short_time(at)),
        _ if s.method.allows_saml() => "Not yet shown to work: an administrator must sign in with “Sign in with SSO”, or pass “Test sign-in”, before SAML can be the only method.".into(),
        _ => "Not set up".into(),
    };
    let oidc_verified = match (&s.oidc_verified_at, &s.oidc_verified_by) {
        (Some(at), Some(by)) => format!("Shown to work: {by} signed in through OpenID Connect on {}", short_time(at)),
        _ if s.method.allows_oidc() => "Not yet shown to work: an administrator must sign in with “Sign in with SSO”, or pass “Test sign-in”, before OpenID Connect can be the only method.".into(),
        _ => "Not set up".into(),
    };
    let or_none = |v: &str, none: &'static str| {
        if v.is_empty() {
            none.to_string()
        } else {
            v.to_string()
        }
    };
    view! {
        <dl class="details" data-testid="authentication-details">
            <dt>"Authentication Method"</dt>
            <dd data-testid="auth-method">{s.method.label()}</dd>
            {s.method.allows_oidc().then(|| view! {
                <dt>"OpenID Connect issuer"</dt>
                <dd><code class="url" data-testid="oidc-issuer">{or_none(&s.oidc_issuer, "Not set")}</code></dd>
                <dt>"Client ID"</dt>
                <dd data-testid="oidc-client-id">{or_none(&s.oidc_client_id, "Not set")}</dd>
                <dt>"Client secret"</dt>
                <dd data-testid="oidc-client-secret">{if s.oidc_client_secret_set { "Stored (never shown again)" } else { "Not set" }}</dd>
                <dt>"Scopes"</dt>
                <dd>{s.oidc_scopes.clone()}</dd>
                <dt>"Email claim"</dt>
                <dd>{s.oidc_email_claim.clone()}</dd>
                <dt>"OpenID Connect"</dt>
                <dd>
                    <span data-testid="oidc-verified">{oidc_verified.clone()}</span>
                    // A full page load to the provider and back; nobody is signed in by it.
                    {(!s.oidc_issuer.is_empty() && !s.oidc_client_id.is_empty()).then(|| view! {
                        <p class="small">
                            <a href=format!("/{}/sso?test=oidc", use_org().get_untracked()) rel="external" class="btn btn-secondary btn-small" data-testid="test-oidc">"Test sign-in"</a>
                            " Goes to your provider and back, and shows whom it signed in; you stay signed in as yourself."
                        </p>
                    })}
                </dd>
            })}
            <dt>"Identity provider login URL"</dt>
            <dd><code class="url">{or_none(&s.idp_login_url, "Not set")}</code></dd>
            <dt>"Identity provider X509 certificate"</dt>
            <dd>{match s.certificate.clone() {
                Some(c) => certificate(c, "certificate").into_any(),
                None => view! { <span class="muted">"Not set"</span> }.into_any(),
            }}</dd>
            {s.next_certificate.clone().map(|c| {
                let seen = match &s.next_seen_at {
                    Some(at) => format!("Sign-ins signed with it since {}: to finish the rotation, Edit, paste it as the certificate and empty Next certificate.", short_time(at)),
                    None => "Accepted beside the current one. No sign-in signed with it yet: switch the identity provider to it, then make it the certificate here.".to_string(),
                };
                view! {
                    <dt>"Next certificate (rotation)"</dt>
                    <dd>{certificate(c, "next-certificate")}<p class="hint" data-testid="next-certificate-seen">{seen}</p></dd>
                }
            })}
            <dt>"Identity provider issuer (entity ID)"</dt>
            <dd>{or_none(&s.idp_issuer, "Not checked")}</dd>
            <dt>"Session length (new sessions)"</dt>
            <dd data-testid="session-days">{format!("{} days", s.session_days)}</dd>
            <dt>"Sign out after inactivity"</dt>
            <dd data-testid="idle-timeout">{idle_timeout_label(s.idle_timeout_secs)}</dd>
            <dt>"Minimum password length"</dt>
            <dd data-testid="password-min-length">{format!("{} characters", s.password_min_length)}</dd>
            <dt>"Multi-Factor Authentication"</dt>
            <dd data-testid="mfa-policy">
                {s.mfa_policy.label()}
                {(s.mfa_email_codes && s.mfa_policy != MfaPolicy::Off).then_some(if s.mail_set_up { "; codes by email for people without an app" } else { "; codes by email (mail is not set up, so not sent)" })}
            </dd>
            <dt>"Guest Access"</dt>
            <dd data-testid="guest-access">{if s.allow_guests { "Allowed" } else { "Off" }}</dd>
            <dt>"Sign-in started at the identity provider"</dt>
            <dd data-testid="idp-initiated">{if s.allow_idp_initiated { "Allowed" } else { "Not allowed" }}</dd>
            <dt>"Single sign-on"</dt>
            <dd data-testid="sso-verified">
                {verified}
                // A full page load to the identity provider and back; nobody is signed in by it.
                {(!s.idp_login_url.is_empty() && s.certificate.is_some()).then(|| view! {
                    <p class="small">
                        <a href=format!("/{}/sso?test=1", use_org().get_untracked()) rel="external" class="btn btn-secondary btn-small" data-testid="test-sso">"Test sign-in"</a>
                        " Goes to your identity provider and back, and shows what it sent; you stay signed in as yourself."
                    </p>
                })}
            </dd>
        </dl>
    }
}

/// A certificate's subject, validity and fingerprint; `testid` tells the current one from the next.
fn certificate(c: CertificateInfo, testid: &'static str) -> impl IntoView {
    view! {
        <div class="cert" data-testid=testid>
            <div><span class="label">"Subject "</span><span data-testid="cert-subject">{c.subject}</span></div>
            <div><span class="label">"Issuer "</span>{c.issuer}</div>
            <div><span class="label">"Valid "</span>{format!("{} to {}", &c.not_before[..10], &c.not_after[..10])}</div>
            <div><span class="label">"SHA-256 "</span><code class="small" data-testid="cert-fingerprint">{c.fingerprint_sha256}</code></div>
            {c.warning.map(|w| view! { <div class="alert alert-error" data-testid="cert-warning">{w}</div> })}
        </div>
    }
}

/// The Edit form's values; they live beside the card, so a reload of the
/// settings never wipes what the admin typed, nor does hiding the identity
/// provider's fields while Password is chosen.
#[derive(Clone, Copy)]
struct Form {
    method: RwSignal<AuthMethod>,
    url: RwSignal<String>,
    cert: RwSignal<String>,
    next: RwSignal<String>,
    issuer: RwSignal<String>,
    days: RwSignal<String>,
    idle: RwSignal<i64>,
    idp_initiated: RwSignal<bool>,
    mfa: RwSignal<MfaPolicy>,
    guests: RwSignal<bool>,
    email_codes: RwSignal<bool>,
    mail_set_up: RwSignal<bool>,
    min_len: RwSignal<String>,
    /// The identity provider's settings as saved: what Save keeps while
    /// Password alone is chosen and their fields are hidden.
    saved_idp: RwSignal<Idp>,
    oidc_issuer: RwSignal<String>,
    oidc_client_id: RwSignal<String>,
    /// A new client secret; empty keeps the stored one.
    oidc_secret: RwSignal<String>,
    oidc_secret_set: RwSignal<bool>,
    oidc_scopes: RwSignal<String>,
    oidc_claim: RwSignal<String>,
}

/// The settings that matter only when single sign-on is allowed.
#[derive(Clone, Default)]
struct Idp {
    url: String,
    cert: String,
    next: String,
    issuer: String,
    idp_initiated: bool,
}

impl Default for Form {
    fn default() -> Self {
        Form {
            method: RwSignal::new(AuthMethod::Password),
            url: RwSignal::new(String::new()),
            cert: RwSignal::new(String::new()),
            next: RwSignal::new(String::new()),
            issuer: RwSignal::new(String::new()),
            days: RwSignal::new(String::new()),
            idle: RwSignal::new(0),
            idp_initiated: RwSignal::new(true),
            mfa: RwSignal::new(MfaPolicy::Off),
            guests: RwSignal::new(false),
            email_codes: RwSignal::new(false),
            mail_set_up: RwSignal::new(false),
            min_len: RwSignal::new(String::new()),
            saved_idp: RwSignal::new(Idp::default()),
            oidc_issuer: RwSignal::new(String::new()),
            oidc_client_id: RwSignal::new(String::new()),
            oidc_secret: RwSignal::new(String::new()),
            oidc_secret_set: RwSignal::new(false),
            oidc_scopes: RwSignal::new(String::new()),
            oidc_claim: RwSignal::new(String::new()),
        }
    }
}

impl Form {
    fn fill(&self, s: &AuthSettingsView) {
        self.method.set(s.method);
        self.url.set(s.idp_login_url.clone());
        self.cert.set(s.idp_certificate.clone());
        self.next.set(s.idp_next_certificate.clone());
        self.issuer.set(s.idp_issuer.clone());
        self.days.set(s.session_days.to_string());
        self.idle.set(s.idle_timeout_secs);
        self.idp_initiated.set(s.allow_idp_initiated);
        self.mfa.set(s.mfa_policy);
        self.guests.set(s.allow_guests);
        self.email_codes.set(s.mfa_email_codes);
        self.mail_set_up.set(s.mail_set_up);
        self.min_len.set(s.password_min_length.to_string());
        self.saved_idp.set(Idp {
            url: s.idp_login_url.clone(),
            cert: s.idp_certificate.clone(),
            next: s.idp_next_certificate.clone(),
            issuer: s.idp_issuer.clone(),
            idp_initiated: s.allow_idp_initiated,
        });
        self.oidc_issuer.set(s.oidc_issuer.clone());
        self.oidc_client_id.set(s.oidc_client_id.clone());
        self.oidc_secret.set(String::new());
        self.oidc_secret_set.set(s.oidc_client_secret_set);
        self.oidc_scopes.set(s.oidc_scopes.clone());
        self.oidc_claim.set(s.oidc_email_claim.clone());
    }

    /// OpenID Connect's settings Save sends: as shown while OpenID Connect is
    /// chosen; otherwise none (the stored ones are kept).
    fn oidc_to_save(&self) -> OidcInput {
        if !self.method.get_untracked().allows_oidc() {
            return OidcInput::default();
        }
        OidcInput {
            issuer: Some(self.oidc_issuer.get_untracked()),
            client_id: Some(self.oidc_client_id.get_untracked()),
            client_secret: Some(self.oidc_secret.get_untracked()),
            scopes: Some(self.oidc_scopes.get_untracked()),
            email_claim: Some(self.oidc_claim.get_untracked()),
        }
    }

    /// The identity provider's settings Save sends: as shown when SAML is
    /// allowed; as saved when Password alone is chosen, so a hidden field can
    /// neither change nor refuse the save.
    fn idp_to_save(&self) -> Idp {
        if self.method.get_untracked().allows_saml() {
            Idp {
                url: self.url.get_untracked(),
                cert: self.cert.get_untracked(),
                next: self.next.get_untracked(),
                issuer: self.issuer.get_untracked(),
                idp_initiated: self.idp_initiated.get_untracked(),
            }
        } else {
            self.saved_idp.get_untracked()
        }
    }
}

fn edit_form(
    form: Form,
    save: ServerAction<SaveAuthentication>,
    error: Signal<Option<crate::error::AppError>>,
    field: impl Fn(&'static str) -> Signal<Option<String>> + Copy + 'static,
    editing: RwSignal<bool>,
) -> impl IntoView {
    let org = use_org();
    let Form { method, url, cert, next, issuer, days, idle, idp_initiated, mfa, guests, min_len, email_codes, mail_set_up, .. } = form;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let idp = form.idp_to_save();
        save.dispatch(SaveAuthentication {
            org: org.get_untracked(),
            input: AuthSettingsInput {
                method: method.get_untracked().as_str().into(),
                idp_login_url: idp.url,
                idp_certificate: idp.cert,
                idp_next_certificate: idp.next,
                idp_issuer: idp.issuer,
                // Out-of-range or empty input reaches the server, which explains the limits.
                session_days: days.get_untracked().trim().parse().unwrap_or(0),
                idle_timeout_secs: idle.get_untracked(),
                allow_idp_initiated: idp.idp_initiated,
                mfa_policy: mfa.get_untracked().as_str().into(),
                mfa_email_codes: email_codes.get_untracked(),
                allow_guests: guests.get_untracked(),
                password_min_length: min_len.get_untracked().trim().parse().unwrap_or(0),
                oidc: form.oidc_to_save(),
            },
        });
    };
    let (url_error, cert_error, next_error, issuer_error) = (field("idp_login_url"), field("idp_certificate"), field("idp_next_certificate"), field("idp_issuer"));
    let oidc_errors = ["oidc_issuer", "oidc_client_id", "oidc_client_secret", "oidc_scopes", "oidc_email_claim"].map(field);
    // A message about the last attempt goes once the admin changes something.
    let clear = move |_| {
        if save.value().with_untracked(|v| v.as_ref().is_some_and(|r| r.is_err())) {
            save.value().set(None);
        }
    };
    view! {
        <form class="form auth-form" data-testid="authentication-form" on:submit=submit on:input=clear on:change=clear>
            <FormError error=error fields=FIELDS />
            <fieldset class="radios">
                <legend class="label">"Authentication Method"</legend>
                {AuthMethod::ALL.into_iter().map(|m| view! {
                    <label class="check-inline">
                        <input type="radio" name="method" value=m.as_str() prop:checked=move || method.get() == m
                            on:change=move |_| method.set(m) />
                        {m.label()}
                    </label>
                }).collect_view()}
            </fieldset>
            <FieldError message=field("method") />
            // Only SAML uses them; hidden while Password alone is chosen, they keep what was typed.
            <Show when=move || method.get().allows_oidc()>
                {oidc_fields(form, oidc_errors)}
            </Show>
            <Show when=move || method.get().allows_saml()>
                <div class="idp-fields" data-testid="idp-fields">
                    <label for="idp-login-url">"Identity provider login URL"</label>
                    <input id="idp-login-url" type="url" placeholder="https://acme.okta.com/app/…/sso/saml" prop:value=url
                        on:input=move |ev| url.set(event_target_value(&ev)) />
                    <FieldError message=url_error />
                    <label for="idp-certificate">"Identity provider X509 certificate"</label>
                    <textarea id="idp-certificate" rows="8" class="mono" placeholder="-----BEGIN CERTIFICATE-----" prop:value=cert
                        aria-describedby="idp-certificate-hint" on:input=move |ev| cert.set(event_target_value(&ev))></textarea>
                    <p class="hint" id="idp-certificate-hint">"Paste the signing certificate as your identity provider shows it. It is checked when you save."</p>
                    <FieldError message=cert_error />
                    <label for="idp-next-certificate">"Next certificate (rotation), optional"</label>
                    <textarea id="idp-next-certificate" rows="4" class="mono" placeholder="-----BEGIN CERTIFICATE-----" prop:value=next
                        aria-describedby="idp-next-certificate-hint" on:input=move |ev| next.set(event_target_value(&ev))></textarea>
                    <p class="hint" id="idp-next-certificate-hint">"While your identity provider rotates its signing key: paste its new certificate here. Sign-ins signed with either certificate work; once the new one is in use, paste it as the certificate above and empty this one."</p>
                    <FieldError message=next_error />
                    <label for="idp-issuer">"Identity provider issuer (entity ID), optional"</label>
                    <input id="idp-issuer" type="text" placeholder="http://www.okta.com/exk…" prop:value=issuer
                        aria-describedby="idp-issuer-hint" on:input=move |ev| issuer.set(event_target_value(&ev)) />
                    <p class="hint" id="idp-issuer-hint">"When set, a sign-in response must come from this issuer."</p>
                    <FieldError message=issuer_error />
                    <label class="check-inline">
                        <input id="idp-initiated" type="checkbox" aria-describedby="idp-initiated-hint" prop:checked=idp_initiated
                            on:change=move |ev| idp_initiated.set(event_target_checked(&ev)) />
                        "Allow sign-in started at the identity provider"
                    </label>
                    <p class="hint" id="idp-initiated-hint">"Okta's app tiles and other identity provider dashboards start sign-in there. Off, people must start from the Gatehouse sign-in page, which also guards against a site signing someone in to an account that is not theirs."</p>
                </div>
            </Show>
            <label for="session-days">"Session length (days, for new sessions)"</label>
            <input id="session-days" type="number" min=MIN_SESSION_DAYS max=MAX_SESSION_DAYS prop:value=days
                on:input=move |ev| days.set(event_target_value(&ev)) />
            <FieldError message=field("session_days") />
            <label for="idle-timeout">"Sign out after inactivity"</label>
            <select id="idle-timeout" on:change=move |ev| idle.set(event_target_value(&ev).parse().unwrap_or(0))>
                {IDLE_TIMEOUT_CHOICES.into_iter().map(|(secs, label)| view! {
                    <option value=secs.to_string() selected=move || idle.get() == secs>{label}</option>
                }).collect_view()}
            </select>
            <FieldError message=field("idle_timeout_secs") />
            <label for="password-min-length">"Minimum password length"</label>
            <input id="password-min-length" type="number" min=PASSWORD_FLOOR max=PASSWORD_CEILING prop:value=min_len aria-describedby="password-min-length-hint"
                on:input=move |ev| min_len.set(event_target_value(&ev)) />
            <p class="hint" id="password-min-length-hint">{format!("{PASSWORD_FLOOR} to {PASSWORD_CEILING} characters, for new passwords: invitations, changes and resets. Passwords set before keep working.")}</p>
            <FieldError message=field("password_min_length") />
            <label for="mfa-policy">"Multi-Factor Authentication"</label>
            <select id="mfa-policy" aria-describedby="mfa-policy-hint" on:change=move |ev| mfa.set(MfaPolicy::parse(&event_target_value(&ev)).unwrap_or(MfaPolicy::Off))>
                {MfaPolicy::ALL.into_iter().map(|m| view! {
                    <option value=m.as_str() selected=move || mfa.get() == m>{m.label()}</option>
                }).collect_view()}
            </select>
            <p class="hint" id="mfa-policy-hint">"For password sign-ins, with an authenticator app. Required: people without an app set one up right after their password. Single sign-on relies on your identity provider's own factors."</p>
            <FieldError message=field("mfa_policy") />
            <label class="check-inline">
                // Offered where the server can send mail; one turned on before mail went away can still be turned off.
                <input id="mfa-email-codes" type="checkbox" aria-describedby="mfa-email-codes-hint" prop:checked=email_codes
                    disabled=move || !mail_set_up.get() && !email_codes.get() on:change=move |ev| email_codes.set(event_target_checked(&ev)) />
                "Codes by email"
            </label>
            <p class="hint" id="mfa-email-codes-hint">{move || if mail_set_up.get() {
                "With Required, people without an authenticator app get a six-digit code by email after their password (valid 10 minutes, once) instead of setting up an app. An app, where set up, is asked for instead."
            } else {
                "Needs mail, which this server does not send: the operator sets up GATEHOUSE_SMTP_HOST and the settings beside it."
            }}</p>
            <FieldError message=field("mfa_email_codes") />
            <label class="check-inline">
                <input id="allow-guests" type="checkbox" aria-describedby="allow-guests-hint" prop:checked=guests on:change=move |ev| guests.set(event_target_checked(&ev)) />
                "Allow guest access"
            </label>
            <p class="hint" id="allow-guests-hint">"Guests are people outside your identity provider, invited from Users. They sign in with a password, also when the method is SAML. Turning this off signs them out at once."</p>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="save-authentication" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save" }}
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| { editing.set(false); focus_soon("[data-testid=edit-authentication]"); }>"Cancel"</button>
            </div>
        </form>
    }
}

/// OpenID Connect's fields (Sigma's "Configure OAuth authentication").
fn oidc_fields(form: Form, errors: [Signal<Option<String>>; 5]) -> impl IntoView {
    let Form { oidc_issuer, oidc_client_id, oidc_secret, oidc_secret_set, oidc_scopes, oidc_claim, .. } = form;
    let [issuer_error, client_id_error, secret_error, scopes_error, claim_error] = errors;
    view! {
        <div class="idp-fields" data-testid="oidc-fields">
            <label for="oidc-issuer">"Issuer (or metadata URI)"</label>
            <input id="oidc-issuer" type="url" placeholder="https://login.microsoftonline.com/<tenant>/v2.0" prop:value=oidc_issuer
                aria-describedby="oidc-issuer-hint" on:input=move |ev| oidc_issuer.set(event_target_value(&ev)) />
            <p class="hint" id="oidc-issuer-hint">"Gatehouse reads the provider's /.well-known/openid-configuration when you save, and checks it names this issuer."</p>
            <FieldError message=issuer_error />
            <label for="oidc-client-id">"Client ID"</label>
            <input id="oidc-client-id" type="text" autocomplete="off" prop:value=oidc_client_id
                on:input=move |ev| oidc_client_id.set(event_target_value(&ev)) />
            <FieldError message=client_id_error />
            <label for="oidc-client-secret">"Client secret"</label>
            <input id="oidc-client-secret" type="password" autocomplete="new-password" prop:value=oidc_secret
                aria-describedby="oidc-client-secret-hint" on:input=move |ev| oidc_secret.set(event_target_value(&ev))
                placeholder=move || if oidc_secret_set.get() { "Stored: leave empty to keep it" } else { "" } />
            <p class="hint" id="oidc-client-secret-hint">"Stored encrypted and never shown again. To replace it, paste the new one."</p>
            <FieldError message=secret_error />
            <label for="oidc-scopes">"Scopes"</label>
            <input id="oidc-scopes" type="text" prop:value=oidc_scopes placeholder="openid email profile"
                on:input=move |ev| oidc_scopes.set(event_target_value(&ev)) />
            <FieldError message=scopes_error />
            <label for="oidc-email-claim">"Claim that holds the email"</label>
            <input id="oidc-email-claim" type="text" prop:value=oidc_claim placeholder="email"
                aria-describedby="oidc-email-claim-hint" on:input=move |ev| oidc_claim.set(event_target_value(&ev)) />
            <p class="hint" id="oidc-email-claim-hint">"email (the provider must mark it verified), or the provider's own user name claim, such as preferred_username or upn for Entra ID."</p>
            <FieldError message=claim_error />
        </div>
    }
}
