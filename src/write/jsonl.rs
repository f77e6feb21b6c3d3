//! JSON Lines output: one JSON object per row, one per line, with no header; each object's
//! fields are the row's columns.

use crate::error::Result;
use crate::write::output::{Column, ScoreRow};
use crate::write::sink::RowEncoding;

pub struct JsonlEncoding;

impl RowEncoding for JsonlEncoding {
    fn header(&self, _columns: &[Column]) -> Vec<u8> {
        Vec::new()
    }

    fn encode(&self, row: &ScoreRow, out: &mut Vec<u8>) -> Result<()> {
        serde_json::to_writer(&mut *out, row)?;
        out.push(b'\n');
        Ok(())
    }
}
