//! `stance score -` is a streaming filter: rows come out while its input is still open, in input
//! order, as Spark's `RDD.pipe` and Unix pipelines need.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn article(i: usize) -> String {
    let text = if i.is_multiple_of(2) {
        "Alibaba profit rose and margins improved."
    } else {
        "Alibaba shares fell after a weak quarter."
    };
    serde_json::json!({"id": format!("a{i:03}"), "text": text}).to_string() + "\n"
}

#[test]
fn rows_come_out_before_the_input_ends_and_in_input_order() {
    for threads in ["1", "2"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_stance"))
            .args(["score", "-", "--format", "jsonl", "--threads", threads])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        let (send, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                send.send(line.unwrap()).unwrap();
            }
        });
        let id = |line: String| -> String {
            let row: serde_json::Value = serde_json::from_str(&line).unwrap();
            row["id"].as_str().unwrap().to_string()
        };
        // Three articles, then a pause with the pipe still open: their rows must arrive.
        for i in 0..3 {
            input.write_all(article(i).as_bytes()).unwrap();
        }
        input.flush().unwrap();
        for i in 0..3 {
            let line = lines
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("row {i} did not come while the input was open"));
            assert_eq!(id(line), format!("a{i:03}"), "threads {threads}");
        }
        // The rest in one go; then the end of input.
        for i in 3..2000 {
            input.write_all(article(i).as_bytes()).unwrap();
        }
        drop(input);
        let rest: Vec<String> = lines.iter().map(id).collect();
        let expected: Vec<String> = (3..2000).map(|i| format!("a{i:03}")).collect();
        assert_eq!(rest, expected, "threads {threads}");
        assert!(child.wait().unwrap().success());
    }
}
