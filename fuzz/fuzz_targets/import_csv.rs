//! CSV imports from untrusted files: parsing never panics, every accepted row holds a valid
//! address (for email) or a valid number (for SMS and calls) and a date not in the future, and
//! every line is accounted for at most once.
#![no_main]

use accord_core::contact::{Email, Phone};
use accord_core::import::parse;
use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
    for by_phone in [false, true] {
        let Ok((rows, rejected)) = parse(data, now, by_phone) else { continue };
        let mut lines: Vec<usize> = rows.iter().map(|r| r.line).chain(rejected.iter().map(|r| r.line)).collect();
        let count = lines.len();
        lines.sort_unstable();
        lines.dedup();
        assert_eq!(lines.len(), count, "a line is reported once");
        for r in &rows {
            assert!(r.original_date <= now);
            assert_eq!(r.phone.is_some(), by_phone, "a number exactly in an import for SMS or calls");
            assert!(by_phone || r.email.is_some(), "an address in every row of an import for email");
            if let Some(e) = &r.email {
                assert_eq!(&Email::parse("email", e.as_str()).unwrap(), e);
            }
            if let Some(p) = &r.phone {
                assert_eq!(&Phone::parse("phone", p.as_str()).unwrap(), p);
            }
        }
    }
});
