//! The exported CSV in a real spreadsheet: LibreOffice Calc converts it to xlsx and back, and every
//! row and column must survive, numbers as numbers and hostile titles as text, never formulas.
//! Where `soffice` is missing it says it did not run, and under CI it fails (`.ci/run` installs
//! it).

use std::fs;
use std::io::Read;

use assert_cmd::Command;

mod common;

/// The import filter the README tells LibreOffice users to choose: comma, double quote, UTF-8
/// (76), from line 1.
const UTF8_CSV: &str = "CSV:44,34,76,1";

const HOSTILE: [&str; 4] = [
    "=HYPERLINK(\"http://example.com\",\"x\")",
    "@SUM(1+1)",
    "+1+1",
    "-2+3",
];

#[test]
#[cfg_attr(
    stance_without_soffice,
    ignore = "needs soffice (LibreOffice), not on the PATH when the tests were built"
)]
fn exported_csv_survives_a_round_trip_through_libreoffice() {
    let Some(bin) = common::soffice() else {
        common::available(false, "soffice (LibreOffice)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let titles = [
        "阿里巴巴股价上涨",
        "Résultats d'Alibaba: forte hausse",
        "Profit, revenue and \"guidance\" all up",
        "Two\nlines",
        HOSTILE[0],
        HOSTILE[1],
        HOSTILE[2],
        HOSTILE[3],
    ];
    let lines: Vec<String> = titles
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"id": format!("a{i}"), "title": t, "source": t, "text": "Alibaba profit fell sharply."}).to_string())
        .chain([serde_json::json!({"id": "-5", "text": "Alibaba profit rose."}).to_string()])
        .collect();
    fs::write(d.join("in.jsonl"), lines.join("\n")).unwrap();
    let csv_path = d.join("scores.csv");
    Command::cargo_bin("stance")
        .unwrap()
        .arg("score")
        .arg(d.join("in.jsonl"))
        .arg("-o")
        .arg(&csv_path)
        .assert()
        .success();
    let original = common::csv_rows(&fs::read_to_string(&csv_path).unwrap());

    // CSV -> xlsx (importing as UTF-8, comma-separated, double quotes).
    common::convert(bin, &csv_path, "xlsx", Some(UTF8_CSV), d);
    let mut sheet = String::new();
    zip::ZipArchive::new(fs::File::open(d.join("scores.xlsx")).unwrap())
        .unwrap()
        .by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet)
        .unwrap();
    assert!(
        !sheet.contains("<f>") && !sheet.contains("<f "),
        "a cell became a formula"
    );
    let header = &original[0];
    let numeric = [
        "relevance",
        "score",
        "p_bearish",
        "p_neutral",
        "p_bullish",
        "confidence",
        "tokens",
    ];
    // Text hashes are text cells: an all-digit one would lose digits as a number.
    let hash = header.iter().position(|h| h == "text_hash").unwrap();
    for row in 2..=original.len() {
        let cell = format!("r=\"{}{row}\"", (b'A' + hash as u8) as char);
        let at = sheet.find(&cell).unwrap();
        let tag = &sheet[at..at + sheet[at..].find('>').unwrap()];
        assert!(tag.contains("t=\"s\""), "text_hash {tag} is not text");
    }
    for name in numeric {
        let col = header.iter().position(|h| h == name).unwrap();
        let letter = (b'A' + col as u8) as char;
        for row in 2..=original.len() {
            let cell = format!("r=\"{letter}{row}\"");
            let at = sheet
                .find(&cell)
                .unwrap_or_else(|| panic!("no cell {letter}{row}"));
            let tag = &sheet[at..at + sheet[at..].find('>').unwrap()];
            assert!(
                !tag.contains("t=\"s\"")
                    && !tag.contains("t=\"str\"")
                    && !tag.contains("inlineStr"),
                "{name} {tag} is not a number"
            );
        }
    }

    // xlsx -> CSV (exporting UTF-8): every cell as it was.
    let back_dir = d.join("back");
    fs::create_dir(&back_dir).unwrap();
    common::convert(
        bin,
        &d.join("scores.xlsx"),
        "csv:Text - txt - csv (StarCalc):44,34,76,1",
        None,
        &back_dir,
    );
    let back = common::csv_rows(&fs::read_to_string(back_dir.join("scores.csv")).unwrap());
    assert_eq!(back.len(), original.len(), "rows");
    for (r, (a, b)) in original.iter().zip(&back).enumerate() {
        assert_eq!(a.len(), b.len(), "columns in row {r}");
        for (c, (x, y)) in a.iter().zip(b).enumerate() {
            let same_number = x
                .parse::<f64>()
                .ok()
                .zip(y.parse::<f64>().ok())
                .is_some_and(|(p, q)| (p - q).abs() < 1e-9);
            assert!(
                x == y || same_number,
                "row {r} column {}: {x:?} came back as {y:?}",
                header[c]
            );
        }
    }
    let title = header.iter().position(|h| h == "title").unwrap();
    let titles_back: Vec<&str> = back[1..].iter().map(|r| r[title].as_str()).collect();
    for hostile in HOSTILE {
        assert!(
            titles_back.contains(&format!("'{hostile}").as_str()),
            "{hostile} did not arrive as text: {titles_back:?}"
        );
    }
    assert!(titles_back.contains(&"阿里巴巴股价上涨") && titles_back.contains(&"Two\nlines"));
    let id = header.iter().position(|h| h == "id").unwrap();
    assert!(
        back.iter().any(|r| r[id] == "-5"),
        "the id -5 did not come back as -5"
    );
}

#[test]
#[cfg_attr(
    stance_without_soffice,
    ignore = "needs soffice (LibreOffice), not on the PATH when the tests were built"
)]
fn an_excel_csv_opens_in_libreoffice_with_a_clean_header_and_utf8_text() {
    let Some(bin) = common::soffice() else {
        common::available(false, "soffice (LibreOffice)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let line =
        serde_json::json!({"id": "a", "title": "阿里巴巴股价上涨", "text": "Alibaba profit rose."});
    fs::write(d.join("in.jsonl"), line.to_string()).unwrap();
    Command::cargo_bin("stance")
        .unwrap()
        .arg("score")
        .arg(d.join("in.jsonl"))
        .args(["--excel", "-o"])
        .arg(d.join("excel.csv"))
        .assert()
        .success();
    let back_dir = d.join("back");
    fs::create_dir(&back_dir).unwrap();
    common::convert(
        bin,
        &d.join("excel.csv"),
        "csv:Text - txt - csv (StarCalc):44,34,76,1",
        Some(UTF8_CSV),
        &back_dir,
    );
    let text = fs::read_to_string(back_dir.join("excel.csv")).unwrap();
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(
        rows[0][0], "id",
        "the byte-order mark is inside the first cell"
    );
    assert_eq!(rows[1][1], "阿里巴巴股价上涨");
}
