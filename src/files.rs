//! Where output bytes go: a regular file replaced atomically (never half written), or a device,
//! FIFO, socket, standard output or a descriptor the shell opened written straight through.
//! Used by every stage that writes a file.

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
    /// A device, FIFO or socket reached by name (`/dev/null`): written straight through, never
    /// replaced.
    Stream(PathBuf),
    /// A descriptor of this process named as a file (`/dev/stdout`, `/dev/fd/3`,
    /// `/proc/self/fd/1`): written through as the shell opened it, appending where it appends,
    /// whatever it leads to (a file, a pipe, a terminal).
    Descriptor { fd: i32, path: PathBuf },
}

impl OutputPath {
    /// Follows symlinks and refuses what cannot be an output: a directory, or a new file in a
    /// directory that does not exist.
    pub fn resolve(path: &Path) -> io::Result<OutputPath> {
        if let Some(fd) = own_descriptor(path) {
            return Ok(OutputPath::Descriptor {
                fd,
                path: path.to_path_buf(),
            });
        }
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
            OutputPath::Descriptor { path, .. } => path,
        }
    }

    /// Whether the output is a regular file that a run replaces (and may lock and keep a
    /// manifest beside).
    pub fn is_regular(&self) -> bool {
        matches!(self, OutputPath::Regular(_))
    }
}

/// The descriptor of this process that `path` names through `/proc/<pid>/fd` (directly, or by
/// symlinks such as `/dev/stdout` and `/dev/fd/N`), if it names one. Its link there may point at
/// a regular file the shell opened for appending, or at a pipe with no name in the file system:
/// either way the bytes must go through the descriptor, not to a file opened anew by name.
fn own_descriptor(path: &Path) -> Option<i32> {
    let own_fd_dir = PathBuf::from(format!("/proc/{}/fd", std::process::id()));
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        let dir = std::fs::canonicalize(parent_dir(&current)).ok();
        // A thread's own view (`/proc/thread-self/fd`) lists the same descriptors.
        let in_fd_dir = dir.as_deref().is_some_and(|d| {
            d == own_fd_dir
                || (d.ends_with("fd")
                    && d.starts_with(format!("/proc/{}/task", std::process::id())))
        });
        if in_fd_dir {
            return current.file_name()?.to_str()?.parse().ok();
        }
        let meta = std::fs::symlink_metadata(&current).ok()?;
        if !meta.file_type().is_symlink() {
            return None;
        }
        let link = std::fs::read_link(&current).ok()?;
        current = parent_dir(&current).join(link);
    }
    None
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
            OutputPath::Descriptor { fd, .. } => {
                Ok(Destination::Stream(io::BufWriter::new(duplicate(*fd)?)))
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

/// A file of its own on descriptor `fd`, which stays open for whoever else holds it.
#[cfg(unix)]
fn duplicate(fd: i32) -> io::Result<std::fs::File> {
    use std::os::fd::BorrowedFd;
    // SAFETY: `fd` was listed in this process's /proc fd directory when the output was resolved,
    // and nothing in stance closes a descriptor it did not open; a stale number fails to clone
    // with EBADF, which is reported.
    let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
    Ok(std::fs::File::from(borrowed.try_clone_to_owned()?))
}

#[cfg(not(unix))]
fn duplicate(_fd: i32) -> io::Result<std::fs::File> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "writing to a descriptor by name needs a Unix system",
    ))
}

/// Replaces `path` with `bytes` atomically.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut destination = Destination::file(path)?;
    destination.write_all(bytes)?;
    destination.commit()
}
