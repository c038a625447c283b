//! The form's state and the only ways it changes.
//!
//! Ticked boxes are a set that starts empty and only grows through a person's action
//! ([`Action::Toggle`] or [`Action::AcceptAll`]): a pre-ticked box cannot be represented.
//! The one exception is the preference centre ([`Form::recorded`]), which starts from the
//! person's own earlier answers as the ledger recorded them — never from a default.
//!
//! Boxes of legitimate-interest content types (the soft opt-in for customers) are not consent
//! boxes at all: they are opt-out boxes ("stop sending me this"), unticked until the person
//! ticks them, and an unticked one is left out of the submission so the soft opt-in stands.

use std::rc::Rc;

use accord_core::config::VersionedConfig;
use accord_core::ids::Channel;
use accord_core::submission::Submission;
use yew::Reducible;

/// One box of the grid: a content type on a channel.
pub type Cell = (String, Channel);

/// A set of boxes. A grid holds a few dozen at most, so a list does the job of a tree set in a
/// fraction of the bytes every visitor downloads; equality ignores order, as for a set.
#[derive(Debug, Clone, Default)]
pub struct Marks(Vec<Cell>);

impl Marks {
    pub fn contains(&self, cell: &Cell) -> bool {
        self.0.contains(cell)
    }

    /// Adds the box if absent, removes it if present.
    fn toggle(&mut self, cell: Cell) {
        match self.0.iter().position(|c| *c == cell) {
            Some(i) => {
                self.0.swap_remove(i);
            }
            None => self.0.push(cell),
        }
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

impl FromIterator<Cell> for Marks {
    fn from_iter<I: IntoIterator<Item = Cell>>(iter: I) -> Self {
        let mut marks = Marks::default();
        for cell in iter {
            if !marks.contains(&cell) {
                marks.0.push(cell);
            }
        }
        marks
    }
}

impl PartialEq for Marks {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.iter().all(|c| other.contains(c))
    }
}

impl Eq for Marks {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Editing,
    Sending,
    /// Saved; the receipt's sequence number and timestamp are shown to the person, and the
    /// signed receipt (the edge's JSON, as received, then as its consent record once the edge
    /// has made it: [`Action::Record`]) is theirs to download.
    Saved {
        seq: u64,
        recorded_at: String,
        receipt: std::rc::Rc<str>,
    },
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub config: Rc<VersionedConfig>,
    pub email: String,
    /// Asked for, and sent, only while a ticked box needs it (SMS, calls).
    pub phone: String,
    /// The number was missing or malformed when the person tried to save.
    pub phone_invalid: bool,
    ticked: Marks,
    /// The preference centre's recorded yes boxes: an SMS one already has its number.
    recorded_yes: Marks,
    /// Legitimate-interest boxes the person asked to stop.
    opted_out: Marks,
    pub status: Status,
    /// Idempotency key of the request being sent: kept across retries of the same choices,
    /// replaced as soon as anything is edited.
    pub key: Option<String>,
}

pub enum Action {
    SetEmail(String),
    SetPhone(String),
    /// Saving needs a valid number; the message says what to do.
    PhoneInvalid(String),
    Toggle(Cell),
    AcceptAll,
    RefuseAll,
    /// Sending with this idempotency key.
    Sending(String),
    Saved {
        seq: u64,
        recorded_at: String,
        receipt: std::rc::Rc<str>,
    },
    /// The receipt of save `seq` as a consent record: what the download offers from then on.
    Record {
        seq: u64,
        record: std::rc::Rc<str>,
    },
    Failed(String),
}

impl Form {
    /// A fresh form: nothing ticked, whatever the configuration says.
    pub fn new(config: Rc<VersionedConfig>) -> Self {
        Self {
            config,
            email: String::new(),
            phone: String::new(),
            phone_invalid: false,
            ticked: Marks::default(),
            recorded_yes: Marks::default(),
            opted_out: Marks::default(),
            status: Status::Editing,
            key: None,
        }
    }

    /// The preference centre: the boxes this person said yes to (and did not withdraw), as the
    /// edge read them from their signed history. Boxes the configuration no longer offers are
    /// dropped; nothing else can be ticked.
    /// `no` are their recorded refusals: on a legitimate-interest box that is an opt-out.
    pub fn recorded(
        config: Rc<VersionedConfig>,
        yes: impl IntoIterator<Item = Cell>,
        no: impl IntoIterator<Item = Cell>,
    ) -> Self {
        let mut form = Self::new(config);
        let offered: Marks = form.cells().collect();
        form.ticked = yes.into_iter().filter(|c| offered.contains(c) && !form.is_soft_opt_in(c)).collect();
        form.recorded_yes = form.ticked.clone();
        form.opted_out = no.into_iter().filter(|c| offered.contains(c) && form.is_soft_opt_in(c)).collect();
        form
    }

    /// Whether the box belongs to a legitimate-interest (soft opt-in) content type.
    pub fn is_soft_opt_in(&self, cell: &Cell) -> bool {
        self.config
            .config
            .content_type(&cell.0)
            .is_some_and(|ct| ct.legal_basis == accord_core::config::LegalBasis::LegitimateInterest)
    }

    pub fn is_opted_out(&self, cell: &Cell) -> bool {
        self.opted_out.contains(cell)
    }

    pub fn cells(&self) -> impl Iterator<Item = Cell> + '_ {
        self.config
            .config
            .content_types
            .iter()
            .flat_map(|ct| ct.channels.iter().map(|ch| (ct.id.as_str().to_owned(), *ch)))
    }

    pub fn is_ticked(&self, cell: &Cell) -> bool {
        self.ticked.contains(cell)
    }

    /// A ticked box reaches a phone (SMS, calls) and is a new yes (not one the preference
    /// centre recorded, which has its number): the number field is shown and required.
    pub fn needs_phone(&self) -> bool {
        self.ticked.0.iter().any(|c| c.1.needs_phone() && !self.recorded_yes.contains(c))
    }

    /// The number to send with `choices`: required, and checked, when one is a new yes by SMS
    /// or call; never sent otherwise. The error is the text to show on the field.
    pub fn phone_for(
        &self,
        choices: &[accord_core::submission::SubmittedChoice],
    ) -> Result<Option<String>, crate::i18n::Key> {
        let new_yes = choices.iter().any(|c| {
            c.granted
                && self.cells().any(|cell| {
                    cell.1.needs_phone()
                        && cell.0 == c.content_type
                        && cell.1.as_str() == c.channel
                        && !self.recorded_yes.contains(&cell)
                })
        });
        let typed = self.phone.trim();
        match (new_yes, accord_core::contact::Phone::parse("phone", typed)) {
            (false, _) => Ok(None),
            (true, Ok(_)) => Ok(Some(typed.to_owned())),
            (true, Err(_)) if typed.is_empty() => Err(crate::i18n::Key::PhoneRequired),
            (true, Err(_)) => Err(crate::i18n::Key::PhoneInvalid),
        }
    }

    /// Every consent box answered, ticked or not (a refusal is evidence too); a soft opt-in box
    /// only when the person opted out.
    pub fn submission(&self, page: Option<String>, lang: accord_core::config::Lang) -> Submission {
        Submission {
            email: self.email.trim().to_owned(),
            // Typed and then not needed any more: not sent.
            phone: Some(self.phone.trim().to_owned()).filter(|p| self.needs_phone() && !p.is_empty()),
            config_version: self.config.version,
            config_hash: self.config.hash.clone(),
            choices: accord_core::submission::form_answers(
                &self.config.config,
                |ct, ch| self.ticked.contains(&(ct.to_owned(), ch)),
                |ct, ch| self.opted_out.contains(&(ct.to_owned(), ch)),
            ),
            page,
            lang,
            widget_build: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }
    }
}

impl Reducible for Form {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::SetEmail(e) => next.email = e,
            Action::SetPhone(p) => {
                next.phone = p;
                next.phone_invalid = false;
            }
            Action::PhoneInvalid(msg) => {
                next.phone_invalid = true;
                next.status = Status::Failed(msg);
            }
            Action::Toggle(cell) => {
                let set = if self.is_soft_opt_in(&cell) { &mut next.opted_out } else { &mut next.ticked };
                set.toggle(cell);
            }
            Action::AcceptAll => {
                next.ticked = self.cells().filter(|c| !self.is_soft_opt_in(c)).collect();
                next.opted_out.clear();
            }
            Action::RefuseAll => {
                next.ticked.clear();
                next.opted_out = self.cells().filter(|c| self.is_soft_opt_in(c)).collect();
            }
            Action::Sending(key) => {
                next.status = Status::Sending;
                next.key = Some(key);
            }
            Action::Saved { seq, recorded_at, receipt } => next.status = Status::Saved { seq, recorded_at, receipt },
            Action::Record { seq, record } => {
                // Only for the save it was made from: a later edit or save has moved on.
                if let Status::Saved { seq: shown, receipt, .. } = &mut next.status
                    && *shown == seq
                {
                    *receipt = record;
                }
            }
            Action::Failed(msg) => next.status = Status::Failed(msg),
        }
        next.phone_invalid &= next.needs_phone();
        // An edit after a save or an error makes the shown outcome stale.
        let edited = next.email != self.email
            || next.phone != self.phone
            || next.ticked != self.ticked
            || next.opted_out != self.opted_out;
        if edited && next.status != Status::Sending {
            next.status = Status::Editing;
            next.key = None;
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::config::Lang;

    fn config() -> Rc<VersionedConfig> {
        Rc::new(
            serde_json::from_value(serde_json::json!({
                "version": 2, "hash": "ab".repeat(32), "published_at": "2026-01-01T00:00:00.000Z",
                "config": {
                    "site": "s", "controller": {"name": "C", "contact": "c@c.fr"},
                    "privacy_policy_url": "https://c.fr/p",
                    "content_types": [
                        {"id": "offers", "label": {"fr": "O", "en": "O"}, "description": {"fr": "d", "en": "d"},
                         "commercial": true, "legal_basis": "consent", "channels": ["email", "sms"]},
                        {"id": "news", "label": {"fr": "N", "en": "N"}, "description": {"fr": "d", "en": "d"},
                         "commercial": true, "legal_basis": "consent", "channels": ["post"]}
                    ]
                }
            }))
            .unwrap(),
        )
    }

    #[test]
    fn starts_with_nothing_ticked_and_submits_every_box() {
        let form = Form::new(config());
        assert_eq!(form.cells().count(), 3);
        assert!(form.cells().all(|c| !form.is_ticked(&c)));
        let s = form.submission(None, Lang::En);
        assert_eq!(s.choices.len(), 3);
        assert!(s.choices.iter().all(|c| !c.granted));
        assert_eq!((s.config_version, s.config_hash.as_str()), (2, "ab".repeat(32).as_str()));
    }

    #[test]
    fn the_preference_centre_starts_from_recorded_answers_only() {
        let yes = [("offers".to_owned(), Channel::Sms), ("gone".to_owned(), Channel::Email)];
        let form = Form::recorded(config(), yes, []);
        assert!(form.is_ticked(&("offers".into(), Channel::Sms)));
        assert!(!form.is_ticked(&("gone".into(), Channel::Email)), "a box no longer offered is not shown ticked");
        assert_eq!(form.cells().filter(|c| form.is_ticked(c)).count(), 1);
    }

    #[test]
    fn soft_opt_in_boxes_are_opt_outs_left_out_unless_ticked() {
        let mut c = (*config()).clone();
        c.config.content_types[1].legal_basis = accord_core::config::LegalBasis::LegitimateInterest;
        let form = Rc::new(Form::new(Rc::new(c)));
        let news = ("news".to_owned(), Channel::Post);
        assert!(form.is_soft_opt_in(&news) && !form.is_ticked(&news) && !form.is_opted_out(&news));
        let sent = |f: &Form| {
            f.submission(None, Lang::Fr).choices.iter().map(|c| (c.content_type.clone(), c.granted)).collect::<Vec<_>>()
        };
        assert!(!sent(&form).iter().any(|(ct, _)| ct == "news"), "an untouched soft opt-in is not answered: it stands");
        let form = form.reduce(Action::AcceptAll);
        assert!(!form.is_ticked(&news), "accepting never ticks a soft opt-in box: there is nothing to accept");
        let form = form.reduce(Action::RefuseAll);
        assert!(form.is_opted_out(&news), "refusing everything opts out of it too");
        assert!(sent(&form).contains(&("news".to_owned(), false)));
        let form = form.reduce(Action::Toggle(news.clone()));
        assert!(!form.is_opted_out(&news));
    }

    #[test]
    fn marks_are_a_set() {
        let a = ("a".to_owned(), Channel::Email);
        let b = ("b".to_owned(), Channel::Sms);
        let ab: Marks = [a.clone(), b.clone(), a.clone()].into_iter().collect();
        let ba: Marks = [b.clone(), a.clone()].into_iter().collect();
        assert_eq!(ab, ba, "order and repeats do not matter");
        let mut only_b = ab.clone();
        only_b.toggle(a.clone());
        assert!(!only_b.contains(&a) && only_b.contains(&b));
        assert_ne!(only_b, ab);
        only_b.toggle(a.clone());
        assert_eq!(only_b, ab);
    }

    #[test]
    fn toggle_accept_refuse() {
        let form = Rc::new(Form::new(config()));
        let form = form.reduce(Action::Toggle(("offers".into(), Channel::Sms)));
        assert!(form.is_ticked(&("offers".into(), Channel::Sms)));
        let form = form.reduce(Action::Toggle(("offers".into(), Channel::Sms)));
        assert!(!form.is_ticked(&("offers".into(), Channel::Sms)));
        let form = form.reduce(Action::AcceptAll);
        assert!(form.cells().all(|c| form.is_ticked(&c)));
        let form = form.reduce(Action::RefuseAll);
        assert!(form.cells().all(|c| !form.is_ticked(&c)));
    }

    #[test]
    fn the_phone_number_is_asked_and_sent_only_while_a_ticked_box_needs_it() {
        let form = Rc::new(Form::new(config()));
        let sms = ("offers".to_owned(), Channel::Sms);
        assert!(!form.needs_phone());
        let form = form.reduce(Action::Toggle(sms.clone()));
        assert!(form.needs_phone());
        let form = form.reduce(Action::SetPhone(" 06 12 34 56 78 ".into()));
        assert_eq!(form.submission(None, Default::default()).phone.as_deref(), Some("06 12 34 56 78"));
        let form = form.reduce(Action::Toggle(sms));
        assert!(!form.needs_phone());
        assert_eq!(form.submission(None, Default::default()).phone, None, "typed, then not needed: not sent");
    }

    #[test]
    fn the_preference_centre_asks_a_number_for_a_new_yes_by_sms_only() {
        let sms = ("offers".to_owned(), Channel::Sms);
        let form = Rc::new(Form::recorded(config(), [sms.clone()], []));
        assert!(!form.needs_phone(), "the recorded yes has its number");
        let answers = form.submission(None, Default::default()).choices;
        assert_eq!(form.phone_for(&answers), Ok(None));
        let fresh = Rc::new(Form::new(config())).reduce(Action::Toggle(sms));
        let answers = fresh.submission(None, Default::default()).choices;
        assert_eq!(fresh.phone_for(&answers), Err(crate::i18n::Key::PhoneRequired));
        let fresh = fresh.reduce(Action::SetPhone("06 12".into()));
        assert_eq!(fresh.phone_for(&answers), Err(crate::i18n::Key::PhoneInvalid));
        let fresh = fresh.reduce(Action::SetPhone("06 12 34 56 78".into()));
        assert_eq!(fresh.phone_for(&answers), Ok(Some("06 12 34 56 78".into())));
    }

    #[test]
    fn the_idempotency_key_lives_until_an_edit() {
        let form = Rc::new(Form::new(config()));
        let form = form.reduce(Action::Sending("k1".into()));
        let form = form.reduce(Action::Failed("offline".into()));
        assert_eq!(form.key.as_deref(), Some("k1"), "a retry reuses the key");
        let form = form.reduce(Action::Toggle(("offers".into(), Channel::Sms)));
        assert_eq!(form.key, None, "changed choices are a new request");
    }

    #[test]
    fn editing_after_save_clears_the_saved_status() {
        let form = Rc::new(Form::new(config()));
        let form = form.reduce(Action::Saved { seq: 3, recorded_at: "t".into(), receipt: "{}".into() });
        assert!(matches!(form.status, Status::Saved { seq: 3, .. }));
        let form = form.reduce(Action::SetEmail("a@b.fr".into()));
        assert_eq!(form.status, Status::Editing);
    }

    #[test]
    fn the_record_replaces_the_receipt_of_its_own_save_only() {
        let form = Rc::new(Form::new(config()));
        let saved = form.reduce(Action::Saved { seq: 3, recorded_at: "t".into(), receipt: "{}".into() });
        let record = |seq| Action::Record { seq, record: "{\"accordProof\":{}}".into() };
        let recorded = saved.clone().reduce(record(3));
        assert!(matches!(&recorded.status, Status::Saved { seq: 3, receipt, .. } if receipt.contains("accordProof")));
        let other = saved.clone().reduce(record(4));
        assert!(matches!(&other.status, Status::Saved { receipt, .. } if &**receipt == "{}"));
        let edited = saved.reduce(Action::SetEmail("a@b.fr".into())).reduce(record(3));
        assert_eq!(edited.status, Status::Editing);
    }
}
