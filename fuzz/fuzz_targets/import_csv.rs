//! CSV imports from untrusted files: parsing never panics, every accepted row holds a valid
//! address and a date not in the future, and every line is accounted for at most once.
#![no_main]

use accord_core::contact::Email;
use accord_core::import::parse;
use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
    let Ok((rows, rejected)) = parse(data, now) else { return };
    let mut lines: Vec<usize> = rows.iter().map(|r| r.line).chain(rejected.iter().map(|r| r.line)).collect();
    let count = lines.len();
    lines.sort_unstable();
    lines.dedup();
    assert_eq!(lines.len(), count, "a line is reported once");
    for r in &rows {
        assert!(r.original_date <= now);
        assert_eq!(Email::parse("email", r.email.as_str()).unwrap(), r.email);
    }
});
