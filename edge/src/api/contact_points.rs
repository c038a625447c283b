//! A person's contact points across shards: an email's subject and a phone number's, linked
//! when one submission (or one imported row) gives both. Each shard indexes the links of its
//! own subjects, so a link is written to both shards, and the audience check, erasure, objection
//! and imports can go from either point to the other.

use std::collections::{BTreeMap, HashMap, HashSet};

use accord_core::config::SiteConfig;
use accord_core::contact::Phone;
use accord_core::ids::{Channel, SiteId, SubjectId};
use accord_core::policy::Reason;
use futures_util::future::try_join_all;

use crate::error::EdgeError;
use crate::ledger::SHARDS;
use crate::ledger::client::{Ledger, MayContact};
use crate::ledger::protocol::LinkItem;
use crate::runtime::Runtime;

/// A person (an email's subject) giving a number for SMS and calls.
pub struct NewLink {
    pub person: SubjectId,
    /// The number's subject.
    pub contact: SubjectId,
    pub phone: Phone,
}

/// Records each link in both shards (one call per shard, all at once), keeping each number
/// encrypted in its own shard.
pub async fn link_all(rt: &dyn Runtime, site: &SiteId, links: Vec<NewLink>) -> Result<(), EdgeError> {
    let mut by_shard: BTreeMap<u8, Vec<LinkItem>> = BTreeMap::new();
    for l in links {
        by_shard.entry(l.contact.shard(SHARDS)).or_default().push(LinkItem {
            subject: l.contact.clone(),
            linked: l.person.clone(),
            phone: Some(l.phone.as_str().to_owned()),
        });
        by_shard.entry(l.person.shard(SHARDS)).or_default().push(LinkItem {
            subject: l.person,
            linked: l.contact,
            phone: None,
        });
    }
    let ledger = Ledger::new(rt, site);
    let calls = by_shard.into_iter().map(|(shard, links)| ledger.link(shard, links));
    try_join_all(calls).await?;
    Ok(())
}

/// The contact points linked to each of `subjects`: one call per shard, all at once.
pub async fn linked(
    rt: &dyn Runtime,
    site: &SiteId,
    subjects: impl IntoIterator<Item = SubjectId>,
) -> Result<HashMap<SubjectId, Vec<SubjectId>>, EdgeError> {
    let mut by_shard: BTreeMap<u8, Vec<SubjectId>> = BTreeMap::new();
    for s in subjects {
        let list = by_shard.entry(s.shard(SHARDS)).or_default();
        if !list.contains(&s) {
            list.push(s);
        }
    }
    let calls = by_shard.into_iter().map(|(shard, subjects)| async move {
        let links = Ledger::new(rt, site).links(shard, subjects.clone()).await?;
        if links.len() != subjects.len() {
            return Err(EdgeError::Internal(format!("shard {shard} answered links for {} subjects", links.len())));
        }
        Ok::<_, EdgeError>(subjects.into_iter().zip(links))
    });
    Ok(try_join_all(calls).await?.into_iter().flatten().collect())
}

/// Whether a row recorded under `subject` about `number` would reach someone who objected
/// through the number: the number itself, or a person who linked it (their own shard checks
/// `subject`). An import by number never lifts an objection made by email.
pub fn objection_through(
    subject: &SubjectId,
    number: &SubjectId,
    links: &HashMap<SubjectId, Vec<SubjectId>>,
    objected: &HashSet<SubjectId>,
) -> bool {
    std::iter::once(number).chain(links.get(number).into_iter().flatten()).any(|s| s != subject && objected.contains(s))
}

/// Which of `subjects` are on the objection list, asked where their states are.
pub async fn objected(
    rt: &dyn Runtime,
    site: &SiteId,
    subjects: HashSet<SubjectId>,
    content_type: &str,
    channel: Channel,
    config: &SiteConfig,
) -> Result<HashSet<SubjectId>, EdgeError> {
    let mut by_shard: BTreeMap<u8, Vec<SubjectId>> = BTreeMap::new();
    for s in subjects {
        by_shard.entry(s.shard(SHARDS)).or_default().push(s);
    }
    let calls = by_shard.into_iter().map(|(shard, subjects)| async move {
        let ask = MayContact {
            subjects: subjects.clone(),
            content_type: content_type.to_owned(),
            channel,
            config: config.clone(),
            via: Vec::new(),
        };
        let decisions = Ledger::new(rt, site).may_contact(shard, ask).await?;
        Ok::<_, EdgeError>(
            subjects
                .into_iter()
                .zip(decisions)
                .filter(|(_, d)| matches!(d.reason, Reason::Objection { .. }))
                .map(|(s, _)| s)
                .collect::<Vec<_>>(),
        )
    });
    Ok(try_join_all(calls).await?.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_by_number_never_reaches_a_person_who_objected_by_email() {
        let id = |n: u8| SubjectId::from_digest(&[n; 16]);
        let (number, objector, other, fresh) = (id(9), id(1), id(2), id(3));
        let links: HashMap<_, _> = [(number.clone(), vec![objector.clone(), other.clone()])].into();
        let objected: HashSet<_> = [objector.clone()].into();
        assert!(objection_through(&number, &number, &links, &objected), "a row with the number only");
        assert!(objection_through(&other, &number, &links, &objected), "a row with another address");
        assert!(!objection_through(&objector, &number, &links, &objected), "their own shard checks them");
        assert!(!objection_through(&fresh, &fresh, &links, &objected), "a number nobody linked");
        let objected: HashSet<_> = [number.clone()].into();
        assert!(objection_through(&other, &number, &links, &objected), "an objection recorded by number");
    }
}
