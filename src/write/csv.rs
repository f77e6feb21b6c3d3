//! CSV output: RFC 4180 in UTF-8, a header row, then one record per row, its cells as
//! [`ScoreRow::write_csv`] writes them.

use crate::error::Result;
use crate::write::output::{Column, CsvRecordWriter, ScoreRow};
use crate::write::sink::RowEncoding;

/// CSV details for the people and programs that read it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Leave text cells exactly as they are (for programs); otherwise formula-like cells are neutralised.
    pub raw: bool,
    /// Start with a UTF-8 byte-order mark, so Excel reads non-ASCII text correctly.
    pub bom: bool,
}

pub struct CsvEncoding(pub CsvOptions);

impl RowEncoding for CsvEncoding {
    fn header(&self, columns: &[Column]) -> Vec<u8> {
        let mut out = Vec::new();
        if self.0.bom {
            out.extend_from_slice("\u{FEFF}".as_bytes());
        }
        let mut record = CsvRecordWriter::new(&mut out);
        for column in columns {
            record.field(column.name.as_bytes());
        }
        record.end();
        out
    }

    fn encode(&self, row: &ScoreRow, out: &mut Vec<u8>) -> Result<()> {
        row.write_csv(self.0.raw, out);
        Ok(())
    }
}
