//! The signup form: email, the grid, the three equal buttons, and the saved status.

use std::rc::Rc;

use accord_core::config::{Lang, VersionedConfig};
use accord_core::contact::Email;
use wasm_bindgen::JsValue;
use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use super::actions::{Actions, Intent};
use super::footer::Footer;
use super::grid::Grid;
use crate::api;
use crate::handover::{self, Press, Recorded};
use crate::i18n::{Key, t};
use crate::state::{Action, Form, Status};

#[derive(Properties, PartialEq)]
pub struct FormProps {
    pub config: Rc<VersionedConfig>,
    pub site: String,
    pub endpoint: String,
    pub lang: Lang,
    pub host: Option<Element>,
    /// What the person did before hydration (see [`handover`]).
    #[prop_or_default]
    pub recorded: Rc<Vec<Recorded>>,
}

impl Press {
    /// The intent of one of the three equal buttons pressed before hydration; `None` for the
    /// other buttons (withdraw everything, the re-confirmation prompt's).
    pub fn intent(self) -> Option<Intent> {
        match self {
            Press::Save => Some(Intent::AsTicked),
            Press::AcceptAll => Some(Intent::All(true)),
            Press::RefuseAll => Some(Intent::All(false)),
            Press::WithdrawAll | Press::ReconfirmYes | Press::ReconfirmNo => None,
        }
    }
}

#[function_component]
pub fn ConsentForm(props: &FormProps) -> Html {
    let start = use_memo((), |_| handover::replay(Form::new(props.config.clone()), &props.recorded));
    let form = use_reducer(|| start.0.clone());
    let lang = props.lang;

    let on_email = {
        let form = form.dispatcher();
        Callback::from(move |e: InputEvent| {
            form.dispatch(Action::SetEmail(e.target_unchecked_into::<HtmlInputElement>().value()))
        })
    };

    let on_phone = {
        let form = form.dispatcher();
        Callback::from(move |e: InputEvent| {
            form.dispatch(Action::SetPhone(e.target_unchecked_into::<HtmlInputElement>().value()))
        })
    };

    let send = {
        let form = form.clone();
        let (endpoint, site, host) = (props.endpoint.clone(), props.site.clone(), props.host.clone());
        Callback::from(move |intent: Intent| {
            if let Intent::All(all) = intent {
                form.dispatch(if all { Action::AcceptAll } else { Action::RefuseAll });
            }
            if Email::parse("email", &form.email).is_err() {
                form.dispatch(Action::Failed(t(lang, Key::EmailInvalid).to_owned()));
                return;
            }
            let mut submission = form.submission(page_url(), lang);
            if let Intent::All(all) = intent {
                submission.choices.iter_mut().for_each(|c| c.granted = all);
            }
            // A yes by SMS or call needs the number it is about; a number nobody needs is not sent.
            match form.phone_for(&submission.choices) {
                Ok(phone) => submission.phone = phone,
                Err(why) => {
                    form.dispatch(Action::PhoneInvalid(t(lang, why).to_owned()));
                    return;
                }
            }
            // Same choices as the failed attempt: same key, so the edge stores them once.
            let key = match (intent, &form.key) {
                (Intent::AsTicked, Some(k)) => k.clone(),
                _ => api::new_key(),
            };
            form.dispatch(Action::Sending(key.clone()));
            let (form, endpoint, site, host) = (form.dispatcher(), endpoint.clone(), site.clone(), host.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = with_retries(|| api::submit(&endpoint, &site, &submission, &key)).await;
                settle(&form, &host, lang, &endpoint, outcome).await;
            });
        })
    };

    let on_submit = {
        let send = send.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            send.emit(Intent::AsTicked);
        })
    };

    {
        // A button pressed before hydration is honoured once, on the replayed form.
        let (send, intent) = (send.clone(), start.1.and_then(Press::intent));
        use_effect_with((), move |_| {
            if let Some(intent) = intent {
                send.emit(intent);
            }
        });
    }

    {
        // Tell the page what is ticked: `accord:change` on the host, and `Accord.getChoices()`.
        let ticked: Vec<Tick> = form
            .cells()
            .filter(|c| form.is_ticked(c))
            .map(|(ct, ch)| Tick { content_type: ct, channel: ch.as_str() })
            .collect();
        let json = crate::json::stringify(&ticked).unwrap_or_else(|_| "[]".into());
        let host = props.host.clone();
        use_effect_with(json, move |json| {
            crate::publish_choices(json.clone());
            announce(&host, "accord:change", json);
        });
    }

    let texts = &props.config.config.widget_texts;
    html! {
        <form class="accord-form" onsubmit={on_submit} novalidate=true aria-labelledby="accord-title">
            <h2 id="accord-title" class="accord-title">{ own(&texts.title, lang, Key::Title) }</h2>
            <p class="accord-intro">{ own(&texts.intro, lang, Key::Intro) }</p>
            <label class="accord-label" for="accord-email">{ t(lang, Key::Email) }</label>
            <input id="accord-email" class="accord-input" type="email" name="email" autocomplete="email"
                required=true value={form.email.clone()} oninput={on_email} />
            <Grid form={form.clone()} lang={lang} />
            { phone_field(&form, lang, on_phone) }
            <Actions lang={lang} on_intent={send} busy={form.status == Status::Sending} />
            { status_line(&form.status, lang, Key::Saved) }
            <Footer config={props.config.clone()} lang={lang} />
        </form>
    }
}

/// The number field, shown while a ticked box needs it. It is always in the tree and hidden
/// otherwise, so the form's structure never depends on what is ticked: the widget's first render
/// must match the edge's even when a box was ticked before the code arrived (hydration); a class
/// hides it, since an attribute the edge did not render is not what hydration reconciles. Its
/// container is a polite live region, so a screen reader announces the field when ticking SMS
/// reveals it; an invalid number is flagged on the field itself and explained next to it.
pub fn phone_field(form: &Form, lang: Lang, on_input: Callback<InputEvent>) -> Html {
    let error = form
        .phone_invalid
        .then(|| if form.phone.trim().is_empty() { t(lang, Key::PhoneRequired) } else { t(lang, Key::PhoneInvalid) });
    let described = if error.is_some() { "accord-phone-hint accord-phone-error" } else { "accord-phone-hint" };
    html! {
        <div class="accord-phone" aria-live="polite">
            <div class={classes!("accord-phone-field", (!form.needs_phone()).then_some("accord-hidden"))}>
                <label class="accord-label" for="accord-phone">{ t(lang, Key::Phone) }</label>
                <p id="accord-phone-hint" class="accord-hint">{ t(lang, Key::PhoneHint) }</p>
                <input id="accord-phone" class="accord-input" type="tel" name="phone" autocomplete="tel" inputmode="tel"
                    required={form.needs_phone()} aria-invalid={ if error.is_some() { "true" } else { "false" } }
                    aria-describedby={described} value={form.phone.clone()} oninput={on_input} />
                { for error.map(|e| html! { <p id="accord-phone-error" class="accord-field-error">{ e }</p> }) }
            </div>
        </div>
    }
}

/// The site's own wording when its configuration has one, else the widget's.
pub fn own(text: &Option<accord_core::config::Text>, lang: Lang, default: Key) -> String {
    text.as_ref().map_or_else(|| t(lang, default).to_owned(), |x| x.get(lang).to_owned())
}

/// The `aria-live` line under the buttons; `saved` is the text for a success.
pub fn status_line(status: &Status, lang: Lang, saved: Key) -> Html {
    let (kind, text) = match status {
        Status::Editing => ("editing", html! {}),
        Status::Sending => ("sending", html! { { t(lang, Key::Saving) } }),
        Status::Saved { seq, recorded_at, receipt } => (
            "saved",
            html! { <>
                { t(lang, saved) }{" "}{ t(lang, Key::Receipt) }{format!(" n° {seq} — {recorded_at}")}{" "}
                // The signed receipt, for the person to keep — as its ISO/IEC TS 27560 record once
                // the edge has made it: anyone can check it against the edge's published keys.
                <a class="accord-receipt" download={format!("accord-receipt-{seq}.json")}
                   href={format!("data:application/json;charset=utf-8,{}", data_url_text(receipt))}>
                    { t(lang, Key::DownloadReceipt) }
                </a>
            </> },
        ),
        Status::Failed(msg) => ("error", html! { { msg.clone() } }),
    };
    html! { <p class="accord-status" role="status" aria-live="polite" data-state={kind}>{ text }</p> }
}

/// `text` percent-encoded for a `data:` URL: everything but unreserved ASCII (RFC 3986).
fn data_url_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A few quick retries for a lost connection or a server error, and one wait of the edge's
/// `Retry-After` (up to [`MAX_WAIT_S`]) when it is busy; a refusal is final. Never "saved"
/// before the edge says so.
pub async fn with_retries<F, Fut>(mut attempt: F) -> Result<(String, api::ReceiptSummary), api::SubmitError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(String, api::ReceiptSummary), api::SubmitError>>,
{
    let mut outcome = attempt().await;
    let mut waited = false;
    for backoff_ms in [1_000u32, 3_000] {
        let delay_ms = match outcome {
            Err(api::SubmitError::Transient) => backoff_ms,
            Err(api::SubmitError::Wait(s)) if !waited && s <= MAX_WAIT_S => {
                waited = true;
                s * 1000
            }
            _ => break,
        };
        gloo_timers_sleep(delay_ms).await;
        outcome = attempt().await;
    }
    outcome
}

/// The longest `Retry-After` the widget waits out by itself; beyond, the person is told.
pub const MAX_WAIT_S: u32 = 10;

/// One ticked box as the host page sees it in `accord:change` and `Accord.getChoices()`.
#[derive(serde::Serialize)]
struct Tick<'a> {
    content_type: String,
    channel: &'a str,
}

/// Shows the edge's answer and, on success, tells the host page with the receipt, then offers
/// the person the receipt as an ISO/IEC TS 27560 consent record once the edge has made it.
pub async fn settle(
    form: &UseReducerDispatcher<Form>,
    host: &Option<Element>,
    lang: Lang,
    endpoint: &str,
    outcome: Result<(String, api::ReceiptSummary), api::SubmitError>,
) {
    match outcome {
        Ok((raw, summary)) => {
            let seq = summary.event.seq;
            form.dispatch(Action::Saved { seq, recorded_at: summary.event.recorded_at, receipt: raw.as_str().into() });
            announce(host, "accord:saved", &raw);
            if let Some(record) = api::record(endpoint, &summary.event.site, &raw, lang.code()).await {
                form.dispatch(Action::Record { seq, record: record.as_str().into() });
            }
        }
        Err(api::SubmitError::Transient) => form.dispatch(Action::Failed(t(lang, Key::Offline).to_owned())),
        Err(api::SubmitError::Refused(msg)) => form.dispatch(Action::Failed(msg)),
        Err(api::SubmitError::Wait(s)) => form.dispatch(Action::Failed(format!("{} ({s} s)", t(lang, Key::Busy)))),
    }
}

/// Waits without blocking the page.
async fn gloo_timers_sleep(ms: u32) {
    yew::platform::time::sleep(std::time::Duration::from_millis(u64::from(ms))).await;
}

/// The page the person is on; the edge keeps only its origin and path.
fn page_url() -> Option<String> {
    web_sys::window().and_then(|w| w.location().href().ok())
}

/// Tells the host page, with a DOM event that crosses the shadow boundary.
pub fn announce(host: &Option<Element>, name: &str, json: &str) {
    let Some(host) = host else { return };
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&js_sys::JSON::parse(json).unwrap_or(JsValue::NULL));
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = host.dispatch_event(&event);
    }
}
