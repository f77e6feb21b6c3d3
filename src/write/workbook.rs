//! Stage 7 for spreadsheets: score rows and index tables as an Excel workbook. Cells are typed
//! by their column (numbers with fixed formats, probabilities as percentages, dates as dates) and
//! text is written as text, which a spreadsheet never runs as a formula, so it needs no guard.

use std::io::Write;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

use crate::error::{Context, Result, bail};
use crate::files::Destination;
use crate::input::iso_date;
use crate::model::classes::VOICE_CLASSES;
use crate::write::aggregate::{
    GroupBy, INDEX_COLUMNS, IndexWeights, ScoreColumns, ScoredArticle, aggregate, index_record,
};
use crate::write::output::{Cell, Column, ColumnKind, ScoreRow, is_formula_like, rounded};
use crate::write::sink::RowSink;

/// Rows a worksheet holds, the header included.
pub const MAX_ROWS: u32 = 1_048_576;
/// Excel's limit on a cell's text, in UTF-16 units.
const MAX_CELL_UNITS: usize = 32_767;

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
    kinds: Vec<ColumnKind>,
    rows: u32,
}

impl Sheet {
    fn add(
        book: &mut Workbook,
        name: &str,
        columns: &[Column],
        formats: &Formats,
        constant_memory: bool,
    ) -> Result<Sheet> {
        let index = book.worksheets_mut().len();
        let sheet = if constant_memory {
            book.add_worksheet_with_constant_memory()?
        } else {
            book.add_worksheet()
        };
        sheet.set_name(name)?;
        for (col, c) in columns.iter().enumerate() {
            let col = column(col)?;
            sheet.set_column_width(col, c.width)?;
            sheet.write_string_with_format(0, col, c.name, &formats.header)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(Sheet {
            index,
            kinds: columns.iter().map(|c| c.kind).collect(),
            rows: 1,
        })
    }

    /// Appends a row of typed cells. Returns how many text cells were cut to Excel's limit.
    fn write<'c>(
        &mut self,
        book: &mut Workbook,
        formats: &Formats,
        cells: impl IntoIterator<Item = Cell<'c>>,
    ) -> Result<usize> {
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
            cut += usize::from(write_cell(sheet, formats, row, col, &cell, *kind)?);
        }
        self.rows += 1;
        Ok(cut)
    }

    fn finish(&self, book: &mut Workbook) -> Result<()> {
        let last_col = column(self.kinds.len().saturating_sub(1))?;
        book.worksheet_from_index(self.index)?
            .autofilter(0, 0, self.rows - 1, last_col)?;
        Ok(())
    }
}

/// A cell of a CSV table as its column's kind reads it: a number in a numeric column when it
/// is one, else text.
fn typed(cell: &str, kind: ColumnKind) -> Cell<'_> {
    let numeric = !matches!(kind, ColumnKind::Text | ColumnKind::Date);
    match cell.parse::<f64>() {
        Ok(x) if numeric && x.is_finite() => Cell::Number(x),
        _ => Cell::Text(cell.into()),
    }
}

fn column(col: usize) -> Result<u16> {
    u16::try_from(col).context("too many columns for a worksheet")
}

/// Writes one cell; returns whether its text had to be cut.
fn write_cell(
    sheet: &mut Worksheet,
    formats: &Formats,
    row: u32,
    col: u16,
    cell: &Cell,
    kind: ColumnKind,
) -> Result<bool> {
    let x = match cell {
        Cell::Text(text) if text.is_empty() => return Ok(false),
        Cell::Text(text)
            if kind == ColumnKind::Date && write_date(sheet, formats, row, col, text)? =>
        {
            return Ok(false);
        }
        Cell::Text(text) => return write_text(sheet, row, col, text),
        Cell::Integer(n) => *n as f64,
        Cell::Number(x) => *x,
    };
    match kind {
        ColumnKind::Integer => sheet.write_number_with_format(row, col, x, &formats.integer)?,
        ColumnKind::Decimal => sheet.write_number_with_format(row, col, x, &formats.decimal)?,
        ColumnKind::Percent => sheet.write_number_with_format(row, col, x, &formats.percent)?,
        ColumnKind::Number | ColumnKind::Text | ColumnKind::Date => {
            sheet.write_number(row, col, x)?
        }
    };
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
) -> Result<bool> {
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
fn write_text(sheet: &mut Worksheet, row: u32, col: u16, cell: &str) -> Result<bool> {
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

/// A row of the scores sheet: its typed cells, owned, and the article the index sheet reads
/// from it. Made where rows are scored, so a workbook never reads back encoded text.
pub struct SheetRow {
    cells: Vec<Cell<'static>>,
    article: ScoredArticle,
}

impl SheetRow {
    pub fn of(row: &ScoreRow) -> SheetRow {
        let drivers = (row.drivers_bullish.iter().chain(&row.drivers_bearish))
            .map(|d| (d.term.to_string(), rounded(d.contribution)))
            .collect();
        let article = ScoredArticle {
            id: row.id.to_string(),
            date: iso_date(row.date),
            date_text: row.date.to_string(),
            source: row.source.to_string(),
            target: row.target.to_string(),
            relevance: f64::from(row.relevance),
            score: rounded(row.score),
            voice: (row.voice.as_ref())
                .and_then(|v| VOICE_CLASSES.iter().position(|c| *c == v.voice)),
            text_hash: row.text_hash.clone(),
            drivers,
        };
        SheetRow {
            cells: row.cells().into_iter().map(Cell::into_owned).collect(),
            article,
        }
    }
}

/// A scores workbook: the `scores` sheet, filled as rows are scored (held on disk, not in
/// memory), and an `index` sheet by target with the default weights.
pub struct ScoreWorkbook {
    book: Workbook,
    formats: Formats,
    scores: Sheet,
    /// Where a scores CSV's record holds what the index reads.
    columns: Option<ScoreColumns>,
    articles: Vec<ScoredArticle>,
    notes: WorkbookNotes,
}

impl ScoreWorkbook {
    /// `columns` are the scores table's, as [`crate::write::output::schema`] gives them.
    pub fn new(columns: &[Column]) -> Result<Self> {
        let mut book = Workbook::new();
        let formats = Formats::new();
        let scores = Sheet::add(&mut book, "scores", columns, &formats, true)?;
        let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
        Ok(ScoreWorkbook {
            book,
            formats,
            scores,
            columns: ScoreColumns::find(&names),
            articles: Vec::new(),
            notes: WorkbookNotes::default(),
        })
    }

    /// Adds scored rows.
    pub fn add_rows(&mut self, rows: Vec<SheetRow>) -> Result<()> {
        for row in rows {
            self.notes.cut_cells += self
                .scores
                .write(&mut self.book, &self.formats, row.cells)?;
            self.notes.rows += 1;
            self.articles.push(row.article);
        }
        Ok(())
    }

    /// Adds one record of a scores CSV. A text cell that `stance score` kept from being a
    /// formula (a leading `'`) loses the quote: a workbook's text cells need none.
    pub fn add_record(&mut self, record: &csv::StringRecord) -> Result<()> {
        let cells = record.iter().zip(&self.scores.kinds).map(|(cell, &kind)| {
            let cell = match cell.strip_prefix('\'') {
                Some(rest) if is_formula_like(rest) => rest,
                _ => cell,
            };
            typed(cell, kind)
        });
        let cells: Vec<Cell> = cells.collect();
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
    pub fn save(mut self, out: impl Write + Send) -> Result<WorkbookNotes> {
        self.scores.finish(&mut self.book)?;
        let weights = IndexWeights::default();
        let (groups, _) = aggregate(&self.articles, GroupBy::Target, &weights);
        let records = groups.iter().map(|g| index_record(g, &weights));
        add_index_sheet(&mut self.book, &self.formats, records)?;
        self.book.save_to_writer(out)?;
        Ok(self.notes)
    }
}

/// A run's rows into a scores workbook, saved to the destination when the run ends.
pub struct WorkbookSink {
    book: ScoreWorkbook,
    out: Destination,
}

impl WorkbookSink {
    pub fn new(columns: &[Column], out: Destination) -> Result<Self> {
        let book = ScoreWorkbook::new(columns)?;
        Ok(WorkbookSink { book, out })
    }
}

impl RowSink for WorkbookSink {
    type Prepared = Vec<SheetRow>;

    fn prepare(&self, rows: &[ScoreRow]) -> Result<Vec<SheetRow>> {
        Ok(rows.iter().map(SheetRow::of).collect())
    }

    fn write(&mut self, rows: Vec<SheetRow>) -> Result<()> {
        self.book.add_rows(rows)
    }

    fn commit(mut self) -> Result<Vec<String>> {
        let notes = self.book.save(&mut self.out)?;
        self.out.commit()?;
        let cut = (notes.cut_cells > 0).then(|| {
            format!(
                "{} text cell(s) longer than Excel's 32,767 characters were cut to fit",
                notes.cut_cells
            )
        });
        Ok(cut.into_iter().collect())
    }
}

/// Writes an index table (rows as [`index_record`] gives them) as a one-sheet workbook.
pub fn save_index(
    records: impl IntoIterator<Item = Vec<String>>,
    out: impl Write + Send,
) -> Result<()> {
    let mut book = Workbook::new();
    add_index_sheet(&mut book, &Formats::new(), records)?;
    book.save_to_writer(out)?;
    Ok(())
}

fn add_index_sheet(
    book: &mut Workbook,
    formats: &Formats,
    records: impl IntoIterator<Item = Vec<String>>,
) -> Result<()> {
    let mut sheet = Sheet::add(book, "index", &INDEX_COLUMNS, formats, false)?;
    for record in records {
        let cells = record
            .iter()
            .zip(&INDEX_COLUMNS)
            .map(|(cell, c)| typed(cell, c.kind));
        sheet.write(book, formats, cells)?;
    }
    sheet.finish(book)
}

#[cfg(test)]
mod tests {
    use super::*;

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
