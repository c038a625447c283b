//! RFC 8058 one-click bodies: `List-Unsubscribe=One-Click`, sent as
//! `application/x-www-form-urlencoded` or `multipart/form-data`, plus the extra fields of our
//! own page's forms (`scope=all`, `objection=1`).

/// The fields of a form body, whichever of the two encodings it uses.
pub fn form_fields(content_type: Option<&str>, body: &[u8]) -> Vec<(String, String)> {
    let ct = content_type.unwrap_or("");
    if ct.to_ascii_lowercase().starts_with("multipart/form-data") {
        let boundary = ct.split(';').find_map(|p| {
            let (k, v) = p.trim().split_once('=')?;
            k.eq_ignore_ascii_case("boundary").then(|| v.trim_matches('"').to_owned())
        });
        let Some(boundary) = boundary.filter(|b| !b.is_empty()) else { return Vec::new() };
        let text = String::from_utf8_lossy(body);
        text.split(&format!("--{boundary}"))
            .filter_map(|part| {
                let (head, value) = part.split_once("\r\n\r\n").or_else(|| part.split_once("\n\n"))?;
                let name = head.lines().find_map(disposition_name)?;
                Some((name, value.trim_end_matches(['\r', '\n']).to_owned()))
            })
            .collect()
    } else {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
    }
}

/// The `name` parameter of a part's `Content-Disposition: form-data` header line (RFC 7578),
/// read as a parameter: `filename="…"` is another parameter, not a name.
fn disposition_name(line: &str) -> Option<String> {
    let (header, value) = line.split_once(':')?;
    if !header.trim().eq_ignore_ascii_case("content-disposition") {
        return None;
    }
    let mut params = value.split(';');
    if !params.next()?.trim().eq_ignore_ascii_case("form-data") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim().eq_ignore_ascii_case("name").then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Whether the body carries RFC 8058's `List-Unsubscribe=One-Click`.
pub fn is_one_click(fields: &[(String, String)]) -> bool {
    fields.iter().any(|(k, v)| k == "List-Unsubscribe" && v == "One-Click")
}

pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencoded_as_mail_clients_send_it() {
        let f = form_fields(Some("application/x-www-form-urlencoded"), b"List-Unsubscribe=One-Click");
        assert!(is_one_click(&f));
        let f = form_fields(Some("application/x-www-form-urlencoded"), b"List-Unsubscribe=One-Click&scope=all");
        assert_eq!(field(&f, "scope"), Some("all"));
        assert!(!is_one_click(&form_fields(Some("application/x-www-form-urlencoded"), b"List-Unsubscribe=Other")));
    }

    #[test]
    fn multipart_as_mail_clients_send_it() {
        let body =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
        let f = form_fields(Some("multipart/form-data; boundary=XyZ"), body);
        assert!(is_one_click(&f), "{f:?}");
        assert!(form_fields(Some("multipart/form-data"), body).is_empty(), "no boundary, no fields");
        assert!(!is_one_click(&form_fields(None, b"\xff\xfe")));
    }

    #[test]
    fn a_parts_name_is_its_name_parameter_not_its_filename() {
        let body =
            b"--b\r\nContent-Disposition: form-data; filename=\"List-Unsubscribe\"; name=\"note\"\r\n\r\nOne-Click\r\n\
--b\r\ncontent-type: text/plain\r\ncontent-disposition: form-data; name=scope\r\n\r\nall\r\n--b--\r\n";
        let f = form_fields(Some("multipart/form-data; boundary=b"), body);
        assert_eq!(f, vec![("note".to_owned(), "One-Click".to_owned()), ("scope".to_owned(), "all".to_owned())]);
        assert!(!is_one_click(&f), "a file named List-Unsubscribe is not the field");
    }
}
