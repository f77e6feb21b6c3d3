//! Excel workbooks (`-o FILE.xlsx`), read back with calamine and, where LibreOffice is installed,
//! converted to CSV by it: every cell must equal the CSV's, numbers as numbers, dates as dates,
//! text as text and never a formula.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::Path;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook};

mod common;
use common::{csv_rows, stance};

const HOSTILE: [&str; 3] = [
    "=HYPERLINK(\"http://example.com\",\"x\")",
    "@SUM(1+1)",
    "-2+3",
];

/// A small batch with what spreadsheets get wrong: formula-like and Chinese titles, a numeric id,
/// dates with and without a time, a date that is not ISO, and a title longer than a cell holds.
fn write_batch(dir: &Path) -> std::path::PathBuf {
    let long_title = "Alibaba ".repeat(5_000);
    let mut rows = vec![
        serde_json::json!({"id": "zh", "title": "阿里巴巴股价上涨", "date": "2026-03-06",
            "text": "阿里巴巴股价大涨，利润增长强劲。"}),
        serde_json::json!({"id": "-5", "date": "2026-03-06T09:30:00Z",
            "text": "Alibaba profit rose and margins improved."}),
        serde_json::json!({"id": "words-date", "date": "March 6, 2026", "source": "Wire",
            "text": "Alibaba shares fell after a weak quarter."}),
        serde_json::json!({"id": "long", "title": long_title,
            "text": "Alibaba held its dividend steady."}),
    ];
    for (i, title) in HOSTILE.iter().enumerate() {
        rows.push(
            serde_json::json!({"id": format!("hostile-{i}"), "title": title,
            "source": title, "text": "Alibaba profit fell sharply."}),
        );
    }
    let lines: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
    let path = dir.join("batch.jsonl");
    fs::write(&path, lines.join("\n")).unwrap();
    path
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let formulas = book.worksheet_formula(name).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "{name} has a formula"
    );
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

/// The spreadsheet letters of the `n`th column (1 is A).
fn column_letters(mut n: usize) -> String {
    let mut letters = Vec::new();
    while n > 0 {
        n -= 1;
        letters.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap()
}

/// The rows `stance score` writes for `batch` as raw CSV, the header first.
fn raw_csv(batch: &Path) -> Vec<Vec<String>> {
    let out = stance()
        .arg("score")
        .arg(batch)
        .arg("--raw-csv")
        .output()
        .unwrap();
    csv_rows(&String::from_utf8(out.stdout).unwrap())
}

/// Checks every cell of a sheet against the CSV row `stance` writes for it. Numbers are numbers equal to the CSV's, dates are dates, all else is the CSV's text.
fn assert_matches_csv(cells: &[Vec<Data>], csv: &[Vec<String>]) {
    assert_eq!(cells.len(), csv.len(), "rows");
    let header = &csv[0];
    for (r, (row, expected)) in cells.iter().zip(csv).enumerate() {
        assert_eq!(row.len(), expected.len(), "columns in row {r}");
        for (c, (cell, text)) in row.iter().zip(expected).enumerate() {
            let column = header[c].as_str();
            let at = format!("row {r} column {column}");
            match cell {
                Data::Float(x) => {
                    let want: f64 = text.parse().unwrap_or_else(|_| panic!("{at}: {text:?}"));
                    assert!((x - want).abs() < 1e-12, "{at}: {x} for {text}");
                    assert!(r > 0 && column != "id" && column != "text_hash", "{at}");
                }
                Data::DateTime(d) => {
                    assert_eq!(column, "date", "{at}");
                    let written = d.as_datetime().unwrap();
                    assert!(
                        text.starts_with(&written.date().to_string()),
                        "{at}: {text}"
                    );
                }
                Data::String(s) => {
                    let numeric = ["score", "relevance", "tokens", "confidence", "p_bullish"];
                    assert!(r == 0 || !numeric.contains(&column), "{at} is text");
                    assert_eq!(s, text, "{at}");
                }
                Data::Empty => assert_eq!(text, "", "{at}"),
                other => panic!("{at}: unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn a_score_workbook_holds_the_csv_rows_as_typed_cells() {
    let dir = tempfile::tempdir().unwrap();
    let batch = write_batch(dir.path());
    let book = dir.path().join("scores.xlsx");
    let out = stance()
        .arg("score")
        .arg(&batch)
        .arg("-o")
        .arg(&book)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("1 text cell(s) longer than Excel's"),
        "the cut title is not reported"
    );
    let mut csv = raw_csv(&batch);
    let header = csv[0].clone();
    let title = header.iter().position(|h| h == "title").unwrap();
    let long = csv.iter().position(|r| r[0] == "long").unwrap();
    let cut: String = csv[long][title].chars().take(32_766).collect();
    csv[long][title] = format!("{cut}…");

    let cells = sheet(&book, "scores");
    assert_matches_csv(&cells, &csv);
    // A frozen header row, filters over every row, and set column widths.
    let mut xml = String::new();
    zip::ZipArchive::new(fs::File::open(&book).unwrap())
        .unwrap()
        .by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains(r#"ySplit="1""#) && xml.contains(r#"state="frozen""#));
    let last = format!(":{}{}\"", column_letters(header.len()), cells.len());
    assert!(
        xml.contains(&format!("<autoFilter ref=\"A1{last}")),
        "{last}"
    );
    assert!(xml.contains("customWidth=\"1\""));
    let kinds: HashMap<&str, &Data> = header.iter().map(String::as_str).zip(&cells[1]).collect();
    assert!(matches!(kinds["p_bullish"], Data::Float(_)));
    assert!(
        matches!(kinds["date"], Data::DateTime(_)),
        "{:?}",
        kinds["date"]
    );
    let date = header.iter().position(|h| h == "date").unwrap();
    let by_id = |id: &str| {
        cells
            .iter()
            .find(|r| r[0] == Data::String(id.into()))
            .unwrap()
    };
    assert_eq!(
        by_id("words-date")[date],
        Data::String("March 6, 2026".into())
    );
    let timed = by_id("-5")[date].as_datetime().unwrap();
    assert_eq!(timed.to_string(), "2026-03-06 09:30:00");
    assert_eq!(by_id("zh")[title], Data::String("阿里巴巴股价上涨".into()));
    for hostile in HOSTILE {
        assert!(
            cells
                .iter()
                .any(|r| r[title] == Data::String(hostile.into())),
            "{hostile}"
        );
    }

    // The index sheet is `stance aggregate --by target` of the same rows.
    let scores_csv = dir.path().join("scores.csv");
    stance()
        .arg("score")
        .arg(&batch)
        .arg("-o")
        .arg(&scores_csv)
        .assert()
        .success();
    let index = stance()
        .args(["aggregate", "--by", "target", "--format", "csv"])
        .arg(&scores_csv)
        .output()
        .unwrap();
    let index_csv = csv_rows(&String::from_utf8(index.stdout).unwrap());
    assert_matches_csv(&sheet(&book, "index"), &index_csv);
    assert!(index_csv.len() > 1);
}

#[test]
fn a_scores_csv_converts_to_the_workbook_score_writes() {
    let dir = tempfile::tempdir().unwrap();
    let batch = write_batch(dir.path());
    let direct = dir.path().join("direct.xlsx");
    stance()
        .arg("score")
        .arg(&batch)
        .arg("-o")
        .arg(&direct)
        .assert()
        .success();
    // The guarded CSV (formula-like cells start with ') becomes the same cells.
    let csv = dir.path().join("scores.csv");
    stance()
        .arg("score")
        .arg(&batch)
        .arg("-o")
        .arg(&csv)
        .assert()
        .success();
    assert!(fs::read_to_string(&csv).unwrap().contains("'=HYPERLINK"));
    let converted = dir.path().join("converted.xlsx");
    stance()
        .arg("workbook")
        .arg(&csv)
        .arg("-o")
        .arg(&converted)
        .assert()
        .success();
    for name in ["scores", "index"] {
        assert_eq!(sheet(&direct, name), sheet(&converted, name), "{name}");
    }
}

#[test]
fn an_index_workbook_holds_the_index_csv() {
    let dir = tempfile::tempdir().unwrap();
    let scores = dir.path().join("scores.csv");
    stance()
        .arg("score")
        .arg(common::repo("data/articles"))
        .arg("-o")
        .arg(&scores)
        .assert()
        .success();
    let book = dir.path().join("index.xlsx");
    for (by, half_life) in [("voice", None), ("date", Some("7d"))] {
        let mut args = vec!["aggregate".to_string(), "--by".into(), by.into()];
        if let Some(h) = half_life {
            args.extend(["--half-life".into(), h.into()]);
        }
        let csv = stance()
            .args(&args)
            .arg("--format")
            .arg("csv")
            .arg(&scores)
            .output()
            .unwrap();
        stance()
            .args(&args)
            .arg(&scores)
            .arg("-o")
            .arg(&book)
            .assert()
            .success();
        let expected = csv_rows(&String::from_utf8(csv.stdout).unwrap());
        assert_matches_csv(&sheet(&book, "index"), &expected);
    }
}

#[test]
fn workbooks_refuse_what_they_cannot_do_and_leave_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("scores.xlsx");
    fs::write(&book, "earlier").unwrap();
    let articles = common::repo("data/articles");
    for extra in [&["--incremental"][..], &["--excel"], &["--raw-csv"]] {
        let out = stance()
            .arg("score")
            .arg(&articles)
            .arg("-o")
            .arg(&book)
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        let message = String::from_utf8_lossy(&out.stderr);
        assert!(
            message.contains("error:") && message.contains(extra[0]),
            "{message}"
        );
    }
    assert!(
        String::from_utf8_lossy(
            &stance()
                .arg("score")
                .arg(&articles)
                .arg("-o")
                .arg(&book)
                .arg("--incremental")
                .output()
                .unwrap()
                .stderr
        )
        .contains("stance workbook")
    );
    assert_eq!(fs::read_to_string(&book).unwrap(), "earlier");
}

/// LibreOffice opens the workbook and exports each sheet as the CSV `stance` writes (percentages
/// as percentages of the same value).
#[test]
#[cfg_attr(
    stance_without_soffice,
    ignore = "needs soffice (LibreOffice), not on the PATH when the tests were built"
)]
fn libreoffice_reads_the_workbook_as_the_csv() {
    let Some(bin) = common::soffice() else {
        common::available(false, "soffice (LibreOffice)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let batch = write_batch(d);
    // The cut title is checked above; here every cell is compared.
    let lines: Vec<String> = fs::read_to_string(&batch)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("\"long\""))
        .map(String::from)
        .collect();
    fs::write(&batch, lines.join("\n")).unwrap();
    let book = d.join("scores.xlsx");
    stance()
        .arg("score")
        .arg(&batch)
        .arg("-o")
        .arg(&book)
        .assert()
        .success();
    let expected = raw_csv(&batch);
    // Every sheet, UTF-8, comma, double quotes, cell values rather than their formatted text.
    common::convert(
        bin,
        &book,
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
        None,
        d,
    );
    let exported = csv_rows(&fs::read_to_string(d.join("scores-scores.csv")).unwrap());
    assert_eq!(exported.len(), expected.len(), "rows");
    let header = &expected[0];
    for (r, (got, want)) in exported.iter().zip(&expected).enumerate() {
        assert_eq!(got.len(), want.len(), "columns in row {r}");
        for (c, (x, y)) in got.iter().zip(want).enumerate() {
            let value = |s: &str| match s.strip_suffix('%') {
                Some(p) => p.parse::<f64>().ok().map(|v| v / 100.0),
                None => s.parse::<f64>().ok(),
            };
            let same_number =
                matches!((value(x), value(y)), (Some(p), Some(q)) if (p - q).abs() < 1e-9);
            let same_day = header[c] == "date" && x.len() >= 10 && y.get(..10) == x.get(..10);
            assert!(
                x == y || same_number || same_day,
                "row {r} column {}: {y:?} came back as {x:?}",
                header[c]
            );
        }
    }
    assert!(d.join("scores-index.csv").exists(), "no index sheet");
}
