"""Spark for archives: the sample corpus scored in Spark local mode, both ways the README gives
(``mapInPandas`` with the package, ``RDD.pipe`` through ``stance score -``), equals the CLI's
rows. Needs pyspark and a Java runtime; under CI=true their absence fails the test."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import cli_rows, require, same_row

try:
    import pyspark
    from pyspark.sql import SparkSession
except ImportError:
    pyspark = None


@pytest.fixture(scope="module")
def spark():
    require(pyspark is not None, "pyspark (pip install pyspark)")
    require(shutil.which("java") is not None, "a Java runtime (apt-get install default-jre-headless)")
    # Spark's Python workers run this interpreter, which has the package.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("stance-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    yield session
    session.stop()


def articles_frame(spark, sample):
    columns = ["id", "title", "date", "source", "target", "text"]
    rows = [tuple(r.get(c) for c in columns) for r in sample]
    ddl = ", ".join(f"{c} string" for c in columns)
    # Three partitions, so that rows come from several tasks and must still come back in order.
    return spark.createDataFrame(rows, ddl).repartition(3).sortWithinPartitions("id")


def test_map_in_pandas_gives_the_cli_rows(spark, cli, sample):
    from stance.spark import score_in_spark

    scored = score_in_spark(articles_frame(spark, sample), target="Alibaba")
    rows = [r.asDict() for r in scored.orderBy("id").collect()]
    expected = sorted(cli_rows(cli, sample, "--target", "Alibaba"), key=lambda r: r["id"])
    assert len(rows) == len(expected) == len(sample)
    for mine, theirs in zip(rows, expected):
        same_row(mine, theirs)


def test_rdd_pipe_through_the_cli_gives_its_rows_in_order(spark, cli, sample):
    ordered = sorted(sample, key=lambda r: r["id"])
    lines = spark.sparkContext.parallelize(
        [json.dumps(r, ensure_ascii=False) for r in ordered], 3)
    piped = lines.pipe(f"{cli} score - --input-format jsonl --format jsonl --threads 1 --quiet")
    rows = [json.loads(line) for line in piped.collect()]
    whole = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ordered)
    out = subprocess.run([cli, "score", "-", "--input-format", "jsonl", "--format", "jsonl"],
                         input=whole.encode(), capture_output=True, check=True)
    expected = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert rows == expected
