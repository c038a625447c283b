//! RFC 8058 one-click bodies: `List-Unsubscribe=One-Click`, sent as
//! `application/x-www-form-urlencoded` or `multipart/form-data`, plus the extra fields of our
//! own page's forms (`scope=all`, `objection=1`).

use futures_util::FutureExt as _;

/// The fields of a form body, whichever of the two encodings it uses; none from a body that
/// does not parse.
pub fn form_fields(content_type: Option<&str>, body: &[u8]) -> Vec<(String, String)> {
    let ct = content_type.unwrap_or("");
    if ct.to_ascii_lowercase().starts_with("multipart/form-data") {
        multipart_fields(ct, body)
    } else {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
    }
}

/// A `multipart/form-data` body's text fields, each named by its part's `Content-Disposition`
/// `name` parameter (RFC 7578), read by multer.
fn multipart_fields(content_type: &str, body: &[u8]) -> Vec<(String, String)> {
    let Ok(boundary) = multer::parse_boundary(content_type) else { return Vec::new() };
    let whole: Result<Vec<u8>, std::convert::Infallible> = Ok(body.to_vec());
    let mut parts = multer::Multipart::new(futures_util::stream::once(async move { whole }), boundary);
    let read = async move {
        let mut fields = Vec::new();
        while let Some(part) = parts.next_field().await? {
            let Some(name) = part.name().map(str::to_owned) else { continue };
            fields.push((name, part.text().await?));
        }
        Ok::<_, multer::Error>(fields)
    };
    // The whole body is already in memory, so reading it never waits.
    read.now_or_never().and_then(Result::ok).unwrap_or_default()
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

    #[test]
    fn a_value_keeps_its_line_breaks_and_a_truncated_body_has_no_fields() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\none\r\ntwo\r\n--b--\r\n";
        let f = form_fields(Some("multipart/form-data; boundary=b"), body);
        assert_eq!(field(&f, "note"), Some("one\r\ntwo"));
        let cut = b"--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Cl";
        assert!(form_fields(Some("multipart/form-data; boundary=b"), cut).is_empty());
    }
}
