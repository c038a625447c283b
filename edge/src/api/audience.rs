//! `POST /v1/sites/{site}/audience`: before a campaign, may we contact each of these people for
//! this content type on this channel? One answer per contact, with its reason, for thousands
//! of contacts per request. Answers come back by position; addresses are never echoed.

use std::collections::{BTreeMap, HashMap, HashSet};

use accord_core::config::SiteConfig;
use accord_core::ids::{Channel, SiteId, SubjectId};
use accord_core::policy::Decision;
use accord_core::{Violation, Violations};
use futures_util::future::try_join_all;
use serde::{Deserialize, Serialize};

use super::Incoming;
use super::contact_ref::ContactRef;
use crate::error::EdgeError;
use crate::http::{ApiResponse, parse_json_limited};
use crate::ledger::SHARDS;
use crate::ledger::client::{Ledger, MayContact};
use crate::runtime::Runtime;
use crate::secrets;

/// Contacts per request; a list of 10,000 addresses is about 400 kB.
pub const MAX_CONTACTS: usize = 10_000;
/// This route's body limit.
pub const MAX_BODY: usize = 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AudienceBody {
    content_type: String,
    channel: String,
    contacts: Vec<ContactRef>,
}

#[derive(Serialize)]
struct Answer {
    index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<SubjectId>,
    allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<Because>,
    /// Why this contact could not be checked (malformed address, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Violation>,
}

/// The reason's code and dates, with the event and contact point it rests on when one does.
#[derive(Serialize)]
struct Because {
    #[serde(flatten)]
    reason: accord_core::policy::Reason,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    relies_on: Option<accord_core::policy::Evidence>,
}

/// A subject to decide for, and the contact point (a linked number) the decision is about.
type Question = (SubjectId, Option<SubjectId>);

#[derive(Serialize)]
struct Summary {
    checked: usize,
    allowed: usize,
    not_allowed: usize,
    invalid: usize,
}

pub async fn post(rt: &dyn Runtime, site: &SiteId, req: &Incoming) -> Result<ApiResponse, EdgeError> {
    let body: AudienceBody = parse_json_limited(req.content_type.as_deref(), &req.body, MAX_BODY)?;
    let config = super::config::load(rt, site, None).await?;
    let mut problems = Violations::default();
    let channel: Option<Channel> = serde_json::from_value(serde_json::Value::String(body.channel.clone())).ok();
    if channel.is_none() {
        problems.push(Violation::new("channel", "unknown_channel", "must be one of email, sms, phone, post"));
    }
    if config.config.content_type(&body.content_type).is_none() {
        problems.push(Violation::new(
            "content_type",
            "unknown_content_type",
            format!("'{}' is not offered by this site", body.content_type),
        ));
    }
    if body.contacts.is_empty() || body.contacts.len() > MAX_CONTACTS {
        problems.push(Violation::new("contacts", "count", format!("give 1 to {MAX_CONTACTS} contacts per request")));
    }
    let channel = problems.into_result(channel)?.expect("checked above");

    let key = secrets::subject_key(rt)?;
    let resolved: Vec<Result<SubjectId, Violation>> =
        body.contacts.iter().enumerate().map(|(i, c)| c.resolve(&key, site, &format!("contacts[{i}]"))).collect();
    // A phone number (or a subject id, which may be a number's) is also a contact point of the
    // people who gave it with their address: their answers about it count.
    let followed: Vec<SubjectId> = resolved
        .iter()
        .zip(&body.contacts)
        .filter(|(_, c)| c.email.is_none())
        .filter_map(|(r, _)| r.as_ref().ok().cloned())
        .collect();
    let links =
        if followed.is_empty() { HashMap::new() } else { super::contact_points::linked(rt, site, followed).await? };
    let own = resolved.iter().filter_map(|r| r.as_ref().ok()).map(|s| (s.clone(), None));
    let through = links.iter().flat_map(|(point, people)| people.iter().map(|p| (p.clone(), Some(point.clone()))));
    let questions: Vec<Question> = own.chain(through).collect();
    let decisions = decisions_for(rt, site, questions, &body.content_type, channel, &config.config).await?;
    let decide = |subject: &SubjectId| -> Result<Decision, EdgeError> {
        let get = |q: &Question| {
            decisions.get(q).cloned().ok_or_else(|| EdgeError::Internal("a subject without a decision".into()))
        };
        let mut all = vec![get(&(subject.clone(), None))?];
        for person in links.get(subject).into_iter().flatten() {
            all.push(get(&(person.clone(), Some(subject.clone())))?);
        }
        Ok(accord_core::policy::combine(all))
    };

    let now = rt.now();
    let answers: Vec<Answer> = resolved
        .into_iter()
        .enumerate()
        .map(|(index, r)| match r {
            Ok(subject) => {
                let Decision { allowed, reason, relies_on } = decide(&subject)?;
                Ok(Answer {
                    index,
                    subject: Some(subject),
                    allowed,
                    reason: Some(Because { reason, relies_on }),
                    error: None,
                })
            }
            Err(v) => Ok(Answer { index, subject: None, allowed: false, reason: None, error: Some(v) }),
        })
        .collect::<Result<_, EdgeError>>()?;
    let summary = Summary {
        checked: answers.len(),
        allowed: answers.iter().filter(|a| a.allowed).count(),
        not_allowed: answers.iter().filter(|a| !a.allowed && a.error.is_none()).count(),
        invalid: answers.iter().filter(|a| a.error.is_some()).count(),
    };
    Ok(ApiResponse::json(
        200,
        &serde_json::json!({
            "content_type": body.content_type,
            "channel": channel,
            "config_version": config.version,
            "checked_at": accord_core::time::format(&now),
            "summary": summary,
            "results": answers,
        }),
    ))
}

/// The decision for each question: one call per shard, all shards at once, each deciding for
/// its own subjects where their states are.
async fn decisions_for(
    rt: &dyn Runtime,
    site: &SiteId,
    questions: Vec<Question>,
    content_type: &str,
    channel: Channel,
    config: &SiteConfig,
) -> Result<HashMap<Question, Decision>, EdgeError> {
    let mut by_shard: BTreeMap<u8, Vec<Question>> = BTreeMap::new();
    let mut seen = HashSet::new();
    for q in questions {
        if seen.insert(q.clone()) {
            by_shard.entry(q.0.shard(SHARDS)).or_default().push(q);
        }
    }
    let calls = by_shard.into_iter().map(|(shard, questions)| async move {
        let (subjects, via): (Vec<SubjectId>, Vec<Option<SubjectId>>) = questions.iter().cloned().unzip();
        let via = if via.iter().all(Option::is_none) { Vec::new() } else { via };
        let ask = MayContact { subjects, content_type: content_type.to_owned(), channel, config: config.clone(), via };
        let decisions = Ledger::new(rt, site).may_contact(shard, ask).await?;
        if decisions.len() != questions.len() {
            return Err(EdgeError::Internal(format!(
                "shard {shard} answered {} decisions for {} subjects",
                decisions.len(),
                questions.len()
            )));
        }
        Ok::<_, EdgeError>(questions.into_iter().zip(decisions))
    });
    Ok(try_join_all(calls).await?.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use crate::api::test_support::{audience, body, consent, json, refusal, run, shop};

    #[test]
    fn each_contact_gets_its_answer_and_reason_by_position() {
        let (rt, site) = shop();
        consent(&rt, &site, "post@example.org", &[("product_guides", "post", true)]);
        consent(&rt, &site, "no@example.org", &[("product_guides", "post", false)]);
        let results =
            audience(&rt, &site, "product_guides", "post", &["post@example.org", "no@example.org", "new@example.org"]);
        let codes: Vec<_> =
            results.iter().map(|r| (r["index"].clone(), r["allowed"].clone(), r["reason"]["code"].clone())).collect();
        assert_eq!(
            codes,
            [
                (0.into(), true.into(), "consent_given".into()),
                (1.into(), false.into(), "refused".into()),
                (2.into(), false.into(), "no_consent".into())
            ]
        );
        // Addresses are never echoed.
        assert!(!serde_json::Value::Array(results).to_string().contains("@example.org"));
    }

    #[test]
    fn a_malformed_contact_is_answered_in_place_and_a_bad_question_is_refused() {
        let (rt, site) = shop();
        let ask = serde_json::json!({"content_type": "product_guides", "channel": "post",
            "contacts": [{"email": "not an address"}, {"email": "ok@example.org"}]});
        let answer = body(&run(super::post(&rt, &site, &json(&ask))).unwrap());
        assert_eq!(answer["summary"], serde_json::json!({"checked": 2, "allowed": 0, "not_allowed": 1, "invalid": 1}));
        assert!(answer["results"][0]["error"]["field"].as_str().unwrap().starts_with("contacts[0]"), "{answer}");

        let unknown = serde_json::json!({"content_type": "lottery", "channel": "pigeon", "contacts": []});
        let (status, problem) = refusal(run(super::post(&rt, &site, &json(&unknown))));
        assert_eq!(status, 422);
        let text = problem.to_string();
        assert!(text.contains("unknown_content_type") && text.contains("unknown_channel"), "{text}");
    }
}
