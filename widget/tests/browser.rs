//! The widget's components in a real browser (headless Chromium through wasm-bindgen-test):
//! nothing starts ticked, and "refuse all" undoes "accept all" in one action.

#![cfg(target_arch = "wasm32")]

use std::rc::Rc;
use std::time::Duration;

use accord_core::config::{Lang, VersionedConfig};
use accord_widget::components::form::{ConsentForm, FormProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn config() -> Rc<VersionedConfig> {
    Rc::new(
        serde_json::from_value(serde_json::json!({
            "version": 1, "hash": "ab".repeat(32), "published_at": "2026-01-01T00:00:00.000Z",
            "config": {
                "site": "s", "controller": {"name": "Boutique", "contact": "dpo@boutique.example"},
                "privacy_policy_url": "https://boutique.example/p",
                "content_types": [
                    {"id": "offers", "label": {"fr": "Offres", "en": "Offers"}, "description": {"fr": "Promos", "en": "Deals"},
                     "commercial": true, "legal_basis": "consent", "channels": ["email", "sms"]},
                    {"id": "guides", "label": {"fr": "Guides", "en": "Guides"}, "description": {"fr": "Conseils", "en": "Tips"},
                     "commercial": true, "legal_basis": "consent", "channels": ["post"]}
                ]
            }
        }))
        .unwrap(),
    )
}

async fn render() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    accord_widget::i18n::install(accord_widget::i18n::texts(Lang::En));
    let props = FormProps {
        config: config(),
        site: "s".into(),
        endpoint: "http://127.0.0.1:9".into(),
        lang: Lang::En,
        host: Some(root.clone()),
        recorded: Rc::default(),
    };
    yew::Renderer::<ConsentForm>::with_root_and_props(root.clone(), props).render();
    yew::platform::time::sleep(Duration::from_millis(20)).await;
    root
}

fn boxes(root: &web_sys::Element) -> Vec<HtmlInputElement> {
    let list = root.query_selector_all("input[type=checkbox]").unwrap();
    (0..list.length()).map(|i| list.item(i).unwrap().dyn_into().unwrap()).collect()
}

fn click(root: &web_sys::Element, css: &str) {
    root.query_selector(css).unwrap().unwrap().dyn_into::<HtmlElement>().unwrap().click();
}

#[wasm_bindgen_test]
async fn renders_every_box_unticked_with_labels() {
    let root = render().await;
    let boxes = boxes(&root);
    assert_eq!(boxes.len(), 3);
    assert!(boxes.iter().all(|b| !b.checked()));
    for b in &boxes {
        let label = root.query_selector(&format!("label[for='{}']", b.id())).unwrap();
        assert!(label.is_some(), "checkbox {} has no label", b.id());
    }
    assert_eq!(root.query_selector_all("fieldset").unwrap().length(), 2);
    let accept = root.query_selector("button[data-action='accept-all']").unwrap().unwrap();
    assert_eq!(accept.text_content().as_deref(), Some("Accept all"), "the texts the view brought are shown");
}

#[wasm_bindgen_test]
async fn refuse_all_is_as_direct_as_accept_all() {
    let root = render().await;
    click(&root, "button[data-action='accept-all']");
    yew::platform::time::sleep(Duration::from_millis(20)).await;
    assert!(boxes(&root).iter().all(|b| b.checked()));
    // Without an email nothing is sent; the person is told why.
    let status = root.query_selector(".accord-status").unwrap().unwrap();
    assert_eq!(status.get_attribute("data-state").as_deref(), Some("error"));

    click(&root, "button[data-action='refuse-all']");
    yew::platform::time::sleep(Duration::from_millis(20)).await;
    assert!(boxes(&root).iter().all(|b| !b.checked()));

    // The two buttons are the same element with the same class: same size, same style.
    let accept = root.query_selector("button[data-action='accept-all']").unwrap().unwrap();
    let refuse = root.query_selector("button[data-action='refuse-all']").unwrap().unwrap();
    assert_eq!(accept.class_name(), refuse.class_name());
}

#[wasm_bindgen_test]
async fn a_click_ticks_exactly_one_box() {
    let root = render().await;
    click(&root, "input[data-content-type='offers'][data-channel='sms']");
    yew::platform::time::sleep(Duration::from_millis(20)).await;
    let ticked: Vec<String> = boxes(&root).iter().filter(|b| b.checked()).map(|b| b.id()).collect();
    assert_eq!(ticked, vec!["accord-offers-sms".to_owned()]);
}

/// The browser's JSON (through serde-wasm-bindgen) must read and write exactly what the edge's
/// serde_json does: the configuration in, the submission out.
#[wasm_bindgen_test]
fn browser_json_matches_the_edge_wire_format() {
    let shown = config();
    let text = serde_json::to_string(&*shown).unwrap();
    let read: VersionedConfig = accord_widget::json::parse(&text).unwrap();
    assert_eq!(read, *shown);
    assert!(accord_widget::json::parse::<VersionedConfig>("{\"version\": 1}").is_err(), "missing fields are refused");
    assert!(accord_widget::json::parse::<VersionedConfig>("not json").is_err());
    let mut altered: serde_json::Value = serde_json::from_str(&text).unwrap();
    altered["config"]["surprise"] = serde_json::json!(1);
    assert!(
        accord_widget::json::parse::<VersionedConfig>(&altered.to_string()).is_err(),
        "unknown fields are refused, as on the edge"
    );
    let mut altered: serde_json::Value = serde_json::from_str(&text).unwrap();
    altered["version"] = serde_json::json!(1.5);
    assert!(
        accord_widget::json::parse::<VersionedConfig>(&altered.to_string()).is_err(),
        "a fraction is not a version"
    );
    let mut altered: serde_json::Value = serde_json::from_str(&text).unwrap();
    altered["config"]["content_types"][0]["channels"] = serde_json::json!(["fax"]);
    assert!(
        accord_widget::json::parse::<VersionedConfig>(&altered.to_string()).is_err(),
        "an unknown channel is refused"
    );
    let big: u64 = accord_widget::json::parse("9007199254740991").unwrap();
    assert_eq!(big, 9_007_199_254_740_991, "integers up to 2^53 - 1 are exact");
    assert_eq!(accord_widget::json::parse::<Option<u32>>("null").unwrap(), None);
    assert_eq!(accord_widget::json::parse::<Vec<Option<bool>>>("[true, null]").unwrap(), vec![Some(true), None]);
    assert!(accord_widget::json::parse::<u8>("300").is_err(), "out of range");

    let mut form = accord_widget::state::Form::new(shown);
    form.email = "a@b.fr".into();
    let sent = form.submission(Some("/signup".into()), Lang::Fr);
    let wire = accord_widget::json::stringify(&sent).unwrap();
    let back: accord_core::submission::Submission = serde_json::from_str(&wire).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), serde_json::to_value(&sent).unwrap());
    let value: serde_json::Value = serde_json::from_str(&wire).unwrap();
    assert_eq!(value["config_version"], 1, "integers stay JSON numbers");
    assert_eq!(value["choices"].as_array().map(Vec::len), Some(3));
}

/// The loader's record of what the person did before hydration is read strictly: an entry
/// that is not exactly one known action is dropped, never guessed at.
#[wasm_bindgen_test]
fn the_loaders_record_is_read_strictly() {
    use accord_core::ids::Channel;
    use accord_widget::handover::{Press, Recorded, parse};
    let log = parse(
        r#"[{"toggle":["offers","sms"]},{"email":"a@b.fr"},{"press":"save"},{"press":"explode"},{"toggle":["x","fax"]},{"email":"x","press":"save"}]"#,
    );
    assert_eq!(
        log,
        vec![
            Recorded::Toggle(("offers".into(), Channel::Sms)),
            Recorded::Email("a@b.fr".into()),
            Recorded::Press(Press::Save)
        ]
    );
    assert!(parse("not json").is_empty());
}

/// The edge's answer (written with serde_json) reads back through the browser's JSON,
/// the person's recorded answers included.
#[wasm_bindgen_test]
fn the_edges_view_reads_back() {
    use accord_core::ids::Channel;
    let view = accord_widget::view::View {
        mode: "preferences".into(),
        lang: Lang::En,
        html: "<form></form>".into(),
        css: ".a{}".into(),
        saving: "Saving…".into(),
        texts: accord_widget::i18n::texts(Lang::En),
        config: Some((*config()).clone()),
        yes: vec![("offers".into(), Channel::Sms)],
        no: vec![("offers".into(), Channel::Email)],
    };
    let read: accord_widget::view::View = accord_widget::json::parse(&serde_json::to_string(&view).unwrap()).unwrap();
    assert_eq!(
        (read.mode.as_str(), read.lang, read.yes.clone(), read.no.clone()),
        ("preferences", Lang::En, view.yes.clone(), view.no.clone())
    );
    assert_eq!(read.config, view.config);
    assert_eq!(read.texts, view.texts);
}
