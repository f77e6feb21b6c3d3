//! Chinese text read by the Chinese lexicon over jieba's words: the issue's examples, negation,
//! direction x metric in Chinese word order, mixed text, and explanations that point at words.

mod common;
use common::stance;

/// (stance, score, drivers) of one text scored against every sentence.
fn score(text: &str) -> (String, f64, String) {
    let out = stance()
        .args(["score", "-", "--target", "any"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(out.status.success());
    let row = &common::records(&String::from_utf8(out.stdout).unwrap())[0];
    let drivers = format!("{} {}", row["drivers_bullish"], row["drivers_bearish"]);
    (
        row["stance"].clone(),
        row["score"].parse().unwrap(),
        drivers,
    )
}

#[test]
fn the_issues_two_sentences_read_bearish_and_bullish() {
    let (stance, score_fall, drivers) = score("阿里巴巴股价大跌，投资者信心受挫。");
    assert_eq!(stance, "bearish", "{drivers}");
    assert!(drivers.contains("股价 大跌"), "{drivers}");
    let (stance, score_rise, drivers) = score("阿里巴巴营收大幅增长");
    assert_eq!(stance, "bullish", "{drivers}");
    assert!(drivers.contains("营收 增长"), "{drivers}");
    assert!(score_fall < -0.3 && score_rise > 0.3);
}

#[test]
fn traditional_characters_read_as_simplified_ones() {
    let (stance, score_simplified, _) = score("阿里巴巴股价大跌，投资者信心受挫。");
    let (same, score_traditional, drivers) = score("阿里巴巴股價大跌，投資者信心受挫。");
    assert_eq!((stance, score_simplified), (same, score_traditional));
    // The drivers quote the text as it is written.
    assert!(drivers.contains("股價 大跌"), "{drivers}");
}

#[test]
fn negation_and_metric_direction_pairs_work_in_chinese_word_order() {
    // The rules turn both cues against the holder; the class is the statement's to decide.
    let (_, score_not, drivers) = score("我不看好腾讯，净利润同比下滑12%");
    assert!(score_not < -0.3, "{drivers}");
    assert!(drivers.contains("看好 (negated)"), "{drivers}");
    assert!(drivers.contains("净利润 下滑"), "{drivers}");
    // A cost that falls is good for the holder.
    let (_, score_cost, drivers) = score("公司成本大幅下降");
    assert!(score_cost > 0.0, "{drivers}");
}

#[test]
fn mixed_english_and_chinese_text_reads_both() {
    let (stance, _, drivers) = score("$BABA 营收大幅增长, revenue rose and margins improved");
    assert_eq!(stance, "bullish", "{drivers}");
    assert!(drivers.contains("营收 增长"), "{drivers}");
}

#[test]
fn explain_points_at_chinese_words() {
    let out = stance()
        .args(["explain", "-", "--target", "阿里巴巴"])
        .write_stdin("阿里巴巴股价大跌，投资者信心受挫。")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("«股价大跌»") || text.contains("«股价»"),
        "{text}"
    );
    assert!(
        text.contains("relevance 100") || text.contains("relevance 95"),
        "{text}"
    );
}

#[test]
fn gb18030_and_big5_files_are_detected_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let simplified = "阿里巴巴股价大跌，投资者信心受挫。";
    let traditional = "阿里巴巴股價大跌，投資者信心受挫。";
    let files = [
        ("gbk.txt", encoding_rs::GBK.encode(simplified).0, "gb18030"),
        ("big5.txt", encoding_rs::BIG5.encode(traditional).0, "Big5"),
    ];
    for (name, bytes, encoding) in &files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let out = stance()
            .arg("score")
            .arg(dir.path().join(name))
            .args(["--target", "阿里巴巴"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("{name}: not UTF-8: decoded as {encoding}")),
            "{err}"
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(",bearish,"), "{name}: {text}");
    }
}

#[test]
fn the_chinese_sample_corpus_reads_as_labelled() {
    let out = stance()
        .arg("score")
        .arg(common::repo("data/articles/zh"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let scored: std::collections::HashMap<String, String> =
        (common::records(&String::from_utf8(out.stdout).unwrap()).into_iter())
            .map(|r| (format!("zh/{}", r["id"]), r["stance"].clone()))
            .collect();
    let labels = csv::Reader::from_path(common::repo("data/articles/labels.csv"))
        .unwrap()
        .into_records()
        .map(|r| r.unwrap())
        .filter(|r| r[0].starts_with("zh/"))
        .collect::<Vec<_>>();
    assert!(labels.len() >= 12, "at least twelve Chinese articles");
    let wrong: Vec<String> = (labels.iter())
        .filter(|l| scored[&l[0]] != l[2])
        .map(|l| format!("{}: labelled {}, read {}", &l[0], &l[2], scored[&l[0]]))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn chinese_company_names_resolve_and_are_found_on_words() {
    for (target, text, ticker) in [
        ("阿里巴巴", "阿里巴巴股价大跌。", "BABA"),
        ("阿里", "阿里股价大跌。", "BABA"),
        ("腾讯", "腾讯控股业绩亮眼。", "0700.HK"),
        ("京东", "京东宣布回购股票。", "JD"),
        ("拼多多", "拼多多营收大幅增长。", "PDD"),
        ("百度", "百度裁员。", "BIDU"),
        ("美团", "美团股价暴跌。", "3690.HK"),
        ("小米", "小米销量创新高。", "1810.HK"),
        ("比亚迪", "比亚迪净利润同比增长。", "1211.HK"),
        ("蔚来", "蔚来亏损扩大。", "NIO"),
        // Short forms, codes, English names and traditional characters, as people write them.
        ("Ping An Insurance", "平安今日大涨。", "2318.HK"),
        ("China Merchants Bank", "招行分红提高。", "3968.HK"),
        ("Kweichow Moutai", "茅台批价回落。", "600519.SS"),
        ("CATL", "宁德发布新电池。", "3750.HK"),
        ("BYD", "比亚迪销量创新高。", "1211.HK"),
        ("Alibaba", "港股09988走强。", "BABA"),
        ("Alibaba", "阿里巴巴（09988）走强。", "BABA"),
        ("Tencent", "騰訊控股業績亮眼。", "0700.HK"),
        ("騰訊", "腾讯控股业绩亮眼。", "0700.HK"),
    ] {
        let out = stance()
            .args(["score", "-", "--target", target])
            .write_stdin(text)
            .output()
            .unwrap();
        let row = &common::records(&String::from_utf8(out.stdout).unwrap())[0];
        assert_eq!(row["ticker"], ticker, "{target}");
        assert_ne!(row["relevance"], "0", "{target}: {text}");
    }
    // A bare code is a mention only in context: in parentheses, after 港股, or with the name.
    let out = stance()
        .args(["score", "-", "--target", "Alibaba"])
        .write_stdin("订单09988已发货。")
        .output()
        .unwrap();
    let row = &common::records(&String::from_utf8(out.stdout).unwrap())[0];
    assert_eq!(row["relevance"], "0");
}
