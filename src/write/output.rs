//! Stage 7: one row per article, as CSV (RFC 4180, UTF-8, fixed column order and number format)
//! or JSON Lines.

use std::borrow::Cow;

use serde::Serialize;

use crate::input::Article;
use crate::model::classes::{BEARISH, BULLISH, NEUTRAL, Voice};
use crate::model::scorer::Evaluation;

/// How a column's cells are typed: what a workbook writes them as and how it shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Integer,
    /// Four decimals, as in the CSV.
    Decimal,
    /// A probability or share: a percentage with two decimals in a workbook (the CSV's four).
    Percent,
    /// An ISO date, or date and time; any other text stays text.
    Date,
    /// A number as given (an index's weights).
    Number,
}

/// An output column: the one place its name, its cells' kind and its width in a workbook (in
/// characters) are written down. CSV, JSON Lines, workbooks and the Python frame all follow it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Column<'n> {
    pub name: &'n str,
    pub kind: ColumnKind,
    pub width: f64,
}

impl<'n> Column<'n> {
    pub const fn new(name: &'static str, kind: ColumnKind, width: f64) -> Column<'static> {
        Column { name, kind, width }
    }

    /// An input field passed through (`--keep`): text, as wide as its name.
    pub fn kept(name: &'n str) -> Column<'n> {
        let width = (name.len() + 4).max(10) as f64;
        Column {
            name,
            kind: ColumnKind::Text,
            width,
        }
    }
}

/// The stance columns, in order: the order of [`ScoreRow::cells`] and of its fields.
pub const STANCE_COLUMNS: [Column<'static>; 18] = {
    use ColumnKind::*;
    [
        Column::new("id", Text, 30.0),
        Column::new("title", Text, 48.0),
        Column::new("date", Date, 17.0),
        Column::new("source", Text, 10.0),
        Column::new("target", Text, 10.0),
        Column::new("ticker", Text, 10.0),
        Column::new("relevance", Integer, 10.0),
        Column::new("stance", Text, 10.0),
        Column::new("score", Decimal, 12.0),
        Column::new("p_bearish", Percent, 12.0),
        Column::new("p_neutral", Percent, 12.0),
        Column::new("p_bullish", Percent, 12.0),
        Column::new("confidence", Decimal, 12.0),
        Column::new("drivers_bullish", Text, 48.0),
        Column::new("drivers_bearish", Text, 48.0),
        Column::new("tokens", Integer, 10.0),
        Column::new("model", Text, 20.0),
        Column::new("text_hash", Text, 21.0),
    ]
};

/// The voice columns, after the stance columns when a voice model is loaded.
pub const VOICE_COLUMNS: [Column<'static>; 4] = [
    Column::new("voice", ColumnKind::Text, 10.0),
    Column::new("p_retail", ColumnKind::Percent, 12.0),
    Column::new("p_analysis", ColumnKind::Percent, 12.0),
    Column::new("p_corporate", ColumnKind::Percent, 12.0),
];

/// Why an input field cannot be passed through under this name (`--keep`), if it cannot.
pub fn refuse_kept(name: &str, text_field: &str) -> Option<String> {
    if name.trim().is_empty() {
        return Some("--keep: an empty column name".into());
    }
    if let Some(column) = columns(true)
        .into_iter()
        .find(|c| c.eq_ignore_ascii_case(name))
    {
        return Some(format!(
            "--keep {name}: {column} is already an output column (the input's own value of \
             title, date, source and target is shown there)"
        ));
    }
    name.eq_ignore_ascii_case(text_field).then(|| {
        format!("--keep {name}: the text itself is not passed through; join on id instead")
    })
}

/// A row's columns, in order: the stance columns, the voice columns with a voice model, then
/// the input fields passed through.
pub fn schema(with_voice: bool, kept: &[String]) -> Vec<Column<'_>> {
    let voice = if with_voice { &VOICE_COLUMNS[..] } else { &[] };
    (STANCE_COLUMNS.iter().chain(voice).copied())
        .chain(kept.iter().map(|name| Column::kept(name)))
        .collect()
}

/// The column a scores table names `name`: a standard column's own, else an input field passed
/// through.
pub fn column_named(name: &str) -> Column<'_> {
    (STANCE_COLUMNS.iter().chain(&VOICE_COLUMNS))
        .find(|c| c.name == name)
        .copied()
        .unwrap_or_else(|| Column::kept(name))
}

/// The names of a row's standard columns, in order.
pub fn columns(with_voice: bool) -> Vec<&'static str> {
    schema(with_voice, &[]).iter().map(|c| c.name).collect()
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Driver<'a> {
    pub term: &'a str,
    pub contribution: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct VoiceColumns {
    pub voice: &'static str,
    pub p_retail: f64,
    pub p_analysis: f64,
    pub p_corporate: f64,
}

/// Input fields passed through to a row (`--keep`), in the order asked for: written after the
/// standard columns, as text, empty where an article lacks the field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Kept<'a>(pub Vec<(&'a str, &'a str)>);

impl Serialize for Kept<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// One output row, borrowing its text from the article, the evaluation and the scorer's labels.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ScoreRow<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub date: &'a str,
    pub source: &'a str,
    pub target: &'a str,
    pub ticker: &'a str,
    pub relevance: u8,
    pub stance: &'static str,
    pub score: f64,
    pub p_bearish: f64,
    pub p_neutral: f64,
    pub p_bullish: f64,
    pub confidence: f64,
    pub drivers_bullish: Vec<Driver<'a>>,
    pub drivers_bearish: Vec<Driver<'a>>,
    pub tokens: usize,
    pub model: &'a str,
    /// BLAKE3 of the scored text (16 hex digits): the same story from two feeds has one hash.
    pub text_hash: String,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub voice: Option<VoiceColumns>,
    #[serde(flatten)]
    pub kept: Kept<'a>,
}

impl<'a> ScoreRow<'a> {
    /// `labels` are those of the scorer that made `eval`; `models` name the engine's models.
    pub fn new(
        article: &'a Article,
        eval: &'a Evaluation,
        models: &'a crate::model::engine::ModelLabels,
    ) -> ScoreRow<'a> {
        let model = models.of(eval.decision);
        let p = eval.probabilities();
        let drivers = |list: &'a [(String, f64)]| {
            (list.iter())
                .map(|(term, contribution)| Driver {
                    term,
                    contribution: *contribution,
                })
                .collect()
        };
        let voice = eval.voice.as_ref().map(|v| VoiceColumns {
            voice: eval.voice_class().map_or("", Voice::name),
            p_retail: v.probabilities[0],
            p_analysis: v.probabilities[1],
            p_corporate: v.probabilities[2],
        });
        ScoreRow {
            id: &article.id,
            title: article.title.as_deref().unwrap_or_default(),
            date: article.date.as_deref().unwrap_or_default(),
            source: article.source.as_deref().unwrap_or_default(),
            target: &eval.target,
            ticker: &eval.ticker,
            relevance: eval.focus.relevance,
            stance: eval.stance_class().name(),
            score: eval.score(),
            p_bearish: p[BEARISH],
            p_neutral: p[NEUTRAL],
            p_bullish: p[BULLISH],
            confidence: eval.confidence(),
            drivers_bullish: drivers(&eval.drivers.bullish),
            drivers_bearish: drivers(&eval.drivers.bearish),
            tokens: eval.tokens,
            model,
            text_hash: text_hash(&article.text),
            voice,
            kept: Kept::default(),
        }
    }

    /// The row with the article's fields `names` passed through after its standard columns.
    pub fn keeping(mut self, article: &'a Article, names: &'a [String]) -> ScoreRow<'a> {
        self.kept = Kept(
            names
                .iter()
                .map(|name| (name.as_str(), article.field(name).unwrap_or_default()))
                .collect(),
        );
        self
    }

    /// The row's cells in column order, typed, with the values the CSV shows (numbers rounded to
    /// its four decimals, drivers as its cells): what front ends other than files hand over.
    pub fn cells(&self) -> Vec<Cell<'a>> {
        let text = |s: &'a str| Cell::Text(Cow::Borrowed(s));
        let decimal = |x: f64| Cell::Number(rounded(x));
        let mut cells = vec![
            text(self.id),
            text(self.title),
            text(self.date),
            text(self.source),
            text(self.target),
            text(self.ticker),
            Cell::Integer(u64::from(self.relevance)),
            text(self.stance),
            decimal(self.score),
            decimal(self.p_bearish),
            decimal(self.p_neutral),
            decimal(self.p_bullish),
            decimal(self.confidence),
            Cell::Text(Cow::Owned(drivers_cell(&self.drivers_bullish))),
            Cell::Text(Cow::Owned(drivers_cell(&self.drivers_bearish))),
            Cell::Integer(self.tokens as u64),
            text(self.model),
            Cell::Text(Cow::Owned(self.text_hash.clone())),
        ];
        if let Some(v) = &self.voice {
            cells.push(text(v.voice));
            cells.extend([v.p_retail, v.p_analysis, v.p_corporate].map(decimal));
        }
        cells.extend(self.kept.0.iter().map(|&(_, value)| text(value)));
        cells
    }

    /// Writes the CSV record of [`Self::cells`]. Unless `raw`, text cells are made
    /// spreadsheet-safe.
    pub(crate) fn write_csv(&self, raw: bool, out: &mut Vec<u8>) {
        let mut record = CsvRecordWriter::new(out);
        let mut digits = itoa::Buffer::new();
        let mut text = String::with_capacity(128);
        for cell in self.cells() {
            match cell {
                Cell::Text(s) if raw || !is_formula_like(&s) => record.field(s.as_bytes()),
                Cell::Text(s) => {
                    text.clear();
                    text.push('\'');
                    text.push_str(&s);
                    record.field(text.as_bytes());
                }
                Cell::Integer(n) => record.field(digits.format(n).as_bytes()),
                Cell::Number(x) => {
                    text.clear();
                    push_decimal4(&mut text, x, Sign::NegativeUnlessZero);
                    record.field(text.as_bytes());
                }
            }
        }
        record.end();
    }
}

/// A typed cell of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell<'a> {
    Text(Cow<'a, str>),
    Integer(u64),
    Number(f64),
}

impl Cell<'_> {
    pub fn into_owned(self) -> Cell<'static> {
        match self {
            Cell::Text(t) => Cell::Text(Cow::Owned(t.into_owned())),
            Cell::Integer(n) => Cell::Integer(n),
            Cell::Number(x) => Cell::Number(x),
        }
    }
}

/// Writes one RFC 4180 record with CRLF straight into a byte buffer, quoting as the `csv` crate
/// does (only cells that need it).
pub(crate) struct CsvRecordWriter<'o> {
    writer: csv_core::Writer,
    out: &'o mut Vec<u8>,
    fields: usize,
}

impl<'o> CsvRecordWriter<'o> {
    pub(crate) fn new(out: &'o mut Vec<u8>) -> Self {
        CsvRecordWriter {
            writer: csv_core::WriterBuilder::new()
                .terminator(csv_core::Terminator::CRLF)
                .build(),
            out,
            fields: 0,
        }
    }

    /// Runs one csv_core step against the buffer's spare room, growing it until the step is done.
    fn step(
        &mut self,
        mut write: impl FnMut(&mut csv_core::Writer, &mut [u8]) -> (csv_core::WriteResult, usize),
    ) {
        loop {
            let len = self.out.len();
            self.out.resize(len + 64, 0);
            let (result, written) = write(&mut self.writer, &mut self.out[len..]);
            self.out.truncate(len + written);
            if result == csv_core::WriteResult::InputEmpty {
                return;
            }
        }
    }

    pub(crate) fn field(&mut self, mut bytes: &[u8]) {
        if self.fields > 0 {
            self.step(|w, o| w.delimiter(o));
        }
        self.fields += 1;
        // A quoted cell doubles its quotes: room for twice the input, and the quotes.
        self.out.reserve(2 * bytes.len() + 2);
        self.step(|w, o| {
            let (result, read, written) = w.field(bytes, o);
            bytes = &bytes[read..];
            (result, written)
        });
    }

    pub(crate) fn end(mut self) {
        self.step(|w, o| w.terminator(o));
    }
}

/// Neutralises a text cell a spreadsheet would run as a formula (the OWASP rule: a cell starting
/// with `=`, `+`, `-`, `@`, tab or carriage return gets a leading single quote). A plain signed
/// number such as an id `-5` is no formula and stays as it is, so it still joins its source.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    if is_formula_like(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Whether a spreadsheet would run `cell` as a formula.
pub fn is_formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(cell)
}

/// `-5`, `+0.25`, `-1.5e3`: a sign, digits, at most one decimal point, an optional exponent.
fn is_plain_number(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            (digits(whole) || whole.is_empty())
                && (digits(fraction) || fraction.is_empty())
                && !(whole.is_empty() && fraction.is_empty())
        }
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(digits)
}

/// `b3-` and the first 16 hex digits of the text's BLAKE3 hash, with line ends read as `\n`
/// (CRLF and LF copies of a story are the same story). The prefix keeps a spreadsheet from
/// taking an all-digit hash, or one like `1234e567`, for a number.
pub fn text_hash(text: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    let mut rest = text.as_bytes();
    while let Some(cr) = memchr::memchr(b'\r', rest) {
        hasher.update(&rest[..cr]);
        hasher.update(b"\n");
        let skip = if rest.get(cr + 1) == Some(&b'\n') {
            2
        } else {
            1
        };
        rest = &rest[cr + skip..];
    }
    hasher.update(rest);
    format!("b3-{}", &hasher.finalize().to_hex()[..16])
}

/// `x` as the CSV shows it: rounded to four decimals, never -0. Every row rounds a dozen
/// numbers, so only the rare value `format!` must decide goes through text.
pub fn rounded(x: f64) -> f64 {
    match ten_thousandths(x) {
        // An exact whole number over an exact power of ten: the double nearest the decimal,
        // as parsing its text gives.
        Some(units) => units / 10_000.0 + 0.0,
        None => number(x).parse().unwrap_or(x),
    }
}

/// Four decimals, and never "-0.0000".
pub fn number(x: f64) -> String {
    let mut s = String::with_capacity(8);
    push_decimal4(&mut s, x, Sign::NegativeUnlessZero);
    s
}

/// `term:+0.1234; term:-0.0567`
pub fn drivers_cell(drivers: &[Driver]) -> String {
    let mut cell = String::new();
    push_drivers(&mut cell, drivers);
    cell
}

fn push_drivers(cell: &mut String, drivers: &[Driver]) {
    for (i, d) in drivers.iter().enumerate() {
        if i > 0 {
            cell.push_str("; ");
        }
        cell.push_str(d.term);
        cell.push(':');
        push_decimal4(cell, d.contribution, Sign::Always);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sign {
    /// `{:.4}`, except that a value that rounds to zero has no minus sign.
    NegativeUnlessZero,
    /// `{:+.4}`.
    Always,
}

/// Appends `x` with four decimals, exactly as `format!` writes it.
///
/// `format!` rounds the exact binary value, which for most numbers needs a slow big-number path.
/// `x * 10^4` is within 10^-6 of the exact product for |x| < 10^5, so away from a rounding tie
/// the integer rounding of it gives the same digits; near a tie, and for large values, `format!`
/// decides.
fn push_decimal4(out: &mut String, x: f64, sign: Sign) {
    use std::fmt::Write;
    let Some(scaled) = ten_thousandths(x) else {
        let start = out.len();
        let _ = match sign {
            Sign::Always => write!(out, "{x:+.4}"),
            Sign::NegativeUnlessZero => write!(out, "{x:.4}"),
        };
        if sign == Sign::NegativeUnlessZero && &out[start..] == "-0.0000" {
            out.remove(start);
        }
        return;
    };
    let units = scaled.abs() as u64;
    let negative = x.is_sign_negative() && !(sign == Sign::NegativeUnlessZero && units == 0);
    if negative {
        out.push('-');
    } else if sign == Sign::Always {
        out.push('+');
    }
    let _ = write!(out, "{}", units / 10_000);
    let fraction = units % 10_000;
    out.push('.');
    for place in [1000, 100, 10, 1] {
        out.push(char::from(b'0' + (fraction / place % 10) as u8));
    }
}

/// `x` in whole ten-thousandths, rounded, where that is what `format!` would write: away from a
/// rounding tie and for |x| < 10^5 (see [`push_decimal4`]); `None` where `format!` decides.
fn ten_thousandths(x: f64) -> Option<f64> {
    let scaled = x * 10_000.0;
    let fraction = (scaled - scaled.trunc()).abs();
    (x.is_finite() && x.abs() < 1e5 && (fraction - 0.5).abs() >= 1e-6).then(|| scaled.round())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_fixed_precision_and_no_negative_zero() {
        assert_eq!(number(0.123456), "0.1235");
        assert_eq!(number(-0.00001), "0.0000");
        assert_eq!(number(-0.5), "-0.5000");
    }

    #[test]
    fn decimals_are_written_as_format_writes_them() {
        let reference = |x: f64, sign: Sign| match sign {
            Sign::Always => format!("{x:+.4}"),
            Sign::NegativeUnlessZero => format!("{x:.4}").replace("-0.0000", "0.0000"),
        };
        // Ties and near-ties of the fourth decimal, zeros, large and non-finite values, and a
        // dense sweep of the scores' range.
        let mut values = vec![
            0.0,
            -0.0,
            0.00005,
            -0.00005,
            0.12345,
            0.99995,
            1.00005,
            2.5e-5,
            1e5,
            -1e5,
            123456.78905,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            values.push(unit * 4.0 - 2.0);
            values.push((unit * 2e5).round() / 1e4 + 0.5e-4);
        }
        for x in values {
            let parsed = number(x).parse::<f64>().unwrap_or(x);
            assert_eq!(rounded(x).to_bits(), parsed.to_bits(), "{x:e}");
            for sign in [Sign::Always, Sign::NegativeUnlessZero] {
                let mut written = String::new();
                push_decimal4(&mut written, x, sign);
                assert_eq!(written, reference(x, sign), "{x:e}");
            }
        }
    }

    #[test]
    fn formula_like_text_is_neutralised() {
        assert_eq!(
            spreadsheet_safe("=HYPERLINK(\"http://x\",\"y\")"),
            "'=HYPERLINK(\"http://x\",\"y\")"
        );
        assert_eq!(spreadsheet_safe("@SUM(1+1)"), "'@SUM(1+1)");
        for bad in ["+1+1", "-1-A1", "\tx", "\rx"] {
            assert!(spreadsheet_safe(bad).starts_with('\''));
        }
        assert_eq!(spreadsheet_safe("Alibaba – news"), "Alibaba – news");
        for number in ["-5", "+5", "-0.25", "-.5", "-1.5e3", "+2E-4"] {
            assert_eq!(spreadsheet_safe(number), number);
        }
        for formula in ["-2+3", "-5e", "-1.2.3", "-.", "+1+1", "-e5", "-5 "] {
            assert!(spreadsheet_safe(formula).starts_with('\''), "{formula}");
        }
    }

    #[test]
    fn text_hashes_read_every_line_end_alike_and_never_look_like_numbers() {
        assert_eq!(text_hash("a\r\nb\rc\n"), text_hash("a\nb\nc\n"));
        assert_ne!(text_hash("a\n\nb"), text_hash("a\nb"));
        let hash = text_hash("Alibaba");
        assert!(hash.starts_with("b3-") && hash.len() == 19, "{hash}");
        assert!(hash.parse::<f64>().is_err());
    }

    #[test]
    fn typed_cells_are_the_csv_cells() {
        let article = Article {
            id: "-5".into(),
            title: Some("=SUM(1)".into()),
            text: "Alibaba profit rose.".into(),
            ..Article::default()
        };
        let engine = crate::model::engine::Engine::load(&Default::default()).unwrap();
        let mut scorer = crate::model::scorer::Scorer::new(&engine);
        let target = engine.targets.resolve("Alibaba");
        let eval = scorer.evaluate(crate::read::analysis::Document::from(&article), &target);
        let models = engine.model_labels();
        let row = ScoreRow::new(&article, &eval, &models);
        let mut csv = Vec::new();
        row.write_csv(true, &mut csv);
        let record = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv.as_slice())
            .records()
            .next()
            .unwrap()
            .unwrap();
        let cells = row.cells();
        assert_eq!(cells.len(), columns(row.voice.is_some()).len());
        // JSON Lines names the same columns, in the same order.
        let names = columns(row.voice.is_some());
        let json = serde_json::to_string(&row).unwrap();
        let at: Vec<usize> = (names.iter())
            .map(|name| json.find(&format!("\"{name}\":")).expect(name))
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{json}");
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&json).unwrap();
        assert_eq!(object.len(), names.len());
        assert_eq!(cells.len(), record.len());
        for (cell, written) in cells.iter().zip(&record) {
            match cell {
                Cell::Text(t) => assert_eq!(t, written),
                Cell::Integer(n) => assert_eq!(n.to_string(), written),
                Cell::Number(x) => assert_eq!(*x, written.parse::<f64>().unwrap()),
            }
        }
    }

    #[test]
    fn drivers_are_signed() {
        let d = [
            Driver {
                term: "a b",
                contribution: 0.12,
            },
            Driver {
                term: "c",
                contribution: -0.3,
            },
        ];
        assert_eq!(drivers_cell(&d), "a b:+0.1200; c:-0.3000");
    }
}
