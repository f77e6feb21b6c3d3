"""The Python package against the command line: the same rows, the same explanation, the GIL
released while it scores."""

import json
import subprocess
import threading

import pandas
import pytest

import stance
from conftest import REPO, cli_rows, same_row


def fields(records, name):
    return [r.get(name) for r in records]


def score_sample(records, **kwargs):
    return stance.score(
        fields(records, "text"), ids=fields(records, "id"), titles=fields(records, "title"),
        dates=fields(records, "date"), sources=fields(records, "source"),
        targets=fields(records, "target"), **kwargs,
    )


def test_score_returns_the_cli_rows_as_a_data_frame(cli, sample):
    frame = score_sample(sample)
    expected = cli_rows(cli, sample)
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == list(expected[0])
    assert len(frame) == len(expected) == len(sample)
    for mine, theirs in zip(frame.to_dict("records"), expected):
        same_row(mine, theirs)
    assert frame["relevance"].dtype.kind == "i" and frame["score"].dtype.kind == "f"
    assert set(frame["stance"]) == {"bearish", "neutral", "bullish"}


def test_every_target_mode_matches_the_cli(cli, sample):
    for target, extra in [("any", []), ("auto", ["--min-relevance", "50"]), ("Tencent", [])]:
        rows = score_sample(sample, target=target, as_frame=False)
        expected = cli_rows(cli, sample, "--target", target, *extra)
        assert len(rows) == len(expected), target
        for mine, theirs in zip(rows, expected):
            same_row(mine, theirs)


def test_rows_without_pandas_are_dicts_and_threads_do_not_change_them(sample):
    one = score_sample(sample, as_frame=False, threads=1)
    two = score_sample(sample, as_frame=False, threads=2)
    assert one == two
    assert isinstance(one[0], dict) and list(one[0]) == stance.columns()


def test_engine_files_are_read_as_the_cli_reads_them(cli, sample, tmp_path):
    extra = tmp_path / "extra.csv"
    extra.write_text("term,category,weight,note\nqwen,negative,-2.5,a test cue\n", encoding="utf-8")
    engine = stance.Engine(lexicon=[str(extra)], no_article_model=True)
    rows = score_sample(sample, engine=engine, as_frame=False)
    expected = cli_rows(cli, sample, "--lexicon", str(extra), "--no-article-model")
    for mine, theirs in zip(rows, expected):
        same_row(mine, theirs)
    assert rows != score_sample(sample, as_frame=False)


def test_explain_is_the_cli_explanation(cli, tmp_path):
    text = (REPO / "data" / "articles" / "alibaba-retail-dip.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    path = tmp_path / "dip.txt"
    path.write_text(body, encoding="utf-8")
    out = subprocess.run([cli, "explain", str(path), "--format", "json"],
                         capture_output=True, check=True)
    expected = json.loads(out.stdout)
    mine = stance.explain(body)
    assert mine["row"]["id"] == "0" and expected["row"]["id"] == "dip.txt"
    mine["row"]["id"] = expected["row"]["id"]
    assert mine == expected
    # The explanation adds up: base probabilities plus every feature's shares are the row's.
    for c, name in enumerate(["p_bearish", "p_neutral", "p_bullish"]):
        total = mine["base_probabilities"][c] + sum(f["probability_shares"][c]
                                                    for f in mine["features"])
        assert abs(total - mine["row"][name]) < 1e-9


def test_the_gil_is_released_while_scoring():
    texts = ["Alibaba profit rose and margins improved, but competition is fierce. " * 4] * 30_000
    started, counted = threading.Event(), []

    def work():
        started.set()
        stance.score(texts, as_frame=False, threads=1)

    worker = threading.Thread(target=work)
    worker.start()
    started.wait()
    count = 0
    while worker.is_alive():
        count += 1
    worker.join()
    # With the GIL held through the call this loop could not run while it scored.
    assert count > 100_000, count


def test_bad_arguments_and_files_are_errors_naming_them(tmp_path):
    with pytest.raises(ValueError, match="ids has 1 values for 2 texts"):
        stance.score(["a", "b"], ids=["x"])
    with pytest.raises(ValueError, match="threads=0"):
        stance.score(["Alibaba rose."], threads=0)
    with pytest.raises(ValueError, match="explain one company"):
        stance.explain("Alibaba rose.", target="auto")
    bad = tmp_path / "bad.csv"
    bad.write_text("term,weight\nsoar,lots\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="bad.csv"):
        stance.Engine(lexicon=[str(bad)])
    with pytest.raises(TypeError, match="unknown argument"):
        stance.score(["a"], modle="x")


def test_texts_are_strings_or_refused_by_position():
    one = stance.score("Alibaba shares jumped", as_frame=False)
    assert len(one) == 1 and one[0]["id"] == "0"
    series = pandas.Series(["Alibaba shares jumped", "Alibaba profit fell"])
    assert len(stance.score(series)) == 2
    assert len(stance.score(t for t in ["Alibaba shares jumped"])) == 1
    with pytest.raises(TypeError, match=r"texts\[1\] is int"):
        stance.score(["fine", 2])
    with pytest.raises(TypeError, match=r"texts\[0\] is missing"):
        stance.score(pandas.Series([None, "Alibaba shares jumped"]))
    with pytest.raises(TypeError, match="bytes"):
        stance.score(b"Alibaba shares jumped")
    with pytest.raises(TypeError, match="iterable of strings"):
        stance.score(5)


def test_texts_with_nothing_read_raise_one_warning_with_the_summary():
    unread = ["阿里巴巴的", "阿里巴巴的。"]
    with pytest.warns(UserWarning, match=r"scored 2 article\(s\).*2 had nothing read") as caught:
        stance.score(unread, target="Alibaba")
    assert len(caught) == 1
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stance.score(["Alibaba shares jumped after strong results."], target="Alibaba")
