//! Reading consent exports from email services (CSV) for import: the address and the original
//! opt-in date of every row, with a precise reason for every row that cannot be used.
//!
//! Accepted shapes: a header line; `,` or `;` separators (whichever the header uses more);
//! RFC 4180 quoting (read by the `csv` crate: a quoted field may hold separators, doubled quotes
//! and newlines). The address column is recognised by name (`Email Address` as Mailchimp
//! writes it, `EMAIL` as Brevo does, `e-mail`, `adresse e-mail`, …), the date column likewise
//! (`OPTIN_TIME`, `CONFIRM_TIME`, `date`, `created_at`, `date d'inscription`, …). For SMS and
//! calls the number column is recognised the same way (`SMS` as Brevo writes it, `Phone Number`
//! or `SMS Phone Number` as Mailchimp does, `mobile`, `téléphone`, …); the address is then
//! optional, and a row with both links the number to the person.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::Violation;
use crate::contact::{Email, Phone};

pub const MAX_ROWS: usize = 5_000;

const EMAIL_COLUMNS: [&str; 6] = ["email address", "email", "e-mail", "adresse e-mail", "adresse email", "mail"];
const PHONE_COLUMNS: [&str; 12] = [
    "sms",
    "sms phone number",
    "phone number",
    "phone",
    "mobile",
    "mobile phone",
    "mobile_phone",
    "téléphone",
    "telephone",
    "portable",
    "numéro de téléphone",
    "numero de telephone",
];
const DATE_COLUMNS: [&str; 9] = [
    "optin_time",
    "confirm_time",
    "opt-in date",
    "optin date",
    "consent_date",
    "signup_date",
    "created_at",
    "date d'inscription",
    "date",
];

/// One usable row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based line number in the file (the header is line 1).
    pub line: usize,
    /// Always present in an import for email; optional in one for SMS or calls.
    pub email: Option<Email>,
    /// Present exactly in an import for SMS or calls.
    pub phone: Option<Phone>,
    pub original_date: DateTime<Utc>,
}

/// A row that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub line: usize,
    pub violation: Violation,
}

/// The 1-based line a record starts on, from the byte offset the `csv` crate gives for it. That
/// offset (and the crate's own line count) stops inside the previous record's line break and
/// skips blank lines, so the record's first byte is found past any line breaks, and lines are
/// counted up to it: a quoted field may span lines, and users look rows up by line.
fn line_of(text: &str, byte: u64) -> usize {
    let bytes = text.as_bytes();
    let from = usize::try_from(byte).unwrap_or(bytes.len()).min(bytes.len());
    let start = from + bytes[from..].iter().position(|b| !matches!(b, b'\r' | b'\n')).unwrap_or(0);
    bytes[..start].iter().filter(|b| **b == b'\n').count() + 1
}

fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").ok().map(|d| d.and_utc()))
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%d/%m/%Y").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc())
        })
}

/// Parses the file. `Err` names what is wrong with the file as a whole (no header, no address
/// or number column, too many rows); row problems are returned alongside the good rows.
/// `by_phone`: the import is for SMS or calls, so every row needs a number, and an address
/// only where the file has one.
pub fn parse(csv: &str, now: DateTime<Utc>, by_phone: bool) -> Result<(Vec<Row>, Vec<Rejected>), Violation> {
    let csv = csv.strip_prefix('\u{feff}').unwrap_or(csv);
    let no_header = || Violation::new("csv", "header", "the file is empty: it needs a header line");
    let header = csv.lines().find(|l| !l.trim().is_empty()).ok_or_else(no_header)?;
    let sep = if header.matches(';').count() > header.matches(',').count() { b';' } else { b',' };
    let mut records = csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(csv.as_bytes())
        .into_records()
        .filter(|r| r.as_ref().map_or(true, |r| r.iter().any(|f| !f.is_empty())));
    let unreadable = |e: csv::Error| Violation::new("csv", "format", format!("the file is not valid CSV: {e}"));
    let header = records.next().ok_or_else(no_header)?.map_err(unreadable)?;
    let names: Vec<String> = header.iter().map(str::to_lowercase).collect();
    let find = |wanted: &[&str]| wanted.iter().find_map(|w| names.iter().position(|n| n == w));
    let email_col = find(&EMAIL_COLUMNS);
    let phone_col = if by_phone {
        Some(find(&PHONE_COLUMNS).ok_or_else(|| {
            Violation::new("csv", "phone_column", "no number column: name one 'SMS', 'Phone Number' or 'mobile'")
        })?)
    } else {
        None
    };
    if email_col.is_none() && !by_phone {
        return Err(Violation::new(
            "csv",
            "email_column",
            "no address column: name one 'Email Address', 'EMAIL' or 'e-mail'",
        ));
    }
    let date_col = find(&DATE_COLUMNS).ok_or_else(|| {
        Violation::new("csv", "date_column", "no opt-in date column: name one 'OPTIN_TIME', 'CONFIRM_TIME' or 'date'")
    })?;
    let (mut rows, mut rejected) = (Vec::new(), Vec::new());
    for record in records {
        let f = record.map_err(unreadable)?;
        let line_no = f.position().map_or(0, |p| line_of(csv, p.byte()));
        if rows.len() + rejected.len() >= MAX_ROWS {
            return Err(Violation::new(
                "csv",
                "max_rows",
                format!("at most {MAX_ROWS} rows per import: split the file"),
            ));
        }
        let cell = |col: Option<usize>| col.and_then(|c| f.get(c)).unwrap_or("");
        // An address is required for email; for SMS an empty one is simply absent.
        let email = match cell(email_col) {
            "" if by_phone => Ok(None),
            raw => Email::parse("email", raw).map(Some),
        };
        let contact = match (email, phone_col) {
            (Err(v), _) => Err(v),
            (Ok(email), Some(_)) => Phone::parse("phone", cell(phone_col)).map(|p| (email, Some(p))),
            (Ok(email), None) => Ok((email, None)),
        };
        let date = f.get(date_col).and_then(parse_date);
        match (contact, date) {
            (Err(v), _) => rejected.push(Rejected { line: line_no, violation: v }),
            (_, None) => rejected.push(Rejected {
                line: line_no,
                violation: Violation::new(
                    "original_date",
                    "date_format",
                    "the opt-in date is missing or not a date (2024-03-01 or 2024-03-01 10:00:00)",
                ),
            }),
            (_, Some(d)) if d > now => rejected.push(Rejected {
                line: line_no,
                violation: Violation::new("original_date", "future_date", "the opt-in date is in the future"),
            }),
            (Ok((email, phone)), Some(d)) => {
                rows.push(Row { line: line_no, email, phone, original_date: crate::time::truncate_to_millis(d) })
            }
        }
    }
    Ok((rows, rejected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::at;

    #[test]
    fn mailchimp_and_brevo_shapes() {
        let mailchimp = "Email Address,First Name,OPTIN_TIME\njane@example.com,\"Doe, Jane\",2025-03-01 10:00:00\nbad,,2025-01-01\nlate@example.com,,2099-01-01\nnodate@example.com,,\n";
        let (rows, rejected) = parse(mailchimp, at(100), false).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].line, rows[0].email.as_ref().unwrap().as_str()), (2, "jane@example.com"));
        let why: Vec<(usize, &str)> = rejected.iter().map(|r| (r.line, r.violation.rule.as_str())).collect();
        assert_eq!(why, vec![(3, "email_format"), (4, "future_date"), (5, "date_format")]);

        let brevo = "\u{feff}EMAIL;NOM;DATE D'INSCRIPTION\n\"camille@example.fr\";Martin;01/02/2025\n";
        let (rows, rejected) = parse(brevo, at(100), false).unwrap();
        assert_eq!((rows.len(), rejected.len()), (1, 0));
        assert_eq!(crate::time::format(&rows[0].original_date), "2025-02-01T00:00:00.000Z");
    }

    #[test]
    fn quoted_fields_may_hold_separators_quotes_and_newlines() {
        let csv = "Email Address,Notes,OPTIN_TIME\r\n\"a@example.fr\",\"likes \"\"tea\"\", coffee\r\nand cake\",2025-01-01\r\n\r\nb@example.fr,,2025-01-02\r\nbad,\"x\",2025-01-03\r\n";
        let (rows, rejected) = parse(csv, at(100), false).unwrap();
        let got: Vec<_> = rows.iter().map(|r| (r.line, r.email.as_ref().unwrap().as_str())).collect();
        assert_eq!(got, vec![(2, "a@example.fr"), (5, "b@example.fr")], "lines counted as in the file");
        assert_eq!(rejected.iter().map(|r| r.line).collect::<Vec<_>>(), vec![6]);
        let (unix, _) = parse(&csv.replace("\r\n", "\n"), at(100), false).unwrap();
        assert_eq!(unix.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 5], "the same with bare newlines");
    }

    #[test]
    fn whole_file_problems() {
        assert_eq!(parse("", at(0), false).unwrap_err().rule, "header");
        assert_eq!(parse("name,date\nx,2025-01-01\n", at(0), false).unwrap_err().rule, "email_column");
        assert_eq!(parse("email\nx@y.fr\n", at(0), false).unwrap_err().rule, "date_column");
        assert_eq!(parse("email,date\nx@y.fr,2025-01-01\n", at(0), true).unwrap_err().rule, "phone_column");
    }

    #[test]
    fn sms_exports_give_numbers_with_or_without_addresses() {
        let brevo = "EMAIL;SMS;OPTIN_TIME\ncamille@example.fr;+33612345678;2025-02-01\n;0611111111;2025-02-02\nx@y.fr;12;2025-02-03\nbad;0622222222;2025-02-04\n";
        let (rows, rejected) = parse(brevo, at(100), true).unwrap();
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.line, r.email.as_ref().map(|e| e.as_str()), r.phone.as_ref().unwrap().as_str()))
            .collect();
        assert_eq!(got, vec![(2, Some("camille@example.fr"), "+33612345678"), (3, None, "+33611111111")]);
        let why: Vec<_> = rejected.iter().map(|r| (r.line, r.violation.rule.as_str())).collect();
        assert_eq!(why, vec![(4, "phone_format"), (5, "email_format")]);
        let mailchimp = "Phone Number,Opt-in Date\n+1 415 555 0100,2025-01-01\n";
        let (rows, _) = parse(mailchimp, at(100), true).unwrap();
        assert_eq!((rows[0].email.is_none(), rows[0].phone.as_ref().unwrap().as_str()), (true, "+14155550100"));
        let (rows, _) = parse("EMAIL;SMS;OPTIN_TIME\na@b.fr;0612345678;2025-02-01\n", at(100), false).unwrap();
        assert!(rows[0].phone.is_none(), "an import for email takes no number");
    }
}
