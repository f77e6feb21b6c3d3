//! The layout the README promises: the library knows nothing of the command line, and its
//! modules import one another in one direction only.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Each library module's source (tests left out), by module name.
fn library_modules() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap();
    let mut modules = BTreeMap::new();
    for line in lib.lines() {
        if let Some(name) = line
            .strip_prefix("pub mod ")
            .and_then(|l| l.strip_suffix(';'))
        {
            let file = src.join(format!("{name}.rs"));
            let text = fs::read_to_string(&file)
                .or_else(|_| fs::read_to_string(src.join(name).join("mod.rs")))
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
            modules.insert(name.to_string(), code);
        }
    }
    modules
}

#[test]
fn the_library_does_not_use_clap() {
    let modules = library_modules();
    assert!(modules.len() > 15, "{:?}", modules.keys());
    for (name, code) in &modules {
        assert!(!code.contains("clap"), "src/{name}.rs mentions clap");
    }
}

#[test]
fn no_two_modules_import_each_other_even_through_others() {
    let modules = library_modules();
    let imports: BTreeMap<&str, BTreeSet<&str>> = modules
        .iter()
        .map(|(name, code)| {
            let used = modules
                .keys()
                .filter(|other| {
                    // A path through the module, not a doc link to it.
                    *other != name
                        && [format!("crate::{other}::"), format!("crate::{other};")]
                            .iter()
                            .any(|p| code.contains(p.as_str()))
                })
                .map(String::as_str)
                .collect();
            (name.as_str(), used)
        })
        .collect();
    // Depth-first search for a path back to the start.
    for start in imports.keys() {
        let mut stack: Vec<Vec<&str>> = vec![vec![start]];
        let mut seen = BTreeSet::new();
        while let Some(path) = stack.pop() {
            let last = path[path.len() - 1];
            for next in &imports[last] {
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
