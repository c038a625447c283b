//! Small HTML pages the edge serves to people (unsubscribe, confirmation): maud templates, so
//! every value is escaped unless a template says otherwise; one stylesheet allowed by hash, no
//! script, no framing, forms posting only back to the edge.

use base64::Engine as _;
use maud::{DOCTYPE, Markup, PreEscaped};
use sha2::{Digest, Sha256};

use crate::http::ApiResponse;

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff;max-width:36rem;margin:2rem auto;padding:0 1rem}\
button{font:inherit;font-weight:600;min-height:44px;padding:.5rem 1rem;margin:.25rem 0;border:2px solid #1d4f91;border-radius:4px;background:#1d4f91;color:#fff;cursor:pointer;width:100%}\
button.secondary{background:#fff;color:#1d4f91}a{color:#1d4f91}:focus-visible{outline:3px solid #b35900;outline-offset:2px}";

/// A complete page around `body`; every value in a page is escaped by its template (maud).
pub fn html(status: u16, lang: accord_core::config::Lang, title: &str, body: Markup) -> ApiResponse {
    document(status, lang, title, body, None)
}

/// A page that runs one module script of this origin (`src`), which may compile WebAssembly
/// and call this origin only.
pub fn with_script(lang: accord_core::config::Lang, title: &str, body: Markup, src: &str) -> ApiResponse {
    document(200, lang, title, body, Some(src))
}

fn document(
    status: u16,
    lang: accord_core::config::Lang,
    title: &str,
    body: Markup,
    script: Option<&str>,
) -> ApiResponse {
    let style_hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    let doc = maud::html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) }
                style { (PreEscaped(STYLE)) }
                @if let Some(src) = script { script type="module" src=(src) {} }
            }
            body { main { (body) } }
        }
    };
    ApiResponse {
        status,
        headers: vec![
            ("content-type".into(), "text/html; charset=utf-8".into()),
            ("cache-control".into(), "no-store".into()),
            ("x-content-type-options".into(), "nosniff".into()),
            ("referrer-policy".into(), "no-referrer".into()),
            (
                "content-security-policy".into(),
                match script {
                    None => format!(
                        "default-src 'none'; style-src 'sha256-{style_hash}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
                    ),
                    Some(_) => format!(
                        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'sha256-{style_hash}'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
                    ),
                },
            ),
        ],
        body: doc.into_string().into_bytes(),
        precompressed: false,
    }
}

/// The language to answer in: the person's browser if we speak it (`Accept-Language`, with
/// its q-values), else the site's.
pub fn lang(accept_language: Option<&str>, site_default: accord_core::config::Lang) -> accord_core::config::Lang {
    accord_core::config::Lang::negotiate(accept_language.unwrap_or("")).unwrap_or(site_default)
}

/// A channel's name in a page's sentence.
pub fn channel_label(lang: accord_core::config::Lang, ch: accord_core::ids::Channel) -> &'static str {
    use accord_core::config::Lang;
    use accord_core::ids::Channel;
    match (lang, ch) {
        (Lang::Fr, Channel::Email) => "e-mail",
        (Lang::En, Channel::Email) => "email",
        (_, Channel::Sms) => "SMS",
        (Lang::Fr, Channel::Phone) => "téléphone",
        (Lang::En, Channel::Phone) => "phone",
        (Lang::Fr, Channel::Post) => "courrier",
        (Lang::En, Channel::Post) => "post",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_sends_strict_headers() {
        let name = "<a href=\"x\">&";
        let page = html(200, accord_core::config::Lang::Fr, "T<", maud::html! { p { (name) } });
        let csp = page.header_value("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"));
        let text = String::from_utf8(page.body).unwrap();
        assert!(text.starts_with("<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">"), "{text}");
        assert!(text.contains("<title>T&lt;</title>"), "{text}");
        assert!(text.contains("<main><p>&lt;a href=&quot;x&quot;&gt;&amp;</p></main>"), "{text}");
    }

    #[test]
    fn language_from_the_browser_then_the_site() {
        use accord_core::config::Lang;
        assert_eq!(lang(Some("en-GB,en;q=0.9"), Lang::Fr), Lang::En);
        assert_eq!(lang(Some("de-DE, fr;q=0.5"), Lang::En), Lang::Fr);
        assert_eq!(lang(None, Lang::Fr), Lang::Fr);
    }
}
