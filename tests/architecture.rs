//! The shape of `src/`: no two modules depend on each other, directly or round a loop.
//! Arrows point one way (web → sessions → charts and exports → sweep → training → model →
//! kernels → data), so a module can be read, tested and changed from the bottom up.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every module of the library in `src/` (`chart::heatmap::draw`, the root as "") with its
/// source; `src/bin/` holds the command line, a crate of its own on top of the library.
fn modules() -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path != root.join("bin") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&root).unwrap().with_extension("");
                let parts: Vec<String> = relative
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .filter(|p| p != "mod" && p != "lib")
                    .collect();
                found.insert(parts.join("::"), std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    found
}

/// The modules a module's source names through `crate::…`, `super::…` or `self::…` paths,
/// each resolved to the longest known module prefix.
fn dependencies(module: &str, source: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let parent = |m: &str| {
        m.rsplit_once("::")
            .map_or(String::new(), |(p, _)| p.to_string())
    };
    let mut found = BTreeSet::new();
    // Code only: a comment may name a module it does not use.
    let code: String = source
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| w.starts_with("crate::") || w.starts_with("super::") || w.starts_with("self::"))
        .collect();
    for word in words {
        let mut base = module.to_string();
        let mut rest: Vec<&str> = word.split("::").filter(|s| !s.is_empty()).collect();
        match rest[0] {
            "crate" => base.clear(),
            "self" => {}
            _ => {
                while rest.first() == Some(&"super") {
                    base = parent(&base);
                    rest.remove(0);
                }
                rest.insert(0, "super");
            }
        }
        let mut target = base.clone();
        for segment in rest.iter().skip(1) {
            let next = if target.is_empty() {
                segment.to_string()
            } else {
                format!("{target}::{segment}")
            };
            if !known.contains(&next) {
                break;
            }
            target = next;
        }
        found.insert(target);
    }
    found
}

/// Every module and the modules it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(module, source)| (module.clone(), dependencies(module, source, &known)))
        .collect()
}

/// The graph between the parts of `folder` ("" for the crate's top level): every module
/// inside a part counts as that part, and what a part names inside another part (or the
/// other part itself) counts as an arrow between the two.
fn between_parts(
    graph: &BTreeMap<String, BTreeSet<String>>,
    folder: &str,
) -> BTreeMap<String, BTreeSet<String>> {
    let part = |module: &str| -> Option<String> {
        let rest = if folder.is_empty() {
            module
        } else {
            module.strip_prefix(folder)?.strip_prefix("::")?
        };
        let first = rest.split("::").next().filter(|p| !p.is_empty())?;
        Some(if folder.is_empty() {
            first.to_string()
        } else {
            format!("{folder}::{first}")
        })
    };
    let mut parts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, deps) in graph {
        let Some(from) = part(module) else { continue };
        let arrows = parts.entry(from.clone()).or_default();
        arrows.extend(
            deps.iter()
                .filter_map(|dep| part(dep))
                .filter(|to| *to != from),
        );
    }
    parts
}

/// The folders of the crate: modules that have parts.
fn folders(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let mut folders = BTreeSet::from([String::new()]);
    for module in graph.keys() {
        if let Some((parent, _)) = module.rsplit_once("::") {
            folders.insert(parent.to_string());
        }
    }
    folders
}

/// A loop of modules, if there is one: depth-first search for a back edge.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|start| visit(start, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_depends_on_itself_round_a_loop() {
    let graph = graph();
    for folder in folders(&graph) {
        let parts = between_parts(&graph, &folder);
        if folder.is_empty() {
            for (part, deps) in &parts {
                let deps: Vec<&str> = deps.iter().map(String::as_str).collect();
                println!("{part:<12} → {}", deps.join(", "));
            }
        }
        assert_eq!(
            find_cycle(&parts),
            None,
            "a loop among the parts of “{folder}”"
        );
    }
}

#[test]
fn the_loop_finder_finds_a_loop() {
    let edge = |a: &str, b: &str| (a.to_string(), BTreeSet::from([b.to_string()]));
    let looped = BTreeMap::from([edge("a", "b"), edge("b", "c"), edge("c", "a")]);
    assert_eq!(find_cycle(&looped).map(|c| c.len()), Some(4));
    let straight = BTreeMap::from([edge("a", "b"), edge("b", "c")]);
    assert_eq!(find_cycle(&straight), None);
}
