//! No import cycles between modules (issue #18): in each crate, the modules that name each
//! other through `crate::…` or `super::…` paths (outside comments and test modules) form no
//! cycle, so each file can be read after the ones it uses.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name (`api::consent`) → the modules it names.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut g = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap().with_extension("");
        let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        let name = parts.join("::");
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let mut deps = BTreeSet::new();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (prefix, base) in
                [("crate::", Vec::new()), ("super::", parts[..parts.len().saturating_sub(1)].to_vec())]
            {
                for (i, _) in line.match_indices(prefix) {
                    let rest = &line[i + prefix.len()..];
                    let ident = |s: &str| -> String {
                        s.chars().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_').collect()
                    };
                    let first = ident(rest);
                    if first.is_empty() {
                        continue;
                    }
                    let mut path = base.clone();
                    path.push(first.clone());
                    // A submodule when the file exists (`api::consent`), else the module itself.
                    let second = rest[first.len()..].strip_prefix("::").map(ident).unwrap_or_default();
                    let dir = src.join(path.join("/"));
                    if !second.is_empty() && dir.join(format!("{second}.rs")).is_file() {
                        path.push(second);
                    }
                    deps.insert(path.join("::"));
                }
            }
        }
        deps.remove(&name);
        g.insert(name, deps);
    }
    g
}

/// A cycle, if the graph has one (depth-first search).
fn cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        g: &BTreeMap<String, BTreeSet<String>>,
        node: &str,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut found = stack[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for dep in g.get(node).into_iter().flatten().filter(|d| g.contains_key(*d)) {
            if let Some(found) = visit(g, dep, stack, done) {
                return Some(found);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    g.keys().find_map(|start| visit(g, start, &mut Vec::new(), &mut done))
}

#[test]
fn no_crate_has_an_import_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for krate in ["core", "edge", "widget", "xtask"] {
        let g = graph(&root.join(krate).join("src"));
        assert!(g.len() > 1, "{krate}: modules read");
        assert_eq!(cycle(&g), None, "{krate}: modules that use each other in a cycle");
    }
}

#[test]
fn a_cycle_is_found() {
    let g: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_owned(), ["b".to_owned()].into()),
        ("b".to_owned(), ["c".to_owned()].into()),
        ("c".to_owned(), ["a".to_owned()].into()),
        ("d".to_owned(), BTreeSet::new()),
    ]
    .into();
    assert_eq!(cycle(&g), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}
