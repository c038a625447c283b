//! `GET /v1/sites/{site}/stats`: the answers given in the last 90 days, per day, content type
//! and channel, for the DPO console's charts. Counts only, never who.

use std::collections::BTreeMap;

use accord_core::ids::SiteId;
use futures_util::future::try_join_all;
use serde::Serialize;

use crate::error::EdgeError;
use crate::http::ApiResponse;
use crate::ledger::SHARDS;
use crate::ledger::client::Ledger;
use crate::ledger::protocol::StatRow;
use crate::runtime::Runtime;

pub const DAYS: i64 = 90;

#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct DayRow {
    pub day: String,
    pub content_type: String,
    pub channel: String,
    pub granted: u64,
    pub refused: u64,
}

/// Sums the shards' rows into one row per day and box, oldest day first.
pub fn merge(rows: impl IntoIterator<Item = StatRow>) -> Vec<DayRow> {
    let mut by: BTreeMap<(String, String, String), (u64, u64)> = BTreeMap::new();
    for r in rows {
        let e = by.entry((r.day, r.content_type, r.channel)).or_default();
        if r.granted { e.0 += r.count } else { e.1 += r.count }
    }
    by.into_iter()
        .map(|((day, content_type, channel), (granted, refused))| DayRow {
            day,
            content_type,
            channel,
            granted,
            refused,
        })
        .collect()
}

pub async fn get(rt: &dyn Runtime, site: &SiteId) -> Result<ApiResponse, EdgeError> {
    let since = (rt.now() - chrono::Duration::days(DAYS)).format("%Y-%m-%d").to_string();
    let ledger = Ledger::new(rt, site);
    let calls = (0..SHARDS).map(|shard| ledger.stats(shard, since.clone()));
    let rows = merge(try_join_all(calls).await?.into_iter().flatten());
    Ok(ApiResponse::json(200, &serde_json::json!({ "since": since, "days": DAYS, "rows": rows })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(day: &str, ct: &str, granted: bool, count: u64) -> StatRow {
        StatRow { day: day.into(), content_type: ct.into(), channel: "email".into(), granted, count }
    }

    #[test]
    fn shards_are_summed_per_day_and_box() {
        let merged = merge([
            row("2026-11-02", "offers", true, 2),
            row("2026-11-01", "offers", false, 1),
            row("2026-11-02", "offers", true, 3),
            row("2026-11-02", "offers", false, 4),
        ]);
        assert_eq!(
            merged,
            vec![
                DayRow {
                    day: "2026-11-01".into(),
                    content_type: "offers".into(),
                    channel: "email".into(),
                    granted: 0,
                    refused: 1
                },
                DayRow {
                    day: "2026-11-02".into(),
                    content_type: "offers".into(),
                    channel: "email".into(),
                    granted: 5,
                    refused: 4
                },
            ]
        );
    }
}
