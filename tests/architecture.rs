//! The layout the README and ARCHITECTURE.md promise: the library knows nothing of the command
//! line, it has one folder per stage and a module imports only its own stage and earlier ones,
//! no two modules import each other, and the subcommands call the library's stages rather than
//! doing their work.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// The library's top-level modules in stage order: a module may import its own stage and those
/// before it, never a later one. What every stage uses comes first; what drives whole runs last.
const STAGES: &[&[&str]] = &[
    &["error", "data", "files", "choice", "language"],
    &["input"],
    &["text"],
    &["read"],
    &["model"],
    &["write"],
    &["batch", "run", "learn"],
];

/// Stage internals that a subcommand has no business with: it asks the library for a scoring,
/// an explanation or a fit, and never builds one from the parts.
const NOT_FOR_SUBCOMMANDS: &[&str] = &[
    "text::",
    "read::rules",
    "read::phrase",
    "read::style",
    "read::boilerplate",
    "model::features",
    "model::attribution",
    "model::pooling",
];

/// Each source file's code (tests left out), by module path (`text::tokenize`, `input`).
fn sources(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let module = match (prefix, name.as_str()) {
            (p, "mod") => p.to_string(),
            ("", n) => n.to_string(),
            (p, n) => format!("{p}::{n}"),
        };
        if path.is_dir() {
            sources(&path, &module, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            // Comments name modules without importing them.
            let code = (code.lines())
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            out.insert(module, code);
        }
    }
}

fn src() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The library's modules: every file but the binary's.
fn library_modules() -> BTreeMap<String, String> {
    let mut modules = BTreeMap::new();
    sources(&src(), "", &mut modules);
    modules.retain(|m, _| m != "lib" && m != "main" && m != "cmd" && !m.starts_with("cmd::"));
    modules
}

/// The modules `code` names by a path through them (`crate::read::target::Target`), each the
/// longest module path that is one.
fn imports<'m>(code: &str, modules: &'m BTreeMap<String, String>, root: &str) -> BTreeSet<&'m str> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices(root) {
        let path: String = code[at + root.len()..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let longest = modules
            .keys()
            .filter(|m| path == **m || path.starts_with(&format!("{m}::")))
            .max_by_key(|m| m.len());
        if let Some(module) = longest {
            found.insert(module.as_str());
        }
    }
    found
}

fn stage_of(module: &str) -> Option<usize> {
    let top = module.split("::").next().unwrap();
    STAGES.iter().position(|stage| stage.contains(&top))
}

#[test]
fn the_library_does_not_use_clap() {
    let modules = library_modules();
    assert!(modules.len() > 40, "{:?}", modules.keys());
    for (name, code) in &modules {
        assert!(!code.contains("clap"), "{name} mentions clap");
    }
}

#[test]
fn every_module_has_a_stage_and_imports_none_later() {
    let modules = library_modules();
    for (name, code) in &modules {
        let own = stage_of(name).unwrap_or_else(|| panic!("{name} is in no stage of STAGES"));
        for used in imports(code, &modules, "crate::") {
            let theirs = stage_of(used).unwrap();
            assert!(
                theirs <= own,
                "{name} (stage {own}) imports {used}, of the later stage {theirs}"
            );
        }
    }
}

#[test]
fn no_two_modules_import_each_other_even_through_others() {
    let modules = library_modules();
    let graph: BTreeMap<&str, BTreeSet<&str>> = modules
        .iter()
        .map(|(name, code)| {
            let mut used = imports(code, &modules, "crate::");
            // A module's own path and its parent's `mod` lines are not imports of it.
            used.retain(|u| u != name && !name.starts_with(&format!("{u}::")));
            (name.as_str(), used)
        })
        .collect();
    // Depth-first search for a path back to the start.
    for start in graph.keys() {
        let mut stack: Vec<Vec<&str>> = vec![vec![start]];
        let mut seen = BTreeSet::new();
        while let Some(path) = stack.pop() {
            let last = path[path.len() - 1];
            for next in &graph[last] {
                assert!(
                    next != start,
                    "import cycle: {} -> {next}",
                    path.join(" -> ")
                );
                if seen.insert(*next) {
                    let mut longer = path.clone();
                    longer.push(next);
                    stack.push(longer);
                }
            }
        }
    }
}

#[test]
fn subcommands_call_the_library_and_do_not_rebuild_its_stages() {
    let mut commands = BTreeMap::new();
    sources(&src().join("cmd"), "cmd", &mut commands);
    assert!(commands.len() > 5, "{:?}", commands.keys());
    for (name, code) in &commands {
        for internal in NOT_FOR_SUBCOMMANDS {
            assert!(
                !code.contains(&format!("stance::{internal}")),
                "{name} uses stance::{internal}: a stage's internals belong in the library"
            );
        }
    }
}

#[test]
fn the_checks_see_the_imports_they_judge() {
    let modules = library_modules();
    let scorer = &modules["model::scorer"];
    let used = imports(scorer, &modules, "crate::");
    for expected in [
        "read::analysis",
        "model::features",
        "model::linear",
        "text::analyze",
    ] {
        assert!(used.contains(expected), "{used:?}");
    }
    assert_eq!(stage_of("text::tokenize"), Some(2));
    assert_eq!(stage_of("learn::train"), Some(6));
    assert_eq!(stage_of("nowhere"), None);
}
