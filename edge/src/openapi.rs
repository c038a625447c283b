//! The OpenAPI 3.1 document of every route, served at `GET /openapi.json` and kept in the repo
//! (`edge/openapi.json`); the tests here keep it and the router in step.
pub const DOCUMENT: &str = include_str!("../openapi.json");

/// `GET /openapi.json`: readable from any origin (tools load it from their own pages).
pub fn response() -> crate::http::ApiResponse {
    crate::http::ApiResponse {
        status: 200,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("access-control-allow-origin".into(), "*".into()),
            ("cache-control".into(), "public, max-age=300".into()),
        ],
        body: DOCUMENT.as_bytes().to_vec(),
        precompressed: false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use serde_json::Value;

    use super::DOCUMENT;
    use crate::routes::{Access, ROUTES};

    /// Keys of a path item that are not operations.
    const NOT_OPERATIONS: &[&str] = &["parameters", "summary", "description", "servers", "$ref"];

    fn document() -> Value {
        serde_json::from_str(DOCUMENT).expect("edge/openapi.json is JSON")
    }

    /// `(METHOD, path, operation)` of every operation, CORS preflights (`options`) included.
    fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
        let paths = doc["paths"].as_object().expect("`paths` is an object");
        let mut out = Vec::new();
        for (path, item) in paths {
            let item = item.as_object().unwrap_or_else(|| panic!("path item {path} is an object"));
            for (method, op) in item {
                if NOT_OPERATIONS.contains(&method.as_str()) {
                    continue;
                }
                out.push((method.to_uppercase(), path.clone(), op));
            }
        }
        out
    }

    /// Resolves a local `$ref` (`#/components/...`).
    fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
        reference.strip_prefix('#').filter(|p| p.starts_with("/components/")).and_then(|p| doc.pointer(p))
    }

    /// The body each entry declares is the one its operation documents: JSON routes take a
    /// required `application/json` body and may answer 415, form routes a form and may answer
    /// 415, the others document no body.
    #[test]
    fn documents_the_media_type_each_entry_enforces() {
        use crate::routes::Media;
        let doc = document();
        for spec in ROUTES.iter().filter(|s| s.method != "OPTIONS") {
            let path = spec.template.replace("{path}", "{L}/{N}");
            let op = &doc["paths"][&path][spec.method.to_lowercase()];
            let body = &op["requestBody"];
            let types: BTreeSet<&str> =
                body["content"].as_object().map(|c| c.keys().map(String::as_str).collect()).unwrap_or_default();
            let answers_415 = op["responses"].get("415").is_some();
            let at = format!("{} {}", spec.method, spec.template);
            match spec.media {
                Media::Json => {
                    assert_eq!(types, BTreeSet::from(["application/json"]), "{at}");
                    assert_eq!(body["required"], true, "{at}");
                    assert!(answers_415, "{at} documents its 415");
                }
                Media::Form => {
                    let forms = BTreeSet::from(["application/x-www-form-urlencoded", "multipart/form-data"]);
                    assert!(!types.is_empty() && types.is_subset(&forms), "{at}: {types:?}");
                    assert!(answers_415, "{at} documents its 415");
                }
                Media::NoParameters | Media::Ignored => assert!(body.is_null(), "{at} documents no body"),
            }
        }
    }

    #[test]
    fn is_openapi_3_1() {
        let doc = document();
        let version = doc["openapi"].as_str().expect("`openapi` is a string");
        assert!(version.starts_with("3.1"), "openapi is {version}");
        assert_eq!(doc["info"]["title"], "Accord edge API");
        assert!(doc["info"]["version"].is_string());
    }

    #[test]
    fn documents_exactly_the_routes() {
        let doc = document();
        let documented: BTreeSet<(String, String)> = operations(&doc).into_iter().map(|(m, p, _)| (m, p)).collect();
        let routed: BTreeSet<(String, String)> =
            ROUTES.iter().map(|r| (r.method.to_owned(), r.template.to_owned())).collect();
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        let unrouted: Vec<_> = documented.difference(&routed).collect();
        assert!(
            undocumented.is_empty() && unrouted.is_empty(),
            "edge/openapi.json and routes::ROUTES differ.\n  in ROUTES, not documented: {undocumented:?}\n  documented, not in ROUTES: {unrouted:?}"
        );
    }

    #[test]
    fn every_operation_is_named_summarised_answered_and_secured() {
        let doc = document();
        let access: BTreeMap<(String, String), Access> =
            ROUTES.iter().map(|r| ((r.method.to_owned(), r.template.to_owned()), r.access)).collect();
        let mut ids = BTreeSet::new();
        let paths = doc["paths"].as_object().unwrap();
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                if NOT_OPERATIONS.contains(&method.as_str()) {
                    continue;
                }
                let what = format!("{} {path}", method.to_uppercase());
                let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{what}: no operationId"));
                assert!(ids.insert(id.to_owned()), "{what}: operationId '{id}' is used twice");
                assert!(op["summary"].as_str().is_some_and(|s| !s.trim().is_empty()), "{what}: no summary");
                let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{what}: no responses"));
                assert!(responses.keys().any(|code| code.starts_with('2')), "{what}: no 2xx response");
                let want = match access.get(&(method.to_uppercase(), path.clone())) {
                    Some(Access::Controller(scope)) => {
                        let name = serde_json::to_value(scope).unwrap();
                        assert_eq!(
                            op.get("x-accord-scope"),
                            Some(&name),
                            "{what}: the documented scope is the enforced one"
                        );
                        serde_json::json!([{"bearer": []}])
                    }
                    Some(Access::Public) | None => serde_json::json!([]),
                };
                assert_eq!(op.get("security"), Some(&want), "{what}: security");
            }
        }
        assert!(
            doc.pointer("/components/securitySchemes/bearer")
                .is_some_and(|s| s["type"] == "http" && s["scheme"] == "bearer")
        );
    }

    #[test]
    fn every_path_parameter_is_declared() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().unwrap() {
            let in_template: BTreeSet<&str> =
                path.split('/').filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect();
            for (method, op) in item.as_object().unwrap() {
                if NOT_OPERATIONS.contains(&method.as_str()) {
                    continue;
                }
                let declared: BTreeSet<String> = [&item["parameters"], &op["parameters"]]
                    .into_iter()
                    .filter_map(Value::as_array)
                    .flatten()
                    .map(|p| match p["$ref"].as_str() {
                        Some(r) => resolve(&doc, r).unwrap_or_else(|| panic!("{path}: unresolved {r}")),
                        None => p,
                    })
                    .filter(|p| p["in"] == "path")
                    .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
                    .collect();
                let declared: BTreeSet<&str> = declared.iter().map(String::as_str).collect();
                assert_eq!(declared, in_template, "{} {path}: path parameters", method.to_uppercase());
            }
        }
    }

    #[test]
    fn every_reference_resolves() {
        fn walk(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
            match v {
                Value::Object(map) => {
                    for (k, child) in map {
                        if k == "$ref" {
                            out.push((at.to_owned(), child.as_str().unwrap_or("<not a string>").to_owned()));
                        } else if k == "mapping" && at.ends_with("/discriminator") {
                            // Discriminator mappings name schemas by reference too.
                            for target in child.as_object().into_iter().flat_map(|m| m.values()) {
                                out.push((at.to_owned(), target.as_str().unwrap_or("<not a string>").to_owned()));
                            }
                        } else {
                            walk(child, &format!("{at}/{k}"), out);
                        }
                    }
                }
                Value::Array(items) => {
                    items.iter().enumerate().for_each(|(i, child)| walk(child, &format!("{at}/{i}"), out))
                }
                _ => {}
            }
        }
        let doc = document();
        let mut refs = Vec::new();
        walk(&doc, "#", &mut refs);
        assert!(!refs.is_empty());
        let broken: Vec<_> = refs.iter().filter(|(_, r)| resolve(&doc, r).is_none()).collect();
        assert!(broken.is_empty(), "unresolved references (where, $ref): {broken:?}");
    }
}
