//! A directory: every `.txt`, `.md` and `.markdown` file below it, one article each, in id order.

use std::path::{Path, PathBuf};

use super::{
    InputOptions, Item, Problem, TEXT_EXTENSIONS, io_reason, open_counted, problem,
    text::text_article,
};

/// Whether a directory reader takes this file for an article.
pub(super) fn is_text_file(path: &Path) -> bool {
    path.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| TEXT_EXTENSIONS.iter().any(|t| x.eq_ignore_ascii_case(t)))
}

/// Text files below `root`, with ids relative to `root`, in id order (whatever order the file
/// system lists them in).
pub(super) fn directory_articles(
    root: PathBuf,
    options: InputOptions,
) -> Box<dyn Iterator<Item = Item> + Send> {
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    for entry in walkdir::WalkDir::new(&root).follow_links(true) {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if is_text_file(e.path()) {
                    let id = e
                        .path()
                        .strip_prefix(&root)
                        .unwrap_or(e.path())
                        .to_string_lossy()
                        .replace('\\', "/");
                    files.push((id, e.into_path()));
                }
            }
            Ok(_) => {}
            Err(e) => {
                let location = e.path().unwrap_or(&root).display().to_string();
                let reason = if e.loop_ancestor().is_some() {
                    "symbolic link loop, not followed".to_string()
                } else {
                    e.io_error().map_or_else(|| e.to_string(), io_reason)
                };
                problems.push(problem(location, reason));
            }
        }
    }
    if files.is_empty() {
        problems.push(problem(
            root.display().to_string(),
            "directory holds no .txt or .md files",
        ));
    }
    files.sort_unstable();
    problems.sort_unstable_by(|a, b| a.location.cmp(&b.location));
    let articles = files.into_iter().map(move |(id, path)| {
        let location = path.display().to_string();
        match open_counted(&path, &options) {
            Ok(file) => text_article(id, &location, file, &options),
            Err(e) => Err(Problem {
                id: Some(id),
                ..problem(location, io_reason(&e))
            }),
        }
    });
    Box::new(problems.into_iter().map(Err).chain(articles))
}
