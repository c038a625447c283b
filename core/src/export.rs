//! A signed receipt turned into a consent record a person can be handed and read.
//!
//! The record follows the information structure of ISO/IEC TS 27560:2023 (consent record
//! information structure) and spells its members with the Kantara Initiative Consent Receipt
//! Specification v1.1.0 names wherever Kantara has the field, so existing Kantara readers
//! understand it. Members Kantara lacks take the ISO field name in camelCase.
//!
//! Sources for the names (nothing here is invented unless its doc comment says so):
//! - Kantara Consent Receipt Specification v1.1.0 (2018-02-20),
//!   <https://kantarainitiative.org/file-downloads/consent-receipt-specification-v1-1-0/>, and
//!   the specification's own JSON example (`KI-CR-v1.1.0`, "Ankh-Morpork Times"), with the
//!   Appendix purpose and PII category lists as implemented in
//!   `adaptant-labs/consent-receipt-dart` (`purpose_specification.dart`, `data_categories.dart`).
//! - ISO/IEC TS 27560:2023 field names (`schema_version`, `record_id`, `pii_principal_id`,
//!   `privacy_notice`, `language`, `lawful_basis`, `pii_type`, `retention_period`,
//!   `event_time`, `event_type`, `event_state`, ...) as mapped in the W3C DPVCG report
//!   "Consent Records and Receipts as per ISO/IEC TS 27560:2023 using DPV" (2024-08-01),
//!   <https://w3id.org/dpv/guides/consent-27560>, section 7.3, whose consent states and
//!   personal data types (DPV, <https://w3id.org/dpv>) give the values of `eventState` and
//!   `piiType`.
//!
//! Where the two overlap: Kantara `version` is ISO `schema_version`, `consentReceiptID` is
//! `record_id`, `piiPrincipalId` is `pii_principal_id`, `piiControllers` is `pii_controllers`,
//! `collectionMethod` is how the event arrived, `consentType` is ISO `event_type` and
//! `termination` carries ISO `withdrawal_method`.
//!
//! The original signed receipt travels inside the record (`accordProof`) unchanged, so the
//! person's copy verifies with the published keys exactly as the receipt does.
//!
//! Only consent events are exported: they are the ones that name the configuration (and so the
//! texts) the person saw. Withdrawals, confirmations, lapses and the other kinds name none, and
//! their signed receipts stand on their own.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::chain::event_hash;
use crate::config::{ContentType, Controller, Lang, LegalBasis, SiteConfig, VersionedConfig};
use crate::event::{Choice, EventBody, Method};
use crate::ids::{Channel, SubjectId};
use crate::keys::Jwks;
use crate::receipt::Receipt;

/// Kantara `version`: the specification this record's header follows.
pub const KANTARA_VERSION: &str = "KI-CR-v1.1.0";

/// Kantara `jurisdiction`. A fixed value rather than a parameter: Accord serves controllers
/// under the GDPR, and a site configuration names no country, so naming a member state would
/// be a guess. Kantara allows free text where no single country code applies.
pub const JURISDICTION: &str = "EU";

/// One consent event (one receipt) as a record for the person it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentRecord {
    pub version: String,
    pub jurisdiction: String,
    /// Kantara requires an integer: Unix seconds of the server time the event was recorded.
    pub consent_timestamp: i64,
    pub collection_method: Method,
    /// An RFC 9562 version 8 UUID derived from the event hash, so the same event always has
    /// the same id and the core needs no randomness.
    #[serde(rename = "consentReceiptID")]
    pub consent_receipt_id: String,
    /// The published key that signed `accordProof`; empty until [`ConsentRecord::with_public_key`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Language of this copy's texts; the language the notice was shown in is
    /// `privacyNotice.language`, which may differ.
    pub language: Lang,
    /// The pseudonymous subject id, never the address: the ledger does not hold one.
    pub pii_principal_id: SubjectId,
    pub pii_controllers: Vec<PiiController>,
    pub policy_url: String,
    /// One service per content type answered, in the order the widget showed them.
    pub services: Vec<Service>,
    /// Contact details are not special-category data (GDPR Art. 9).
    pub sensitive: bool,
    pub spi_cat: Vec<String>,
    /// ISO `event_time`, to the millisecond (Kantara's `consentTimestamp` drops them).
    #[serde(with = "crate::time::millis")]
    pub event_time: DateTime<Utc>,
    pub privacy_notice: PrivacyNotice,
    /// Accord's own member: the signed receipt, verbatim (its members stay snake_case because
    /// the signature covers the event's canonical JSON).
    pub accord_proof: Receipt,
}

/// Kantara `piiControllers[]` entry. Kantara also lists `address`, `phone` and `onBehalf`; a
/// site configuration has no such data, so they are left out rather than filled with blanks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PiiController {
    pub pii_controller: String,
    /// Where the person exercises their rights, as the controller published it.
    pub contact: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pii_controller_url: Option<String>,
}

/// Kantara `services[]` entry: a content type, named by the label the person saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub service: String,
    pub purposes: Vec<Purpose>,
}

/// One box of the grid: a content type on one channel, with the answer given to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Purpose {
    /// The description shown next to the box.
    pub purpose: String,
    /// Kantara Appendix purpose category, e.g. `6 - Marketing`.
    pub purpose_category: Vec<String>,
    pub consent_type: ConsentType,
    /// Kantara Appendix PII category: always `2 - Contact`; `piiType` says which contact.
    pub pii_category: Vec<String>,
    /// Every box can be refused without losing the service, so none is primary.
    pub primary_purpose: bool,
    /// How this answer ends: withdrawal (or objection) and where to send it.
    pub termination: String,
    /// A configuration names no recipient: messages come from the controller itself.
    pub third_party_disclosure: bool,
    /// ISO `lawful_basis`, as recorded in the signed event (GDPR Art. 6(1)(a) or (f)).
    pub lawful_basis: LegalBasis,
    pub pii_type: PiiType,
    pub retention_period: String,
    pub event_state: ConsentState,
    /// Accord's own member, named as in the signed event: a yes on a double opt-in channel that
    /// does not count until the person confirms through the link sent to them. Neither
    /// standard can say "given but not yet effective".
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub pending: bool,
    /// Accord's own member: neither standard has a field for the channel a purpose is sent
    /// on, and `piiType` cannot tell SMS from phone calls.
    pub channel: Channel,
}

/// Kantara `consentType`, which is also ISO `event_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsentType {
    /// An unticked box the person acted on; a refusal is just as explicit.
    #[serde(rename = "EXPLICIT")]
    Explicit,
    /// Legitimate interest (soft opt-in) is not consent. `N/A` is the value Kantara readers
    /// use for this (consent-receipt-dart's `ConsentType.notApplicable`).
    #[serde(rename = "N/A")]
    NotApplicable,
}

/// ISO `event_state`, named by the DPV consent status concepts. A consent event only ever
/// says yes or no; withdrawal and lapse are events of their own kind. A "no" that unticks an
/// earlier "yes" reads as a refusal here: only the subject's history shows it withdrew one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsentState {
    ConsentGiven,
    ConsentRefused,
}

/// ISO `pii_type`, named by the DPV personal data concepts (`pd:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PiiType {
    EmailAddress,
    TelephoneNumber,
    PhysicalAddress,
}

/// ISO `privacy_notice`: which published configuration (and so which texts) the person saw.
/// The notice's URL is Kantara's top-level `policyUrl`. Member names are ours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivacyNotice {
    pub version: u32,
    /// Lowercase hex SHA-256 of the configuration's canonical JSON.
    pub sha256: String,
    /// ISO notice `language`: the language the widget was shown in.
    pub language: Lang,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("a {0} event names no configuration; only consent events are exported")]
    NotConsent(&'static str),
    #[error(
        "the receipt names configuration version {receipt_version} ({receipt_hash}), not the version {shown_version} ({shown_hash}) given"
    )]
    NotShownConfig { receipt_version: u32, receipt_hash: String, shown_version: u32, shown_hash: String },
    #[error("the receipt's event_hash does not match its event")]
    EventHash,
    #[error("content type '{0}' is not in the configuration")]
    UnknownContentType(String),
}

/// Builds the record for `receipt`, with texts in `lang`, from the configuration it names.
///
/// `shown` must be the very version the event was captured against (same version and hash):
/// any other version may word things differently, and the record would misstate what the
/// person agreed to. The stored hash is trusted as published rather than recomputed, because a
/// configuration field added later with a default would change the bytes of an old version.
/// The signature is not checked here (that needs the key set); `accordProof` lets anyone do it.
pub fn consent_record(receipt: &Receipt, shown: &VersionedConfig, lang: Lang) -> Result<ConsentRecord, ExportError> {
    let EventBody::Consent { choices, config_version, config_hash, collection } = &receipt.event.body else {
        return Err(ExportError::NotConsent(receipt.event.body.kind()));
    };
    check_notice(*config_version, config_hash, shown)?;
    let hash = event_hash(&receipt.event);
    if hash != receipt.event_hash {
        return Err(ExportError::EventHash);
    }
    let event = &receipt.event;
    let config = &shown.config;
    Ok(ConsentRecord {
        version: KANTARA_VERSION.into(),
        jurisdiction: JURISDICTION.into(),
        consent_timestamp: event.recorded_at.timestamp(),
        collection_method: event.method,
        consent_receipt_id: uuid_v8(&hash),
        public_key: None,
        language: lang,
        pii_principal_id: event.subject.clone(),
        pii_controllers: vec![pii_controller(&config.controller)],
        policy_url: config.privacy_policy_url.clone(),
        services: services(choices, config, lang)?,
        sensitive: false,
        spi_cat: Vec::new(),
        event_time: event.recorded_at,
        privacy_notice: PrivacyNotice { version: shown.version, sha256: shown.hash.clone(), language: collection.lang },
        accord_proof: receipt.clone(),
    })
}

impl ConsentRecord {
    /// Fills Kantara `publicKey` with the base64url Ed25519 key (JWK `x`) that signed
    /// `accordProof`, if `keys` has it. The edge holds the key set; the core does not.
    pub fn with_public_key(mut self, keys: &Jwks) -> Self {
        self.public_key = keys.find(&self.accord_proof.kid).map(|k| k.x.clone());
        self
    }
}

fn check_notice(version: u32, hash: &str, shown: &VersionedConfig) -> Result<(), ExportError> {
    if version == shown.version && hash == shown.hash {
        return Ok(());
    }
    Err(ExportError::NotShownConfig {
        receipt_version: version,
        receipt_hash: hash.to_owned(),
        shown_version: shown.version,
        shown_hash: shown.hash.clone(),
    })
}

/// `hash` is a verified 64-digit lowercase hex digest; its first 122 bits fill the UUID.
fn uuid_v8(hash: &str) -> String {
    let mut hex: Vec<char> = hash[..32].chars().collect();
    hex[12] = '8';
    let variant = (hex[16].to_digit(16).unwrap_or(0) & 0x3) | 0x8;
    hex[16] = char::from_digit(variant, 16).unwrap_or('8');
    let s: String = hex.into_iter().collect();
    format!("{}-{}-{}-{}-{}", &s[..8], &s[8..12], &s[12..16], &s[16..20], &s[20..])
}

fn pii_controller(c: &Controller) -> PiiController {
    let is_url = c.contact.starts_with("https://") || c.contact.starts_with("http://");
    let is_email = !is_url && c.contact.contains('@');
    PiiController {
        pii_controller: c.name.clone(),
        contact: c.contact.clone(),
        email: is_email.then(|| c.contact.clone()),
        pii_controller_url: is_url.then(|| c.contact.clone()),
    }
}

fn services(choices: &[Choice], config: &SiteConfig, lang: Lang) -> Result<Vec<Service>, ExportError> {
    if let Some(c) = choices.iter().find(|c| config.content_type(c.content_type.as_str()).is_none()) {
        return Err(ExportError::UnknownContentType(c.content_type.to_string()));
    }
    let services = config
        .content_types
        .iter()
        .filter_map(|ct| {
            let purposes: Vec<Purpose> =
                choices.iter().filter(|c| c.content_type == ct.id).map(|c| purpose(c, ct, config, lang)).collect();
            (!purposes.is_empty()).then(|| Service { service: ct.label.get(lang).to_owned(), purposes })
        })
        .collect();
    Ok(services)
}

fn purpose(choice: &Choice, ct: &ContentType, config: &SiteConfig, lang: Lang) -> Purpose {
    Purpose {
        purpose: ct.description.get(lang).to_owned(),
        purpose_category: vec![purpose_category(ct).into()],
        consent_type: consent_type(choice.legal_basis),
        pii_category: vec!["2 - Contact".into()],
        primary_purpose: false,
        termination: termination(choice.legal_basis, &config.controller.contact, lang),
        third_party_disclosure: false,
        lawful_basis: choice.legal_basis,
        pii_type: pii_type(choice.channel),
        retention_period: retention_period(config.retention.prospect_months, lang),
        event_state: if choice.granted { ConsentState::ConsentGiven } else { ConsentState::ConsentRefused },
        pending: choice.pending,
        channel: choice.channel,
    }
}

/// Service notices go with a service the person uses, hence "Contracted Service".
fn purpose_category(ct: &ContentType) -> &'static str {
    if ct.commercial { "6 - Marketing" } else { "2 - Contracted Service" }
}

fn consent_type(basis: LegalBasis) -> ConsentType {
    match basis {
        LegalBasis::Consent => ConsentType::Explicit,
        LegalBasis::LegitimateInterest => ConsentType::NotApplicable,
    }
}

fn pii_type(channel: Channel) -> PiiType {
    match channel {
        Channel::Email => PiiType::EmailAddress,
        Channel::Sms | Channel::Phone => PiiType::TelephoneNumber,
        Channel::Post => PiiType::PhysicalAddress,
    }
}

/// Consent is withdrawn, legitimate interest is objected to (GDPR Art. 7(3) and 21).
fn termination(basis: LegalBasis, contact: &str, lang: Lang) -> String {
    match (basis, lang) {
        (LegalBasis::Consent, Lang::Fr) => {
            format!("Jusqu'au retrait de votre consentement, possible à tout moment auprès de {contact}")
        }
        (LegalBasis::Consent, Lang::En) => {
            format!("Until you withdraw your consent, which you can do at any time via {contact}")
        }
        (LegalBasis::LegitimateInterest, Lang::Fr) => {
            format!("Jusqu'à votre opposition, possible à tout moment auprès de {contact}")
        }
        (LegalBasis::LegitimateInterest, Lang::En) => {
            format!("Until you object, which you can do at any time via {contact}")
        }
    }
}

fn retention_period(months: u32, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("{months} mois après la collecte ou le dernier contact"),
        Lang::En => format!("{months} months after collection or the last contact"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::GENESIS_HASH;
    use crate::event::{CollectionPoint, EventDraft};
    use crate::ids::{ContentTypeId, SiteId};
    use crate::keys::SigningKey;

    fn shown() -> VersionedConfig {
        let config: SiteConfig = serde_json::from_value(serde_json::json!({
            "site": "demo-shop",
            "controller": {"name": "La Boutique SAS", "contact": "dpo@boutique.example"},
            "privacy_policy_url": "https://boutique.example/confidentialite",
            "allowed_origins": ["https://boutique.example"],
            "content_types": [
                {"id": "special_offers",
                 "label": {"fr": "Offres spéciales", "en": "Special offers"},
                 "description": {"fr": "Nos promotions, une fois par semaine", "en": "Our promotions, once a week"},
                 "commercial": true, "legal_basis": "consent", "channels": ["email", "sms"]},
                {"id": "product_guides",
                 "label": {"fr": "Guides produits", "en": "Product guides"},
                 "description": {"fr": "Conseils sur vos achats", "en": "Tips about your purchases"},
                 "commercial": true, "legal_basis": "legitimate_interest", "channels": ["email", "post"]},
                {"id": "service_updates",
                 "label": {"fr": "Infos de service", "en": "Service notices"},
                 "description": {"fr": "Changements de nos conditions", "en": "Changes to our terms"},
                 "commercial": false, "legal_basis": "consent", "channels": ["email"]}
            ]
        }))
        .unwrap();
        config.validate().unwrap();
        VersionedConfig::publish(config, 3, DateTime::from_timestamp(1_699_000_000, 0).unwrap())
    }

    fn key() -> SigningKey {
        SigningKey::from_seed("k1", [9; 32]).unwrap()
    }

    fn choice(ct: &str, channel: Channel, granted: bool, legal_basis: LegalBasis) -> Choice {
        Choice {
            content_type: ContentTypeId::parse(ct).unwrap(),
            channel,
            granted,
            legal_basis,
            pending: false,
            contact: None,
        }
    }

    fn receipt_with(shown: &VersionedConfig, method: Method, choices: Vec<Choice>) -> Receipt {
        let event = EventDraft {
            site: SiteId::parse("demo-shop").unwrap(),
            subject: SubjectId::from_digest(&[0x5a; 16]),
            method,
            body: EventBody::Consent {
                choices,
                config_version: shown.version,
                config_hash: shown.hash.clone(),
                collection: CollectionPoint {
                    page: Some("https://boutique.example/inscription".into()),
                    widget_build: Some("0.1.0".into()),
                    lang: Lang::Fr,
                    gpc: false,
                    source: None,
                    original_date: None,
                },
            },
        }
        .seal(10, 7, GENESIS_HASH.to_owned(), DateTime::from_timestamp(1_700_000_123, 456_000_000).unwrap());
        Receipt::sign(event, &key())
    }

    /// The whole grid of [`shown`], answered in the widget: two yes, three no.
    fn receipt(shown: &VersionedConfig) -> Receipt {
        receipt_with(
            shown,
            Method::Widget,
            vec![
                choice("special_offers", Channel::Email, true, LegalBasis::Consent),
                choice("special_offers", Channel::Sms, false, LegalBasis::Consent),
                choice("product_guides", Channel::Email, false, LegalBasis::LegitimateInterest),
                choice("product_guides", Channel::Post, true, LegalBasis::LegitimateInterest),
                choice("service_updates", Channel::Email, false, LegalBasis::Consent),
            ],
        )
    }

    #[test]
    fn header_names_controller_subject_and_notice() {
        let shown = shown();
        let r = receipt(&shown);
        let rec = consent_record(&r, &shown, Lang::En).unwrap();

        assert_eq!(rec.version, "KI-CR-v1.1.0");
        assert_eq!(rec.jurisdiction, "EU");
        assert_eq!(rec.consent_timestamp, 1_700_000_123);
        assert_eq!(crate::time::format(&rec.event_time), "2023-11-14T22:15:23.456Z");
        assert_eq!(rec.collection_method, Method::Widget);
        assert_eq!(rec.pii_principal_id.as_str(), format!("sub_{}", "5a".repeat(16)));
        assert_eq!(
            rec.pii_controllers,
            vec![PiiController {
                pii_controller: "La Boutique SAS".into(),
                contact: "dpo@boutique.example".into(),
                email: Some("dpo@boutique.example".into()),
                pii_controller_url: None,
            }]
        );
        assert_eq!(rec.policy_url, "https://boutique.example/confidentialite");
        assert_eq!(rec.privacy_notice, PrivacyNotice { version: 3, sha256: shown.hash.clone(), language: Lang::Fr });
        assert!(!rec.sensitive && rec.spi_cat.is_empty());
        assert_eq!(
            (rec.accord_proof.event_hash.as_str(), rec.accord_proof.kid.as_str()),
            (r.event_hash.as_str(), "k1")
        );
        assert_eq!(rec.accord_proof.signature, r.signature);
    }

    #[test]
    fn receipt_id_is_a_stable_uuid_v8_of_the_event() {
        let shown = shown();
        let r = receipt(&shown);
        let id = consent_record(&r, &shown, Lang::Fr).unwrap().consent_receipt_id;
        assert_eq!(id, consent_record(&r, &shown, Lang::En).unwrap().consent_receipt_id);
        assert_eq!(id.len(), 36);
        assert_eq!(id.split('-').map(str::len).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        assert_eq!(&id[14..15], "8");
        assert!("89ab".contains(&id[19..20]));
        assert_eq!(&id[..8], &r.event_hash[..8]);
    }

    #[test]
    fn every_box_is_a_purpose_with_its_basis_and_answer() {
        let shown = shown();
        let rec = consent_record(&receipt(&shown), &shown, Lang::En).unwrap();
        let names: Vec<&str> = rec.services.iter().map(|s| s.service.as_str()).collect();
        assert_eq!(names, ["Special offers", "Product guides", "Service notices"]);

        let boxes: Vec<(Channel, LegalBasis, ConsentType, ConsentState, PiiType)> = rec
            .services
            .iter()
            .flat_map(|s| &s.purposes)
            .map(|p| (p.channel, p.lawful_basis, p.consent_type, p.event_state, p.pii_type))
            .collect();
        use {ConsentState::*, ConsentType::*, LegalBasis::*, PiiType::*};
        assert_eq!(
            boxes,
            [
                (Channel::Email, Consent, Explicit, ConsentGiven, EmailAddress),
                (Channel::Sms, Consent, Explicit, ConsentRefused, TelephoneNumber),
                (Channel::Email, LegitimateInterest, NotApplicable, ConsentRefused, EmailAddress),
                (Channel::Post, LegitimateInterest, NotApplicable, ConsentGiven, PhysicalAddress),
                (Channel::Email, Consent, Explicit, ConsentRefused, EmailAddress),
            ]
        );

        let offers = &rec.services[0].purposes[0];
        assert_eq!(offers.purpose_category, ["6 - Marketing"]);
        assert_eq!(offers.pii_category, ["2 - Contact"]);
        assert!(!offers.primary_purpose && !offers.third_party_disclosure);
        assert_eq!(rec.services[2].purposes[0].purpose_category, ["2 - Contracted Service"]);
    }

    #[test]
    fn texts_follow_the_requested_language() {
        let shown = shown();
        let r = receipt(&shown);
        let fr = consent_record(&r, &shown, Lang::Fr).unwrap();
        let en = consent_record(&r, &shown, Lang::En).unwrap();
        assert_eq!((fr.language, en.language), (Lang::Fr, Lang::En));
        // What was shown does not change with the language of the copy.
        assert_eq!(fr.privacy_notice, en.privacy_notice);

        let (f, e) = (&fr.services[0], &en.services[0]);
        assert_eq!((f.service.as_str(), e.service.as_str()), ("Offres spéciales", "Special offers"));
        assert_eq!(f.purposes[0].purpose, "Nos promotions, une fois par semaine");
        assert_eq!(e.purposes[0].purpose, "Our promotions, once a week");
        assert_eq!(f.purposes[0].retention_period, "36 mois après la collecte ou le dernier contact");
        assert_eq!(e.purposes[0].retention_period, "36 months after collection or the last contact");
        assert!(f.purposes[0].termination.starts_with("Jusqu'au retrait de votre consentement"));
        assert!(e.purposes[0].termination.ends_with("via dpo@boutique.example"));
        assert!(en.services[1].purposes[0].termination.starts_with("Until you object"));
        assert!(fr.services[1].purposes[0].termination.starts_with("Jusqu'à votre opposition"));
    }

    #[test]
    fn only_answered_content_types_appear_and_an_unconfirmed_yes_says_so() {
        let mut config = shown().config;
        config.double_opt_in = vec![Channel::Email];
        let shown = VersionedConfig::publish(config, 4, DateTime::from_timestamp(1_699_500_000, 0).unwrap());
        let mut yes = choice("special_offers", Channel::Email, true, LegalBasis::Consent);
        yes.pending = true;
        let r = receipt_with(&shown, Method::Api, vec![yes]);

        let rec = consent_record(&r, &shown, Lang::En).unwrap();
        assert_eq!(rec.collection_method, Method::Api);
        assert_eq!(rec.privacy_notice.version, 4);
        assert_eq!(rec.services.len(), 1);
        let p = &rec.services[0].purposes[0];
        assert_eq!((p.event_state, p.pending), (ConsentState::ConsentGiven, true));
        assert_eq!(serde_json::to_value(p).unwrap()["pending"], true);

        let settled = consent_record(&receipt(&self::shown()), &self::shown(), Lang::En).unwrap();
        assert!(serde_json::to_value(&settled.services[0].purposes[0]).unwrap().get("pending").is_none());
    }

    #[test]
    fn other_event_kinds_name_no_configuration_and_are_not_exported() {
        let shown = shown();
        let mut r = receipt(&shown);
        r.event.body = EventBody::Withdrawal { scope: crate::event::Scope::All };
        let r = Receipt::sign(r.event, &key());
        assert_eq!(consent_record(&r, &shown, Lang::Fr), Err(ExportError::NotConsent("withdrawal")));
    }

    #[test]
    fn another_configuration_version_or_hash_is_refused() {
        let shown = shown();
        let r = receipt(&shown);

        let mut next = shown.clone();
        next.version = 4;
        let err = consent_record(&r, &next, Lang::Fr).unwrap_err();
        assert_eq!(
            err,
            ExportError::NotShownConfig {
                receipt_version: 3,
                receipt_hash: shown.hash.clone(),
                shown_version: 4,
                shown_hash: shown.hash.clone(),
            }
        );

        let mut reworded = shown.clone();
        reworded.config.content_types[0].description.en = "Something else".into();
        let reworded = VersionedConfig::publish(reworded.config, 3, reworded.published_at);
        assert!(matches!(
            consent_record(&r, &reworded, Lang::En),
            Err(ExportError::NotShownConfig { receipt_version: 3, shown_version: 3, .. })
        ));
    }

    #[test]
    fn a_forged_event_or_unknown_content_type_is_refused() {
        let shown = shown();
        let mut forged = receipt(&shown);
        forged.event.seq += 1;
        assert_eq!(consent_record(&forged, &shown, Lang::Fr), Err(ExportError::EventHash));

        // Same version and hash, but a configuration that lost a content type: the stored
        // texts cannot describe the event, so nothing is exported.
        let mut truncated = shown.clone();
        truncated.config.content_types.retain(|ct| ct.id.as_str() != "service_updates");
        assert_eq!(
            consent_record(&receipt(&shown), &truncated, Lang::Fr),
            Err(ExportError::UnknownContentType("service_updates".into()))
        );
    }

    #[test]
    fn json_round_trips_and_the_copy_still_verifies() {
        let shown = shown();
        let jwks = Jwks { keys: vec![key().public_jwk()] };
        let rec = consent_record(&receipt(&shown), &shown, Lang::En).unwrap().with_public_key(&jwks);
        assert_eq!(rec.public_key.as_deref(), Some(jwks.keys[0].x.as_str()));

        let json = serde_json::to_value(&rec).unwrap();
        for pointer in [
            "/consentReceiptID",
            "/consentTimestamp",
            "/collectionMethod",
            "/piiPrincipalId",
            "/piiControllers/0/piiController",
            "/policyUrl",
            "/services/0/purposes/0/consentType",
            "/services/0/purposes/0/thirdPartyDisclosure",
            "/services/0/purposes/0/lawfulBasis",
            "/spiCat",
            "/privacyNotice/sha256",
            "/accordProof/event_hash",
            "/accordProof/signature",
        ] {
            assert!(json.pointer(pointer).is_some(), "missing {pointer} in {json}");
        }
        assert_eq!(json["collectionMethod"], "widget");
        assert_eq!(json["eventTime"], "2023-11-14T22:15:23.456Z");
        assert_eq!(json["services"][0]["purposes"][0]["consentType"], "EXPLICIT");
        assert_eq!(json["services"][1]["purposes"][0]["consentType"], "N/A");
        assert_eq!(json["services"][0]["purposes"][1]["eventState"], "ConsentRefused");

        let back: ConsentRecord = serde_json::from_str(&serde_json::to_string(&rec).unwrap()).unwrap();
        assert_eq!(back, rec);
        back.accord_proof.verify(&jwks).unwrap();
    }
}
