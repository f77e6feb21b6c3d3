//! Stage 7's seam with a run: where its rows go. A sink prepares each article's rows in the
//! scoring threads, then writes them in input order. Each output format is one implementation:
//! CSV and JSON Lines are an [`EncodedSink`] of their [`RowEncoding`] (`csv.rs`, `jsonl.rs`), a
//! workbook is `workbook.rs`'s [`crate::write::workbook::WorkbookSink`], and a front end can bring
//! its own (the Python package gathers typed cells for its frame).

use std::io::Write;

use crate::error::Result;
use crate::files::Destination;
use crate::write::output::{Column, ScoreRow};

pub trait RowSink: Send + Sync {
    /// One article's rows, made ready for writing.
    type Prepared: Send;
    /// Called in the scoring threads, many at once.
    fn prepare(&self, rows: &[ScoreRow]) -> Result<Self::Prepared>;
    /// Called in input order.
    fn write(&mut self, rows: Self::Prepared) -> Result<()>;
    /// Hands on what is written at a chunk's end, so a reader of a pipe sees rows while the input
    /// is still coming.
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
    /// Finishes the output; returns what its reader should be told.
    fn commit(self) -> Result<Vec<String>>;
}

/// How rows become bytes: a header, then each row. An incremental rerun copies earlier rows byte
/// for byte, so it takes an encoding rather than a sink.
pub trait RowEncoding: Send + Sync {
    /// What comes before the first row, naming `columns`.
    fn header(&self, columns: &[Column]) -> Vec<u8>;
    /// Appends one row to `out`.
    fn encode(&self, row: &ScoreRow, out: &mut Vec<u8>) -> Result<()>;
}

/// `rows` one after another, as `encoding` writes them.
pub fn encode_all(encoding: &dyn RowEncoding, rows: &[ScoreRow]) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    for row in rows {
        encoding.encode(row, &mut bytes)?;
    }
    Ok(bytes)
}

/// Rows encoded in the scoring threads and written to a destination as they come.
pub struct EncodedSink {
    encoding: Box<dyn RowEncoding>,
    out: Destination,
}

impl EncodedSink {
    /// Writes the header at once.
    pub fn new(
        encoding: Box<dyn RowEncoding>,
        columns: &[Column],
        mut out: Destination,
    ) -> Result<Self> {
        out.write_all(&encoding.header(columns))?;
        Ok(EncodedSink { encoding, out })
    }
}

impl RowSink for EncodedSink {
    type Prepared = Vec<u8>;

    fn prepare(&self, rows: &[ScoreRow]) -> Result<Vec<u8>> {
        encode_all(self.encoding.as_ref(), rows)
    }

    fn write(&mut self, bytes: Vec<u8>) -> Result<()> {
        Ok(self.out.write_all(&bytes)?)
    }

    fn flush(&mut self) -> Result<()> {
        Ok(self.out.flush()?)
    }

    fn commit(self) -> Result<Vec<String>> {
        self.out.commit()?;
        Ok(Vec::new())
    }
}
