//! The widget's texts in English. Reviewed against the French source, string by string.

use super::Key;

pub fn text(key: Key) -> &'static str {
    use Key::*;
    match key {
        Title => "Your contact preferences",
        Intro => {
            "Choose what you want to receive and how. Nothing is ticked in advance; you can change your mind at any time."
        }
        Email => "Email address",
        AcceptAll => "Accept all",
        RefuseAll => "Refuse all",
        Save => "Save my choices",
        Saving => "Saving…",
        Saved => "Your choices are saved.",
        EmailInvalid => "Enter a valid email address, for example name@example.com.",
        Controller => "Data controller",
        Privacy => "Privacy policy and your rights",
        LegalBasis => "Legal basis",
        Retention => "Kept for",
        Months => "months after the last contact",
        Receipt => "Receipt",
        DownloadReceipt => "Download my signed receipt",
        ReconfirmTitle => "Do you want to keep receiving our messages?",
        ReconfirmText => "without an answer from you, we will stop writing and erase your data.",
        ReconfirmYes => "Yes, keep me subscribed",
        ReconfirmNo => "No thanks",
        ReconfirmKept => "Thank you, you will keep receiving our messages.",
        ReconfirmDeclined => "Noted: without a confirmation we will stop writing to you.",
        SoftOptIn => "Already allowed for our customers (legitimate interest): you can refuse it here, at any time.",
        Stop => "stop",
        PrefsTitle => "Your contact preferences",
        PrefsIntro => "This is what you chose to receive. Change anything, or withdraw everything.",
        WithdrawAll => "Stop everything",
        Withdrawn => "Done: you will receive nothing more from us.",
        Offline => "No connection: your choices are not saved yet. They are kept; try again with “Save my choices”.",
        Busy => "Too many requests right now: your choices are not saved yet. They are kept; try again in a moment",
        ChannelEmail => "Email",
        ChannelSms => "SMS",
        ChannelPhone => "Phone",
        ChannelPost => "Post",
        BasisConsent => "your consent",
        BasisLegitimateInterest => "legitimate interest (customer)",
        Phone => "Mobile phone number",
        PhoneHint => "For the texts and calls you ticked. For example: +44 7700 900123 or, in France, 06 12 34 56 78.",
        PhoneRequired => "Enter your phone number to receive texts or calls, or untick those boxes.",
        PhoneInvalid => "Enter a valid number in international format, for example +44 7700 900123.",
    }
}
