//! The output formats a user can ask for, by name or by the output file's extension, and how
//! each writes its rows.

use crate::write::csv::{CsvEncoding, CsvOptions};
use crate::write::jsonl::JsonlEncoding;
use crate::write::sink::RowEncoding;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Csv,
    Jsonl,
    /// An Excel workbook ([`crate::write::workbook`]), fed typed cells.
    Xlsx,
}

impl OutputFormat {
    /// The format an output file's extension names: `.jsonl`/`.ndjson`, `.xlsx`, else CSV.
    pub fn of_path(path: &std::path::Path) -> OutputFormat {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match extension.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => OutputFormat::Jsonl,
            "xlsx" => OutputFormat::Xlsx,
            _ => OutputFormat::Csv,
        }
    }
}

impl crate::choice::Choice for OutputFormat {
    const ALL: &'static [(Self, &'static str, &'static str)] = &[
        (OutputFormat::Csv, "csv", "RFC 4180 CSV with a header row"),
        (
            OutputFormat::Jsonl,
            "jsonl",
            "One JSON object per article, one per line",
        ),
        (
            OutputFormat::Xlsx,
            "xlsx",
            "An Excel workbook: typed cells, a frozen header with filters, an index sheet",
        ),
    ];
}

impl OutputFormat {
    /// How the format encodes rows as bytes; a workbook is written from typed cells instead.
    pub fn encoding(self, options: CsvOptions) -> Option<Box<dyn RowEncoding>> {
        match self {
            OutputFormat::Csv => Some(Box::new(CsvEncoding(options))),
            OutputFormat::Jsonl => Some(Box::new(JsonlEncoding)),
            OutputFormat::Xlsx => None,
        }
    }
}
