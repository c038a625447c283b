//! Site configuration: who the controller is, what people can opt in to, on which channels,
//! and how long things are kept.
//!
//! A configuration is immutable once published; a change publishes a new [`VersionedConfig`]
//! with the next version number. Events name the version and its hash, so the exact texts a
//! person saw can always be produced again.

use serde::{Deserialize, Serialize};

use crate::ids::{Channel, ContentTypeId, SiteId};
use crate::{Violation, Violations};

/// A text in every language the widget ships. French and English are both required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub fr: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }

    fn check(&self, field: &str, max: usize, lines: Lines, out: &mut Violations) {
        for (lang, s) in [("fr", &self.fr), ("en", &self.en)] {
            plain_text(&format!("{field}.{lang}"), s, max, lines, out);
        }
    }
}

/// Whether a text may span lines. One-line texts reach mail subject lines and headings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    One,
    Many,
}

/// Every configuration text: present, at most `max` characters, and free of control
/// characters (a line feed only where the text may span lines). Texts end up in message
/// subjects, HTML pages and signed events; a CR/LF or an escape sequence has no place there.
fn plain_text(field: &str, s: &str, max: usize, lines: Lines, out: &mut Violations) {
    if s.trim().is_empty() {
        out.push(Violation::new(field, "required", "must not be empty"));
    } else if s.chars().count() > max {
        out.push(Violation::new(field, "max_length", format!("must be at most {max} characters")));
    } else if s.chars().any(|c| c.is_control() && !(c == '\n' && lines == Lines::Many)) {
        let rule = if lines == Lines::Many {
            "no control characters other than line feeds"
        } else {
            "must be one line, without control characters"
        };
        out.push(Violation::new(field, "control_characters", rule));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// Every language this build speaks.
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The language to speak from a list in order of preference, comma-separated: an
    /// `Accept-Language` header (q-values honoured, `q=0` meaning "not this one") or the
    /// widget's `data-lang`, `<html lang>`, `navigator.languages`. A region falls back to its
    /// language (`en-GB` → `en`, `pt-BR` → `pt`); `None` when nothing listed is spoken.
    pub fn negotiate(list: &str) -> Option<Lang> {
        let mut best: Option<(Lang, u16)> = None;
        for part in list.split(',') {
            let mut fields = part.split(';');
            let tag = fields.next().unwrap_or("").trim();
            let q = fields.find_map(|f| f.trim().strip_prefix("q=")).map_or(Some(1000), parse_q);
            let primary = tag.split(['-', '_']).next().unwrap_or("");
            let (Some(q), Some(lang)) = (q, Lang::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(primary)))
            else {
                continue;
            };
            if q > 0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((lang, q));
            }
        }
        best.map(|(lang, _)| lang)
    }
}

/// A q-value in thousandths (`0.8` → 800); `None` when malformed.
fn parse_q(raw: &str) -> Option<u16> {
    let (int, frac) = raw.split_once('.').unwrap_or((raw, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let thousandths: u16 = format!("{frac:0<3}").parse().ok()?;
    (whole + thousandths <= 1000).then_some(whole + thousandths)
}

/// Why the controller may send this kind of message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// Prospects and anything without a prior relationship: an explicit, unticked opt-in.
    Consent,
    /// Existing customers, similar products ("soft opt-in"); they can object at any time.
    LegitimateInterest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Controller {
    pub name: String,
    /// Where people exercise their rights (an address or a URL).
    pub contact: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentType {
    pub id: ContentTypeId,
    pub label: Text,
    /// The purpose, as shown to the person at collection.
    pub description: Text,
    /// Commercial messages (offers, newsletters) versus service notices.
    pub commercial: bool,
    pub legal_basis: LegalBasis,
    /// Channels this content type may be sent on; one checkbox each.
    pub channels: Vec<Channel>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// Prospect data is kept this long after collection or the last real contact (CNIL: ≤ 36).
    pub prospect_months: u32,
    /// The single re-confirmation request goes out this many days before the limit.
    pub reconfirm_lead_days: u32,
    /// Consent proofs outlive the data they prove by this many years.
    pub proof_years: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Self { prospect_months: 36, reconfirm_lead_days: 30, proof_years: 5 }
    }
}

/// What a controller publishes. The edge assigns the version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub site: SiteId,
    pub controller: Controller,
    pub privacy_policy_url: String,
    /// Origins allowed to embed the widget and call the public API (CORS).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    #[serde(default)]
    pub default_lang: Lang,
    pub content_types: Vec<ContentType>,
    #[serde(default)]
    pub retention: Retention,
    /// Channels on which a yes only counts once confirmed through a link sent to the address.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub double_opt_in: Vec<Channel>,
    /// The site's own wording for the widget's headings, in both languages; the widget's
    /// defaults where absent. Purposes, legal bases and buttons are not overridable: their
    /// wording is what makes the form compliant.
    #[serde(default, skip_serializing_if = "WidgetTexts::is_empty")]
    pub widget_texts: WidgetTexts,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WidgetTexts {
    /// The signup form's heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    /// The sentence under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    /// The re-confirmation prompt's question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconfirm_title: Option<Text>,
}

impl WidgetTexts {
    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.intro.is_none() && self.reconfirm_title.is_none()
    }
}

/// A published configuration with its version and the SHA-256 of its canonical encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionedConfig {
    pub version: u32,
    /// Lowercase hex SHA-256 of the canonical JSON of `config`.
    pub hash: String,
    #[serde(with = "crate::time::millis")]
    pub published_at: chrono::DateTime<chrono::Utc>,
    pub config: SiteConfig,
}

impl SiteConfig {
    pub fn content_type(&self, id: &str) -> Option<&ContentType> {
        self.content_types.iter().find(|c| c.id.as_str() == id)
    }

    /// Every rule a configuration must satisfy, with messages a marketer can act on.
    pub fn validate(&self) -> Result<(), Violations> {
        let mut out = Violations::default();
        if self.controller.name.trim().is_empty() {
            out.push(Violation::new("controller.name", "required", "name the company responsible for the data"));
        } else {
            plain_text("controller.name", &self.controller.name, 200, Lines::One, &mut out);
        }
        if self.controller.contact.trim().is_empty() {
            out.push(Violation::new(
                "controller.contact",
                "required",
                "give an address or URL where people can exercise their rights",
            ));
        } else {
            plain_text("controller.contact", &self.controller.contact, 500, Lines::One, &mut out);
        }
        if let Err(v) = crate::web_url::https_or_loopback(&self.privacy_policy_url, "privacy_policy_url") {
            out.push(v);
        }
        for (i, origin) in self.allowed_origins.iter().enumerate() {
            if !crate::web_url::is_origin(origin) {
                out.push(Violation::new(
                    format!("allowed_origins[{i}]"),
                    "origin",
                    "must be an origin like https://shop.example (scheme, host, optional port; no path)",
                ));
            }
        }
        for (name, text, max, lines) in [
            ("title", &self.widget_texts.title, 120, Lines::One),
            ("intro", &self.widget_texts.intro, 600, Lines::Many),
            ("reconfirm_title", &self.widget_texts.reconfirm_title, 160, Lines::One),
        ] {
            if let Some(text) = text {
                text.check(&format!("widget_texts.{name}"), max, lines, &mut out);
            }
        }
        if self.content_types.is_empty() {
            out.push(Violation::new(
                "content_types",
                "required",
                "offer at least one kind of message people can opt in to",
            ));
        }
        for (i, ct) in self.content_types.iter().enumerate() {
            let at = format!("content_types[{i}]");
            if self.content_types[..i].iter().any(|o| o.id == ct.id) {
                out.push(Violation::new(
                    format!("{at}.id"),
                    "unique",
                    format!("'{}' is used by another content type", ct.id),
                ));
            }
            ct.label.check(&format!("{at}.label"), 120, Lines::One, &mut out);
            ct.description.check(&format!("{at}.description"), 1000, Lines::Many, &mut out);
            if ct.channels.is_empty() {
                out.push(Violation::new(
                    format!("{at}.channels"),
                    "required",
                    "offer this content type on at least one channel",
                ));
            }
            for (j, ch) in ct.channels.iter().enumerate() {
                if ct.channels[..j].contains(ch) {
                    out.push(Violation::new(
                        format!("{at}.channels[{j}]"),
                        "unique",
                        format!("'{ch}' is listed twice"),
                    ));
                }
            }
            if ct.legal_basis == LegalBasis::LegitimateInterest && !ct.commercial {
                out.push(Violation::new(
                    format!("{at}.legal_basis"),
                    "soft_opt_in_commercial_only",
                    "legitimate interest (soft opt-in) only applies to commercial messages about similar products",
                ));
            }
        }
        for (j, ch) in self.double_opt_in.iter().enumerate() {
            if self.double_opt_in[..j].contains(ch) {
                out.push(Violation::new(format!("double_opt_in[{j}]"), "unique", format!("'{ch}' is listed twice")));
            }
        }
        let r = &self.retention;
        if !(1..=36).contains(&r.prospect_months) {
            out.push(Violation::new(
                "retention.prospect_months",
                "range",
                "prospect data may be kept 1 to 36 months (CNIL: 3 years at most)",
            ));
        }
        if !(1..=10).contains(&r.proof_years) {
            out.push(Violation::new(
                "retention.proof_years",
                "range",
                "keep consent proofs 1 to 10 years (market norm: 5)",
            ));
        }
        if r.reconfirm_lead_days == 0 || r.reconfirm_lead_days >= r.prospect_months.saturating_mul(30) {
            out.push(Violation::new(
                "retention.reconfirm_lead_days",
                "range",
                "the re-confirmation request must go out at least a day before, and within, the retention period",
            ));
        }
        out.into_result(())
    }
}

#[cfg(feature = "proof")]
impl VersionedConfig {
    /// Publishes `config` as `version`; the caller has validated it.
    pub fn publish(config: SiteConfig, version: u32, now: chrono::DateTime<chrono::Utc>) -> Self {
        let hash = crate::digest::sha256_hex(&crate::canonical::to_canonical_json(&config));
        Self { version, hash, published_at: crate::time::truncate_to_millis(now), config }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn sample() -> SiteConfig {
        serde_json::from_value(serde_json::json!({
            "site": "demo-shop",
            "controller": {"name": "La Boutique SAS", "contact": "dpo@boutique.example"},
            "privacy_policy_url": "https://boutique.example/confidentialite",
            "allowed_origins": ["https://boutique.example", "http://127.0.0.1:8080"],
            "content_types": [
                {"id": "special_offers", "label": {"fr": "Offres", "en": "Offers"},
                 "description": {"fr": "Promotions", "en": "Promotions"},
                 "commercial": true, "legal_basis": "consent", "channels": ["email", "sms"]},
                {"id": "service_updates", "label": {"fr": "Service", "en": "Service"},
                 "description": {"fr": "Infos de service", "en": "Service notices"},
                 "commercial": false, "legal_basis": "consent", "channels": ["email"]}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn widget_texts_are_optional_checked_and_absent_from_the_hash_when_unset() {
        let plain = sample();
        assert!(
            !serde_json::to_string(&plain).unwrap().contains("widget_texts"),
            "older configurations keep their hash"
        );
        let mut c = sample();
        c.widget_texts.title = Some(Text { fr: "Restez en contact".into(), en: "Stay in touch".into() });
        assert!(c.validate().is_ok());
        c.widget_texts.intro = Some(Text { fr: " ".into(), en: "x".repeat(601) });
        let v = c.validate().unwrap_err();
        let got: Vec<(&str, &str)> = v.0.iter().map(|v| (v.field.as_str(), v.rule.as_str())).collect();
        assert_eq!(got, vec![("widget_texts.intro.fr", "required"), ("widget_texts.intro.en", "max_length")]);
        assert!(
            serde_json::from_value::<SiteConfig>(
                serde_json::json!({"widget_texts": {"button": {"fr": "x", "en": "x"}}})
            )
            .is_err()
        );
    }

    #[test]
    fn sample_is_valid_with_default_retention() {
        let c = sample();
        c.validate().unwrap();
        assert_eq!(c.retention, Retention::default());
    }

    #[test]
    fn violations_name_the_field_and_rule() {
        let mut c = sample();
        c.content_types[1].id = c.content_types[0].id.clone();
        c.content_types[0].channels.push(Channel::Email);
        c.content_types[0].label.en.clear();
        c.privacy_policy_url = "http://boutique.example/p".into();
        c.retention.prospect_months = 48;
        c.allowed_origins.push("https://x.example/path".into());
        let errs = c.validate().unwrap_err().0;
        let got: Vec<(&str, &str)> = errs.iter().map(|v| (v.field.as_str(), v.rule.as_str())).collect();
        for want in [
            ("content_types[1].id", "unique"),
            ("content_types[0].channels[2]", "unique"),
            ("content_types[0].label.en", "required"),
            ("privacy_policy_url", "https_url"),
            ("retention.prospect_months", "range"),
            ("allowed_origins[2]", "origin"),
        ] {
            assert!(got.contains(&want), "missing {want:?} in {got:?}");
        }
    }

    #[test]
    fn languages_are_negotiated_as_browsers_and_servers_do() {
        assert_eq!(Lang::negotiate("fr-FR,fr;q=0.9,en;q=0.8"), Some(Lang::Fr));
        assert_eq!(
            Lang::negotiate("de-DE,en-GB;q=0.7,fr;q=0.3"),
            Some(Lang::En),
            "the first spoken by q, regions fall back"
        );
        assert_eq!(Lang::negotiate("fr;q=0.2, en;q=0.9"), Some(Lang::En), "q-values, not order");
        assert_eq!(Lang::negotiate("en;q=0, fr;q=0.1"), Some(Lang::Fr), "q=0 refuses");
        assert_eq!(Lang::negotiate("EN_us"), Some(Lang::En));
        assert_eq!(Lang::negotiate("en,fr"), Some(Lang::En), "equal weights: the first");
        assert_eq!(Lang::negotiate("de,pl;q=0.5"), None);
        assert_eq!(Lang::negotiate("fr;q=2,en;q=abc"), None, "malformed q-values count for nothing");
        assert_eq!(Lang::negotiate(""), None);
    }

    #[test]
    fn texts_are_capped_and_free_of_control_characters() {
        let mut c = sample();
        c.controller.name = "Boutique\r\nBcc: victim@example.com".into();
        c.controller.contact = "x".repeat(501);
        c.content_types[0].label.fr = "Offres\u{1b}[31m".into();
        c.content_types[0].description.en = "First line.\nSecond line.".into();
        let got: Vec<(String, String)> = c.validate().unwrap_err().0.into_iter().map(|v| (v.field, v.rule)).collect();
        let want = [
            ("controller.name", "control_characters"),
            ("controller.contact", "max_length"),
            ("content_types[0].label.fr", "control_characters"),
        ];
        assert_eq!(got, want.map(|(f, r)| (f.to_owned(), r.to_owned())));
        c.controller.name = "n".repeat(201);
        assert_eq!(c.validate().unwrap_err().0[0].rule, "max_length");
    }

    #[test]
    fn soft_opt_in_is_for_commercial_messages_only() {
        let mut c = sample();
        c.content_types[1].legal_basis = LegalBasis::LegitimateInterest;
        let errs = c.validate().unwrap_err().0;
        assert_eq!(errs[0].rule, "soft_opt_in_commercial_only");
    }
}
