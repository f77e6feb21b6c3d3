//! Stage 7 for spreadsheets: score rows and index tables as an Excel workbook. Cells are typed
//! by their column (numbers with fixed formats, probabilities as percentages, dates as dates) and
//! text is written as text, which a spreadsheet never runs as a formula, so it needs no guard.

use std::io::Write;

use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

use crate::aggregate::{
    GroupBy, INDEX_COLUMNS, IndexWeights, ScoreColumns, ScoredArticle, aggregate, index_record,
};
use crate::output::is_formula_like;

/// Rows a worksheet holds, the header included.
pub const MAX_ROWS: u32 = 1_048_576;
/// Excel's limit on a cell's text, in UTF-16 units.
const MAX_CELL_UNITS: usize = 32_767;

/// How a column's cells are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Integer,
    /// Four decimals, as in the CSV.
    Decimal,
    /// A probability or share, shown as a percentage with two decimals (the CSV's four).
    Percent,
    /// An ISO date, or date and time; any other text stays text.
    Date,
    /// A number as given (the weights).
    Number,
}

/// The kind and width of a scores-sheet column: a standard column's own, text for an input
/// field passed through (`--keep`), whatever its name.
fn score_column_kind(name: &str) -> (Kind, f64) {
    if crate::output::columns(true).contains(&name) {
        column_kind(name)
    } else {
        text_column(name)
    }
}

fn text_column(name: &str) -> (Kind, f64) {
    (Kind::Text, (name.len() + 4).max(10) as f64)
}

/// The kind and width (in characters) of a column of the score or index table.
fn column_kind(name: &str) -> (Kind, f64) {
    match name {
        "id" => (Kind::Text, 30.0),
        "title" => (Kind::Text, 48.0),
        "drivers_bullish" | "drivers_bearish" => (Kind::Text, 48.0),
        "model" => (Kind::Text, 20.0),
        "text_hash" => (Kind::Text, 21.0),
        "group" => (Kind::Text, 24.0),
        "date" => (Kind::Date, 17.0),
        "relevance" | "tokens" | "articles" => (Kind::Integer, 10.0),
        "score" | "confidence" | "index" | "total_weight" => (Kind::Decimal, 12.0),
        "weight_retail" | "weight_analysis" | "weight_corporate" | "half_life_days" => {
            (Kind::Number, 16.0)
        }
        p if p.starts_with("p_") || p.starts_with("share_") => (Kind::Percent, 12.0),
        other => text_column(other),
    }
}

struct Formats {
    header: Format,
    integer: Format,
    decimal: Format,
    percent: Format,
    date: Format,
    date_time: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new().set_bold(),
            integer: Format::new().set_num_format("0"),
            decimal: Format::new().set_num_format("0.0000"),
            percent: Format::new().set_num_format("0.00%"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            date_time: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        }
    }
}

/// One worksheet being filled a row at a time: a bold frozen header with filters over every
/// row written.
struct Sheet {
    index: usize,
    kinds: Vec<Kind>,
    rows: u32,
}

impl Sheet {
    fn add(
        book: &mut Workbook,
        name: &str,
        header: &[&str],
        kind_of: fn(&str) -> (Kind, f64),
        formats: &Formats,
        constant_memory: bool,
    ) -> anyhow::Result<Sheet> {
        let index = book.worksheets_mut().len();
        let sheet = if constant_memory {
            book.add_worksheet_with_constant_memory()?
        } else {
            book.add_worksheet()
        };
        sheet.set_name(name)?;
        let mut kinds = Vec::with_capacity(header.len());
        for (col, name) in header.iter().enumerate() {
            let (kind, width) = kind_of(name);
            let col = column(col)?;
            sheet.set_column_width(col, width)?;
            sheet.write_string_with_format(0, col, *name, &formats.header)?;
            kinds.push(kind);
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(Sheet {
            index,
            kinds,
            rows: 1,
        })
    }

    /// Appends a row of cells as a scores or index CSV holds them. Returns how many text cells
    /// were cut to Excel's limit.
    fn write<'c>(
        &mut self,
        book: &mut Workbook,
        formats: &Formats,
        cells: impl IntoIterator<Item = &'c str>,
    ) -> anyhow::Result<usize> {
        if self.rows >= MAX_ROWS {
            bail!(
                "more than {} rows do not fit in one worksheet: write CSV or JSON Lines instead",
                MAX_ROWS - 1
            );
        }
        let sheet = book.worksheet_from_index(self.index)?;
        let row = self.rows;
        let mut cut = 0;
        for (col, (cell, kind)) in cells.into_iter().zip(&self.kinds).enumerate() {
            let col = column(col)?;
            cut += usize::from(write_cell(sheet, formats, row, col, cell, *kind)?);
        }
        self.rows += 1;
        Ok(cut)
    }

    fn finish(&self, book: &mut Workbook) -> anyhow::Result<()> {
        let last_col = column(self.kinds.len().saturating_sub(1))?;
        book.worksheet_from_index(self.index)?
            .autofilter(0, 0, self.rows - 1, last_col)?;
        Ok(())
    }
}

fn column(col: usize) -> anyhow::Result<u16> {
    u16::try_from(col).context("too many columns for a worksheet")
}

/// Writes one cell; returns whether its text had to be cut.
fn write_cell(
    sheet: &mut Worksheet,
    formats: &Formats,
    row: u32,
    col: u16,
    cell: &str,
    kind: Kind,
) -> anyhow::Result<bool> {
    if cell.is_empty() {
        return Ok(false);
    }
    let number = || cell.parse::<f64>().ok().filter(|x| x.is_finite());
    match (kind, number()) {
        (Kind::Integer, Some(x)) => {
            sheet.write_number_with_format(row, col, x, &formats.integer)?;
        }
        (Kind::Decimal, Some(x)) => {
            sheet.write_number_with_format(row, col, x, &formats.decimal)?;
        }
        (Kind::Percent, Some(x)) => {
            sheet.write_number_with_format(row, col, x, &formats.percent)?;
        }
        (Kind::Number, Some(x)) => {
            sheet.write_number(row, col, x)?;
        }
        (Kind::Date, _) if write_date(sheet, formats, row, col, cell)? => {}
        _ => return write_text(sheet, row, col, cell),
    }
    Ok(false)
}

/// Writes `cell` as a date when it is an ISO date, or an ISO date and time (one with an offset is
/// shown in UTC). Returns whether it did.
fn write_date(
    sheet: &mut Worksheet,
    formats: &Formats,
    row: u32,
    col: u16,
    cell: &str,
) -> anyhow::Result<bool> {
    let text = cell.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let Some(date) = excel_date(day) else {
            return Ok(false);
        };
        sheet.write_datetime_with_format(row, col, date, &formats.date)?;
        return Ok(true);
    }
    let moment = chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.naive_utc())
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"));
    let Some(when) = moment.ok().and_then(|t| {
        let seconds = f64::from(t.second()) + f64::from(t.nanosecond() % 1_000_000_000) / 1e9;
        excel_date(t.date())?
            .and_hms(t.hour() as u16, t.minute() as u8, seconds)
            .ok()
    }) else {
        return Ok(false);
    };
    sheet.write_datetime_with_format(row, col, when, &formats.date_time)?;
    Ok(true)
}

/// Excel's dates run from 1900 to 9999.
fn excel_date(day: NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(day.year()).ok()?;
    ExcelDateTime::from_ymd(year, day.month() as u8, day.day() as u8).ok()
}

/// Writes text, cut to Excel's limit with a trailing `…`; returns whether it was cut.
fn write_text(sheet: &mut Worksheet, row: u32, col: u16, cell: &str) -> anyhow::Result<bool> {
    // UTF-8 never has fewer bytes than UTF-16 has units.
    if cell.len() <= MAX_CELL_UNITS || cell.encode_utf16().count() <= MAX_CELL_UNITS {
        sheet.write_string(row, col, cell)?;
        return Ok(false);
    }
    let mut units = '…'.len_utf16();
    let end = cell
        .char_indices()
        .find(|(_, c)| {
            units += c.len_utf16();
            units > MAX_CELL_UNITS
        })
        .map_or(cell.len(), |(at, _)| at);
    sheet.write_string(row, col, format!("{}…", &cell[..end]))?;
    Ok(true)
}

/// What writing a workbook had to change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkbookNotes {
    pub rows: usize,
    /// Text cells cut to Excel's 32,767-character limit.
    pub cut_cells: usize,
}

/// A scores workbook: the `scores` sheet, filled as rows are scored (held on disk, not in
/// memory), and an `index` sheet by target with the default weights.
pub struct ScoreWorkbook {
    book: Workbook,
    formats: Formats,
    scores: Sheet,
    columns: Option<ScoreColumns>,
    articles: Vec<ScoredArticle>,
    notes: WorkbookNotes,
}

impl ScoreWorkbook {
    /// `header` is the scores table's, as [`crate::output::columns`] gives it.
    pub fn new(header: &[&str]) -> anyhow::Result<Self> {
        let mut book = Workbook::new();
        let formats = Formats::new();
        let scores = Sheet::add(
            &mut book,
            "scores",
            header,
            score_column_kind,
            &formats,
            true,
        )?;
        Ok(ScoreWorkbook {
            book,
            formats,
            scores,
            columns: ScoreColumns::find(header),
            articles: Vec::new(),
            notes: WorkbookNotes::default(),
        })
    }

    /// Adds rows encoded as CSV records (no header) with text cells left as they are.
    pub fn add_csv_rows(&mut self, rows: &[u8]) -> anyhow::Result<()> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(rows);
        for record in reader.records() {
            self.add_record(&record?, false)?;
        }
        Ok(())
    }

    /// Adds one row. With `guarded`, a text cell that `stance score` kept from being a formula
    /// (a leading `'`) loses the quote: a workbook's text cells need none.
    pub fn add_record(&mut self, record: &csv::StringRecord, guarded: bool) -> anyhow::Result<()> {
        let cells = record.iter().map(|cell| match cell.strip_prefix('\'') {
            Some(rest) if guarded && is_formula_like(rest) => rest,
            _ => cell,
        });
        self.notes.cut_cells += self.scores.write(&mut self.book, &self.formats, cells)?;
        self.notes.rows += 1;
        // The index sheet leaves out a row it cannot read; the scores sheet shows it as it is.
        if let Some(columns) = &self.columns {
            let mut ignored = Vec::new();
            self.articles
                .extend(columns.read(record, "scores sheet", &mut ignored));
        }
        Ok(())
    }

    /// Finishes both sheets and writes the workbook.
    pub fn save(mut self, out: impl Write + Send) -> anyhow::Result<WorkbookNotes> {
        self.scores.finish(&mut self.book)?;
        let weights = IndexWeights::default();
        let (groups, _) = aggregate(&self.articles, GroupBy::Target, &weights);
        let records = groups.iter().map(|g| index_record(g, &weights));
        add_index_sheet(&mut self.book, &self.formats, records)?;
        self.book.save_to_writer(out)?;
        Ok(self.notes)
    }
}

/// Writes an index table (rows as [`index_record`] gives them) as a one-sheet workbook.
pub fn save_index(
    records: impl IntoIterator<Item = Vec<String>>,
    out: impl Write + Send,
) -> anyhow::Result<()> {
    let mut book = Workbook::new();
    add_index_sheet(&mut book, &Formats::new(), records)?;
    book.save_to_writer(out)?;
    Ok(())
}

fn add_index_sheet(
    book: &mut Workbook,
    formats: &Formats,
    records: impl IntoIterator<Item = Vec<String>>,
) -> anyhow::Result<()> {
    let mut sheet = Sheet::add(book, "index", &INDEX_COLUMNS, column_kind, formats, false)?;
    for record in records {
        sheet.write(book, formats, record.iter().map(String::as_str))?;
    }
    sheet.finish(book)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_have_the_kinds_the_csv_implies() {
        assert_eq!(column_kind("p_bullish").0, Kind::Percent);
        assert_eq!(column_kind("share_unknown_voice").0, Kind::Percent);
        assert_eq!(column_kind("score").0, Kind::Decimal);
        assert_eq!(column_kind("relevance").0, Kind::Integer);
        assert_eq!(column_kind("date").0, Kind::Date);
        assert_eq!(column_kind("title").0, Kind::Text);
        assert_eq!(column_kind("stance").0, Kind::Text);
    }

    #[test]
    fn long_text_is_cut_to_the_cell_limit_on_a_character_boundary() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        assert!(!write_text(sheet, 0, 0, &"a".repeat(MAX_CELL_UNITS)).unwrap());
        // Two UTF-16 units a character: the cut lands between characters, under the limit.
        assert!(write_text(sheet, 1, 0, &"😀".repeat(20_000)).unwrap());
        assert!(write_text(sheet, 2, 0, &"é".repeat(MAX_CELL_UNITS + 1)).unwrap());
    }
}
