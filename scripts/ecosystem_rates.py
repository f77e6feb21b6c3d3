"""Rates of each way in: the CLI (files, stdin, xlsx), the Python package, and Spark local mode.

    python3 scripts/bench_corpus.py --mb 20 -o /tmp/c20.jsonl
    .venv/bin/python scripts/ecosystem_rates.py /tmp/c20.jsonl

Needs a release build (target/release/stance) and the package with its Spark extras installed in
the interpreter that runs it (pip install "./python[spark]"). Every figure is the best of
--runs runs on the same corpus, scored with --target any (every sentence), on all cores unless
a thread count is given.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
CLI = str(REPO / "target" / "release" / "stance")


def best(runs, work):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", help="a JSONL corpus (scripts/bench_corpus.py)")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args()
    records = [json.loads(line) for line in open(args.corpus, encoding="utf-8")]
    texts = [r["text"] for r in records]
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    print(f"{len(texts)} articles, {megabytes:.1f} MB of text, {os.cpu_count()} cores")

    def report(name, seconds):
        print(f"{name:<44} {megabytes / seconds:6.1f} MB/s {len(texts) / seconds:8.0f} articles/s")

    out = tempfile.mkdtemp()
    for threads in ("1", "2"):
        cmd = [CLI, "score", args.corpus, "--target", "any", "--threads", threads, "-q",
               "-o", f"{out}/s.csv"]
        report(f"stance score, JSONL to CSV, {threads} thread(s)",
               best(args.runs, lambda: subprocess.run(cmd, check=True, capture_output=True)))
    cmd = [CLI, "score", args.corpus, "--target", "any", "-q", "-o", f"{out}/s.xlsx"]
    report("stance score, JSONL to xlsx", best(
        args.runs, lambda: subprocess.run(cmd, check=True, capture_output=True)))
    data = open(args.corpus, "rb").read()
    cmd = [CLI, "score", "-", "--input-format", "jsonl", "--target", "any", "-q"]
    report("stance score -, a pipe to a pipe", best(
        args.runs, lambda: subprocess.run(cmd, input=data, check=True, capture_output=True)))

    import stance

    stance.score(texts[:10], target="any")
    for threads in (1, 2):
        report(f"stance.score (Python), {threads} thread(s)", best(
            args.runs, lambda: stance.score(texts, target="any", threads=threads)))
    if args.no_spark:
        return

    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession
    from stance.spark import score_in_spark

    spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false") \
        .config("spark.ui.showConsoleProgress", "false").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    rows = [(str(i), t) for i, t in enumerate(texts)]
    frame = spark.createDataFrame(rows, "id string, text string").repartition(4).cache()
    frame.count()
    pipe = f"{CLI} score - --input-format jsonl --format jsonl --target any --threads 1 --quiet"
    routes = {
        "Spark local[2], mapInPandas": lambda: score_in_spark(frame, target="any").count(),
        "Spark local[2], RDD.pipe": lambda: frame.toJSON().pipe(pipe).count(),
    }
    for name, run in routes.items():
        run()
        report(name, best(args.runs, run))
    spark.stop()


if __name__ == "__main__":
    main()
