//! The widget's own texts in French and English. Texts about the site's purposes come from
//! its configuration; these are the fixed parts around them.

use accord_core::config::{Lang, LegalBasis};
use accord_core::ids::Channel;

/// The requested language (the loader passes `data-lang`, else the page's `<html lang>`) if
/// supported, else the browser's, else French.
pub fn pick_lang(requested: &str) -> Lang {
    let browser = web_sys::window().and_then(|w| w.navigator().language()).unwrap_or_default();
    Lang::negotiate(&format!("{requested},{browser}")).unwrap_or(Lang::Fr)
}

#[derive(Clone, Copy)]
pub enum Key {
    Title,
    Intro,
    Email,
    AcceptAll,
    RefuseAll,
    Save,
    Saving,
    Saved,
    Loading,
    LoadFailed,
    EmailInvalid,
    Controller,
    Privacy,
    LegalBasis,
    Retention,
    Months,
    Receipt,
    Offline,
    Busy,
    ReconfirmTitle,
    ReconfirmText,
    ReconfirmYes,
    ReconfirmNo,
    ReconfirmKept,
    ReconfirmDeclined,
    SoftOptIn,
    Stop,
    PrefsTitle,
    PrefsIntro,
    WithdrawAll,
    Withdrawn,
}

pub fn t(lang: Lang, key: Key) -> &'static str {
    use Key::*;
    match (lang, key) {
        (Lang::Fr, Title) => "Vos préférences de contact",
        (Lang::En, Title) => "Your contact preferences",
        (Lang::Fr, Intro) => "Choisissez ce que vous souhaitez recevoir et par quel moyen. Rien n'est coché d'avance ; vous pourrez changer d'avis à tout moment.",
        (Lang::En, Intro) => "Choose what you want to receive and how. Nothing is ticked in advance; you can change your mind at any time.",
        (Lang::Fr, Email) => "Adresse e-mail",
        (Lang::En, Email) => "Email address",
        (Lang::Fr, AcceptAll) => "Tout accepter",
        (Lang::En, AcceptAll) => "Accept all",
        (Lang::Fr, RefuseAll) => "Tout refuser",
        (Lang::En, RefuseAll) => "Refuse all",
        (Lang::Fr, Save) => "Enregistrer mes choix",
        (Lang::En, Save) => "Save my choices",
        (Lang::Fr, Saving) => "Enregistrement…",
        (Lang::En, Saving) => "Saving…",
        (Lang::Fr, Saved) => "Vos choix sont enregistrés.",
        (Lang::En, Saved) => "Your choices are saved.",
        (Lang::Fr, Loading) => "Chargement des préférences…",
        (Lang::En, Loading) => "Loading preferences…",
        (Lang::Fr, LoadFailed) => "Les préférences ne peuvent pas être chargées pour le moment.",
        (Lang::En, LoadFailed) => "Preferences cannot be loaded right now.",
        (Lang::Fr, EmailInvalid) => "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
        (Lang::En, EmailInvalid) => "Enter a valid email address, for example name@example.com.",
        (Lang::Fr, Controller) => "Responsable du traitement",
        (Lang::En, Controller) => "Data controller",
        (Lang::Fr, Privacy) => "Politique de confidentialité et vos droits",
        (Lang::En, Privacy) => "Privacy policy and your rights",
        (Lang::Fr, LegalBasis) => "Base légale",
        (Lang::En, LegalBasis) => "Legal basis",
        (Lang::Fr, Retention) => "Conservation",
        (Lang::En, Retention) => "Kept for",
        (Lang::Fr, Months) => "mois après le dernier contact",
        (Lang::En, Months) => "months after the last contact",
        (Lang::Fr, Receipt) => "Reçu",
        (Lang::En, Receipt) => "Receipt",
        (Lang::Fr, ReconfirmTitle) => "Souhaitez-vous continuer à recevoir nos messages ?",
        (Lang::En, ReconfirmTitle) => "Do you want to keep receiving our messages?",
        (Lang::Fr, ReconfirmText) => "sans réponse de votre part, nous arrêterons de vous écrire et effacerons vos données.",
        (Lang::En, ReconfirmText) => "without an answer from you, we will stop writing and erase your data.",
        (Lang::Fr, ReconfirmYes) => "Oui, je continue",
        (Lang::En, ReconfirmYes) => "Yes, keep me subscribed",
        (Lang::Fr, ReconfirmNo) => "Non merci",
        (Lang::En, ReconfirmNo) => "No thanks",
        (Lang::Fr, ReconfirmKept) => "Merci, vous continuerez à recevoir nos messages.",
        (Lang::En, ReconfirmKept) => "Thank you, you will keep receiving our messages.",
        (Lang::Fr, ReconfirmDeclined) => "C'est noté : sans confirmation, nous cesserons de vous écrire.",
        (Lang::En, ReconfirmDeclined) => "Noted: without a confirmation we will stop writing to you.",
        (Lang::Fr, SoftOptIn) => "Déjà autorisé pour nos clients (intérêt légitime) : vous pouvez le refuser ici, à tout moment.",
        (Lang::En, SoftOptIn) => "Already allowed for our customers (legitimate interest): you can refuse it here, at any time.",
        (Lang::Fr, Stop) => "ne plus recevoir",
        (Lang::En, Stop) => "stop",
        (Lang::Fr, PrefsTitle) => "Vos préférences de contact",
        (Lang::En, PrefsTitle) => "Your contact preferences",
        (Lang::Fr, PrefsIntro) => "Voici ce que vous avez choisi de recevoir. Changez ce que vous voulez, ou retirez tout.",
        (Lang::En, PrefsIntro) => "This is what you chose to receive. Change anything, or withdraw everything.",
        (Lang::Fr, WithdrawAll) => "Ne plus rien recevoir",
        (Lang::En, WithdrawAll) => "Stop everything",
        (Lang::Fr, Withdrawn) => "C'est fait : vous ne recevrez plus rien de notre part.",
        (Lang::En, Withdrawn) => "Done: you will receive nothing more from us.",
        (Lang::Fr, Offline) => "Connexion impossible : vos choix n'ont pas encore été enregistrés. Ils sont conservés ; réessayez avec « Enregistrer mes choix ».",
        (Lang::En, Offline) => "No connection: your choices are not saved yet. They are kept; try again with “Save my choices”.",
        (Lang::Fr, Busy) => "Trop de demandes en ce moment : vos choix ne sont pas encore enregistrés. Ils sont conservés ; réessayez dans un instant",
        (Lang::En, Busy) => "Too many requests right now: your choices are not saved yet. They are kept; try again in a moment",
    }
}

pub fn channel(lang: Lang, ch: Channel) -> &'static str {
    match (lang, ch) {
        (Lang::Fr, Channel::Email) => "E-mail",
        (Lang::En, Channel::Email) => "Email",
        (_, Channel::Sms) => "SMS",
        (Lang::Fr, Channel::Phone) => "Téléphone",
        (Lang::En, Channel::Phone) => "Phone",
        (Lang::Fr, Channel::Post) => "Courrier",
        (Lang::En, Channel::Post) => "Post",
    }
}

pub fn legal_basis(lang: Lang, basis: LegalBasis) -> &'static str {
    match (lang, basis) {
        (Lang::Fr, LegalBasis::Consent) => "votre consentement",
        (Lang::En, LegalBasis::Consent) => "your consent",
        (Lang::Fr, LegalBasis::LegitimateInterest) => "intérêt légitime (client)",
        (Lang::En, LegalBasis::LegitimateInterest) => "legitimate interest (customer)",
    }
}
