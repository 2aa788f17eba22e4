//! No import loops among the files of a domain module and its children.
//!
//! A parent file that declares children, re-exports them and also defines items the children
//! import makes every child and the parent one tangle: none can be read or changed alone. So in
//! `domain::reconcile` and `domain::normalize` the parent only declares and re-exports, and
//! children import their siblings directly. This test reads the source and fails on any loop,
//! so a new `use super::Item` that points back at the parent is caught in CI.
//!
//! A file depends on another when it names a path into it: `use` declarations (with their
//! `{…}` groups expanded) and paths written inline in code (`super::Position`, `gaps::find_gaps`).
//! Comments and a file's inline `mod tests { … }` are left out: a test module's `use super::*`
//! names its own file, not the parent.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

/// The modules checked: their path in the crate, the parent file, and the children's folder.
const MODULES: [(&str, &str, &str); 2] = [
    (
        "crate::domain::reconcile",
        "src/domain/reconcile/mod.rs",
        "src/domain/reconcile",
    ),
    (
        "crate::domain::normalize",
        "src/domain/normalize.rs",
        "src/domain/normalize",
    ),
];

/// The label of the parent file in the graph.
const PARENT: &str = "(parent)";

/// The code of a file without comments and without an inline test module.
fn code_of(text: &str) -> Vec<String> {
    let mut code = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|next| next.trim().starts_with("mod ") && next.contains('{'))
        {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        let without_comment = trimmed.split(" // ").next().unwrap_or_default();
        code.push(without_comment.to_string());
    }
    code
}

/// The top-level items of a `{…}` group, split at the commas outside nested braces.
fn split_group(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (index, character) in group.char_indices() {
        match character {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    items.push(&group[start..]);
    items
        .into_iter()
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .collect()
}

/// Every path a use tree names: `super::{a, b::{c, d}}` names `super::a`, `super::b::c` and
/// `super::b::d`.
fn expand_use_tree(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    match (tree.find('{'), tree.rfind('}')) {
        (Some(open), Some(close)) if open < close => {
            let prefix = &tree[..open];
            split_group(&tree[open + 1..close])
                .into_iter()
                .flat_map(expand_use_tree)
                .map(|path| format!("{prefix}{path}"))
                .collect()
        }
        _ => {
            let path = tree.split(" as ").next().unwrap_or(tree).trim();
            vec![path.to_string()]
        }
    }
}

/// Every path a file names: its use trees expanded, and every `a::b` written in its code.
fn paths_named(text: &str) -> Vec<String> {
    let code = code_of(text).join("\n");
    let mut paths = Vec::new();
    let mut rest = code.as_str();
    // Use declarations first, so their groups are expanded; what remains is scanned for
    // inline paths.
    let mut other_code = String::new();
    while let Some(start) = find_use(rest) {
        other_code.push_str(&rest[..start]);
        let after_use = &rest[start..];
        let tree_start = after_use.find("use ").map_or(0, |index| index + 4);
        let end = after_use.find(';').unwrap_or(after_use.len());
        paths.extend(expand_use_tree(&after_use[tree_start..end]));
        rest = after_use.get(end + 1..).unwrap_or_default();
    }
    other_code.push_str(rest);
    let is_path_char = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    paths.extend(
        other_code
            .split(|c: char| !is_path_char(c))
            .filter(|token| token.contains("::"))
            .map(|token| token.trim_matches(':').to_string()),
    );
    paths
}

/// Where the next use declaration starts: `use`, `pub use`, `pub(crate) use`, at a line start.
fn find_use(code: &str) -> Option<usize> {
    let mut offset = 0;
    for line in code.split_inclusive('\n') {
        let stripped = line
            .strip_prefix("pub(crate) ")
            .or_else(|| line.strip_prefix("pub(super) "))
            .or_else(|| line.strip_prefix("pub "))
            .unwrap_or(line);
        if stripped.starts_with("use ") {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// The file of the module a path leads into, seen from `file` ([`PARENT`] or a child's name):
/// a child when the path goes through it, the parent for the parent's own items (or a glob of
/// them), `None` for anything outside the module.
fn target_of(module: &str, file: &str, children: &BTreeSet<String>, path: &str) -> Option<String> {
    let absolute = format!("{module}::");
    let inside = if let Some(rest) = path.strip_prefix(&absolute) {
        rest
    } else if file == PARENT {
        match path.strip_prefix("self::") {
            Some(rest) => rest,
            None if children.contains(path.split("::").next().unwrap_or_default()) => path,
            None => return None,
        }
    } else {
        path.strip_prefix("super::")?
    };
    let first = inside.split("::").next().unwrap_or_default();
    if children.contains(first) {
        Some(first.to_string())
    } else {
        Some(PARENT.to_string())
    }
}

/// The dependency edges between the files of one module, each file given by name and text.
fn edges(module: &str, files: &BTreeMap<String, String>) -> BTreeSet<(String, String)> {
    let children: BTreeSet<String> = files
        .keys()
        .filter(|name| name.as_str() != PARENT)
        .cloned()
        .collect();
    let mut edges = BTreeSet::new();
    for (file, text) in files {
        for path in paths_named(text) {
            if let Some(target) = target_of(module, file, &children, &path)
                && &target != file
            {
                edges.insert((file.clone(), target));
            }
        }
    }
    edges
}

/// One loop through each edge that is part of one, as `a → b → … → a`.
fn loops(edges: &BTreeSet<(String, String)>) -> Vec<String> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges {
        next.entry(from).or_default().push(to);
    }
    let mut found = Vec::new();
    for (from, to) in edges {
        // Breadth-first from `to` back to `from`, remembering how each file was reached.
        let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([to.as_str()]);
        while let Some(file) = queue.pop_front() {
            if file == from {
                let mut back = vec![from.as_str()];
                let mut step = from.as_str();
                while step != to {
                    step = came_from[step];
                    back.push(step);
                }
                let mut path = vec![from.as_str()];
                path.extend(back.iter().rev());
                found.push(path.join(" → "));
                break;
            }
            for &neighbour in next.get(file).map(Vec::as_slice).unwrap_or_default() {
                if neighbour != to.as_str() && !came_from.contains_key(neighbour) {
                    came_from.insert(neighbour, file);
                    queue.push_back(neighbour);
                }
            }
        }
    }
    found
}

fn read_module(parent: &str, folder: &str) -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &Path| std::fs::read_to_string(path).expect("source file reads");
    let mut files = BTreeMap::from([(PARENT.to_string(), read(&root.join(parent)))]);
    for entry in std::fs::read_dir(root.join(folder)).expect("module folder reads") {
        let path = entry.expect("folder entry reads").path();
        let is_child = path.extension().is_some_and(|extension| extension == "rs")
            && path.file_name().is_some_and(|name| name != "mod.rs");
        if is_child {
            let name = path
                .file_stem()
                .and_then(|stem| stem.to_str())
                .expect("file name is UTF-8")
                .to_string();
            files.insert(name, read(&path));
        }
    }
    files
}

#[test]
fn no_file_of_reconcile_or_normalize_imports_a_file_that_imports_it_back() {
    let mut problems = Vec::new();
    for (module, parent, folder) in MODULES {
        let files = read_module(parent, folder);
        assert!(files.len() > 2, "{module}: children were found");
        let edges = edges(module, &files);
        assert!(
            edges
                .iter()
                .any(|(from, to)| from != PARENT && to != PARENT),
            "{module}: the checker sees the children's imports of each other"
        );
        problems.extend(
            loops(&edges)
                .into_iter()
                .map(|found| format!("{module}: {found}")),
        );
    }
    assert!(
        problems.is_empty(),
        "import loops:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_checker_finds_a_loop_through_the_parent_and_ignores_test_modules() {
    let module = "crate::domain::sample";
    let file = |name: &str, text: &str| (name.to_string(), text.to_string());
    let tangled = BTreeMap::from([
        file(
            PARENT,
            "mod a;\nmod b;\npub use a::{A, more::{B as C}};\npub struct P;\nfn run() { b::go(); }",
        ),
        file("a", "use super::{b::Bee, P};\n"),
        file("b", "pub fn go(p: &super::P) {}\n"),
    ]);
    let found = edges(module, &tangled);
    assert_eq!(
        found,
        BTreeSet::from([
            (PARENT.to_string(), "a".to_string()),
            (PARENT.to_string(), "b".to_string()),
            ("a".to_string(), PARENT.to_string()),
            ("a".to_string(), "b".to_string()),
            ("b".to_string(), PARENT.to_string()),
        ])
    );
    assert_eq!(
        loops(&found),
        vec![
            "(parent) → a → (parent)",
            "(parent) → b → (parent)",
            "a → (parent) → a",
            "a → b → (parent) → a",
            "b → (parent) → b",
        ]
    );

    let untangled = BTreeMap::from([
        file(PARENT, "mod a;\nmod p;\npub use a::A;\npub use p::P;\n"),
        file(
            "a",
            "use crate::domain::sample::p::P;\n// use super::A;\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
        ),
        file("p", "pub struct P;\n"),
    ]);
    let found = edges(module, &untangled);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(loops(&found).is_empty());
}
