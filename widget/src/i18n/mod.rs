//! The widget's own texts: the fixed parts around the site's purposes (those come from its
//! configuration). One catalogue file per language, each an exhaustive `match`, so a language
//! missing a key does not compile.
//!
//! The catalogues are read where the form is rendered, on the edge ([`crate::ssr`]), and the
//! texts of the one language shown travel to the browser with the rendered form
//! ([`crate::view::View::texts`]): the widget's code carries no catalogue, so its bytes do not
//! grow with languages.

mod en;
mod fr;

use accord_core::config::{Lang, LegalBasis};
use accord_core::ids::Channel;

/// Declares [`Key`] and [`Key::ALL`] from one list, so the two cannot drift apart.
macro_rules! keys {
    ($($key:ident),* $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key {
            $($key),*
        }

        impl Key {
            /// Every key, in declaration order: the order of the texts a [`crate::view::View`]
            /// carries.
            pub const ALL: &'static [Key] = &[$(Key::$key),*];
        }
    };
}

keys! {
    Title,
    Intro,
    Email,
    AcceptAll,
    RefuseAll,
    Save,
    Saving,
    Saved,
    EmailInvalid,
    Controller,
    Privacy,
    LegalBasis,
    Retention,
    Months,
    Receipt,
    DownloadReceipt,
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
    Offline,
    Busy,
    ChannelEmail,
    ChannelSms,
    ChannelPhone,
    ChannelPost,
    BasisConsent,
    BasisLegitimateInterest,
    Phone,
    PhoneHint,
    PhoneRequired,
    PhoneInvalid,
}

/// `key` in `lang`, from the catalogues.
pub fn catalogue(lang: Lang, key: Key) -> &'static str {
    match lang {
        Lang::Fr => fr::text(key),
        Lang::En => en::text(key),
    }
}

/// Every text of `lang`, in [`Key::ALL`] order: what a view carries to the browser.
pub fn texts(lang: Lang) -> Vec<String> {
    Key::ALL.iter().map(|k| catalogue(lang, *k).to_owned()).collect()
}

thread_local! {
    /// The texts of the language shown, as the view brought them ([`install`]).
    static INSTALLED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Makes `texts` (a view's, in [`Key::ALL`] order) the ones the browser's forms show. (A build
/// that also renders on the edge reads the catalogues instead.)
pub fn install(texts: Vec<String>) {
    INSTALLED.with(|t| *t.borrow_mut() = texts);
}

/// The text for `key`: from the catalogue where the form is rendered on the edge, from the
/// installed view's texts in the browser (where `lang` is the view's own).
pub fn t(lang: Lang, key: Key) -> String {
    #[cfg(feature = "ssr")]
    {
        catalogue(lang, key).to_owned()
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = lang;
        INSTALLED.with(|t| t.borrow().get(key as usize).cloned().unwrap_or_default())
    }
}

pub fn channel(lang: Lang, ch: Channel) -> String {
    t(
        lang,
        match ch {
            Channel::Email => Key::ChannelEmail,
            Channel::Sms => Key::ChannelSms,
            Channel::Phone => Key::ChannelPhone,
            Channel::Post => Key::ChannelPost,
        },
    )
}

pub fn legal_basis(lang: Lang, basis: LegalBasis) -> String {
    t(
        lang,
        match basis {
            LegalBasis::Consent => Key::BasisConsent,
            LegalBasis::LegitimateInterest => Key::BasisLegitimateInterest,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_listed_once_each_in_their_declaration_order() {
        for (i, k) in Key::ALL.iter().enumerate() {
            assert_eq!(*k as usize, i, "{k:?}");
        }
    }

    #[test]
    fn every_language_has_a_text_for_every_key_and_english_is_translated() {
        for &key in Key::ALL {
            assert!(!catalogue(Lang::Fr, key).trim().is_empty(), "{key:?} in French");
            assert!(!catalogue(Lang::En, key).trim().is_empty(), "{key:?} in English");
        }
        let same: Vec<_> = Key::ALL.iter().filter(|k| catalogue(Lang::Fr, **k) == catalogue(Lang::En, **k)).collect();
        assert_eq!(same, vec![&Key::ChannelSms], "left identical to French");
    }
}
