//! The library's one error type. Each error says what went wrong and, through its context, with
//! which file, line or setting: the command line prints the chain as `context: cause`, and a
//! program can still find the I/O error underneath (a closed pipe ends a run quietly).

use std::fmt::Display;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something that cannot be used as it is, said in words.
    #[error("{0}")]
    Invalid(String),
    /// `what` was being done when `cause` went wrong.
    #[error("{what}")]
    Context {
        what: String,
        #[source]
        cause: Box<Error>,
    },
    /// A data file's own error (a model, a lexicon, a table) or one of a library stance uses
    /// (I/O, CSV, JSON, the workbook writer, linfa).
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors that become [`Error::Other`] as they are; a module with its own error type lists it
/// here by implementing `From` beside it with this macro.
macro_rules! from_other {
    ($($t:ty),*) => {$(
        impl From<$t> for $crate::error::Error {
            fn from(e: $t) -> $crate::error::Error {
                $crate::error::Error::Other(Box::new(e))
            }
        }
    )*};
}
from_other!(
    std::io::Error,
    csv::Error,
    serde_json::Error,
    rust_xlsxwriter::XlsxError,
    linfa::Error,
    linfa_logistic::error::Error,
    rayon::ThreadPoolBuildError,
    std::num::TryFromIntError
);

impl Error {
    /// The I/O error at the bottom of this one, if that is what it is.
    pub fn io(&self) -> Option<&std::io::Error> {
        match self {
            Error::Context { cause, .. } => cause.io(),
            Error::Other(e) => e.downcast_ref::<std::io::Error>().or_else(|| {
                match e.downcast_ref::<csv::Error>().map(csv::Error::kind) {
                    Some(csv::ErrorKind::Io(io)) => Some(io),
                    _ => None,
                }
            }),
            _ => None,
        }
    }
}

/// Adds what was being done to an error, as `anyhow::Context` does.
pub trait Context<T> {
    fn context(self, what: impl Display) -> Result<T>;
    fn with_context<D: Display>(self, what: impl FnOnce() -> D) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for Result<T, E> {
    fn context(self, what: impl Display) -> Result<T> {
        self.with_context(|| what)
    }

    fn with_context<D: Display>(self, what: impl FnOnce() -> D) -> Result<T> {
        self.map_err(|e| Error::Context {
            what: what().to_string(),
            cause: Box::new(e.into()),
        })
    }
}

impl<T> Context<T> for Option<T> {
    fn context(self, what: impl Display) -> Result<T> {
        self.ok_or_else(|| Error::Invalid(what.to_string()))
    }

    fn with_context<D: Display>(self, what: impl FnOnce() -> D) -> Result<T> {
        self.ok_or_else(|| Error::Invalid(what().to_string()))
    }
}

/// An [`Error::Invalid`] from a message or a format string.
macro_rules! invalid {
    ($message:literal $(,)?) => {
        $crate::error::Error::Invalid(format!($message))
    };
    ($format:literal, $($arg:tt)+) => {
        $crate::error::Error::Invalid(format!($format, $($arg)+))
    };
    ($message:expr $(,)?) => {
        $crate::error::Error::Invalid($message.to_string())
    };
}

/// Returns an [`Error::Invalid`].
macro_rules! bail {
    ($($arg:tt)+) => {
        return Err($crate::error::invalid!($($arg)+))
    };
}

/// Returns an [`Error::Invalid`] unless `condition` holds.
macro_rules! ensure {
    ($condition:expr, $($arg:tt)+) => {
        if !$condition {
            $crate::error::bail!($($arg)+);
        }
    };
}

pub(crate) use {bail, ensure, from_other, invalid};
