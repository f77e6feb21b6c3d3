//! Where output bytes go: a regular file replaced atomically (never half written), or a device,
//! FIFO or standard output written straight through. Used by every stage that writes a file.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Temporary files for `path` are `.{file name}.{random}.stance-tmp` in its directory, so the
/// ones a killed run left behind can be found and removed.
pub const TEMPORARY_SUFFIX: &str = ".stance-tmp";

pub fn temporary_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    format!(".{name}.")
}

/// An output path checked before anything is scored: where the bytes really go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputPath {
    /// A regular file, existing or new, with any symlink followed to its target: replaced
    /// atomically, with its lock and manifest beside the target.
    Regular(PathBuf),
    /// A device, FIFO or socket (`/dev/null`, `/dev/stdout`): written straight through, never
    /// replaced.
    Stream(PathBuf),
}

impl OutputPath {
    /// Follows symlinks and refuses what cannot be an output: a directory, or a new file in a
    /// directory that does not exist.
    pub fn resolve(path: &Path) -> io::Result<OutputPath> {
        let target = follow_symlinks(path)?;
        let refuse = |reason: String| {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: {reason}", path.display()),
            ))
        };
        match std::fs::metadata(&target) {
            Ok(meta) if meta.is_dir() => refuse("is a directory; give a file name".into()),
            Ok(meta) if meta.is_file() => Ok(OutputPath::Regular(target)),
            Ok(_) => Ok(OutputPath::Stream(target)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let dir = parent_dir(&target);
                if dir.is_dir() {
                    Ok(OutputPath::Regular(target))
                } else {
                    refuse(format!("the directory {} does not exist", dir.display()))
                }
            }
            Err(e) => refuse(e.to_string()),
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            OutputPath::Regular(p) | OutputPath::Stream(p) => p,
        }
    }
}

/// `path` with every symlink on it followed, also when the last one points at a file that does
/// not exist yet.
fn follow_symlinks(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = parent_dir(&current).join(link);
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{}: too many levels of symbolic links", path.display()),
    ))
}

/// The directory a file is in; `.` for a bare file name.
pub fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Where rows go: standard output, a device or FIFO written straight through, or a temporary
/// file beside the target that [`commit`] renames into place, so a reader (or a crash) never
/// sees half a file and an interrupted run leaves the previous output intact.
///
/// [`commit`]: Destination::commit
pub enum Destination {
    Stdout(io::BufWriter<io::Stdout>),
    Stream(io::BufWriter<std::fs::File>),
    File {
        tmp: io::BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
    },
}

impl Destination {
    pub fn stdout() -> Self {
        Destination::Stdout(io::BufWriter::new(io::stdout()))
    }

    /// Writes to an output checked by [`OutputPath::resolve`].
    pub fn create(output: &OutputPath) -> io::Result<Self> {
        match output {
            OutputPath::Regular(path) => Destination::file(path),
            OutputPath::Stream(path) => {
                let file = std::fs::OpenOptions::new().write(true).open(path)?;
                Ok(Destination::Stream(io::BufWriter::new(file)))
            }
        }
    }

    /// `None` is standard output; a path is resolved and written as [`Destination::create`].
    pub fn for_output(output: Option<&Path>) -> io::Result<Self> {
        match output {
            Some(path) => Destination::create(&OutputPath::resolve(path)?),
            None => Ok(Destination::stdout()),
        }
    }

    /// A temporary file beside the regular file `path`, renamed onto it by `commit`.
    pub fn file(path: &Path) -> io::Result<Self> {
        let tmp = tempfile::Builder::new()
            .prefix(&temporary_prefix(path))
            .suffix(TEMPORARY_SUFFIX)
            .tempfile_in(parent_dir(path))?;
        Ok(Destination::File {
            tmp: io::BufWriter::new(tmp),
            path: path.to_path_buf(),
        })
    }

    pub fn commit(self) -> io::Result<()> {
        match self {
            Destination::Stdout(mut out) => out.flush(),
            Destination::Stream(mut out) => out.flush(),
            Destination::File { tmp, path } => {
                let tmp = tmp.into_inner().map_err(|e| e.into_error())?;
                tmp.as_file().sync_all()?;
                // Temporary files are private; an output file is an ordinary one.
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))?;
                }
                tmp.persist(&path).map_err(|e| e.error)?;
                Ok(())
            }
        }
    }
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Destination::Stdout(out) => out.write(buf),
            Destination::Stream(out) => out.write(buf),
            Destination::File { tmp, .. } => tmp.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Destination::Stdout(out) => out.flush(),
            Destination::Stream(out) => out.flush(),
            Destination::File { tmp, .. } => tmp.flush(),
        }
    }
}

/// Replaces `path` with `bytes` atomically.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut destination = Destination::file(path)?;
    destination.write_all(bytes)?;
    destination.commit()
}
