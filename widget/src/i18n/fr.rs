//! The widget's texts in French. The source every other catalogue is reviewed against.

use super::Key;

pub fn text(key: Key) -> &'static str {
    use Key::*;
    match key {
        Title => "Vos préférences de contact",
        Intro => {
            "Choisissez ce que vous souhaitez recevoir et par quel moyen. Rien n'est coché d'avance ; vous pourrez changer d'avis à tout moment."
        }
        Email => "Adresse e-mail",
        AcceptAll => "Tout accepter",
        RefuseAll => "Tout refuser",
        Save => "Enregistrer mes choix",
        Saving => "Enregistrement…",
        Saved => "Vos choix sont enregistrés.",
        EmailInvalid => "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
        Controller => "Responsable du traitement",
        Privacy => "Politique de confidentialité et vos droits",
        LegalBasis => "Base légale",
        Retention => "Conservation",
        Months => "mois après le dernier contact",
        Receipt => "Reçu",
        DownloadReceipt => "Télécharger mon reçu signé",
        ReconfirmTitle => "Souhaitez-vous continuer à recevoir nos messages ?",
        ReconfirmText => "sans réponse de votre part, nous arrêterons de vous écrire et effacerons vos données.",
        ReconfirmYes => "Oui, je continue",
        ReconfirmNo => "Non merci",
        ReconfirmKept => "Merci, vous continuerez à recevoir nos messages.",
        ReconfirmDeclined => "C'est noté : sans confirmation, nous cesserons de vous écrire.",
        SoftOptIn => "Déjà autorisé pour nos clients (intérêt légitime) : vous pouvez le refuser ici, à tout moment.",
        Stop => "ne plus recevoir",
        PrefsTitle => "Vos préférences de contact",
        PrefsIntro => "Voici ce que vous avez choisi de recevoir. Changez ce que vous voulez, ou retirez tout.",
        WithdrawAll => "Ne plus rien recevoir",
        Withdrawn => "C'est fait : vous ne recevrez plus rien de notre part.",
        Offline => {
            "Connexion impossible : vos choix n'ont pas encore été enregistrés. Ils sont conservés ; réessayez avec « Enregistrer mes choix »."
        }
        Busy => {
            "Trop de demandes en ce moment : vos choix ne sont pas encore enregistrés. Ils sont conservés ; réessayez dans un instant"
        }
        ChannelEmail => "E-mail",
        ChannelSms => "SMS",
        ChannelPhone => "Téléphone",
        ChannelPost => "Courrier",
        BasisConsent => "votre consentement",
        BasisLegitimateInterest => "intérêt légitime (client)",
        Phone => "Numéro de téléphone mobile",
        PhoneHint => "Pour les SMS et appels que vous avez cochés. Par exemple : 06 12 34 56 78 ou +33 6 12 34 56 78.",
        PhoneRequired => {
            "Saisissez votre numéro de téléphone pour recevoir des SMS ou des appels, ou décochez ces cases."
        }
        PhoneInvalid => "Saisissez un numéro valide, par exemple 06 12 34 56 78 ou +33 6 12 34 56 78.",
    }
}
