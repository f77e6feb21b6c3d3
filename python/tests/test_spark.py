"""Spark for archives: the sample corpus scored in Spark local mode, both ways docs/python-and-spark.md gives
(``mapInPandas`` with the package, ``RDD.pipe`` through ``stance score -``), equals the CLI's
rows. Needs pyspark and a Java runtime; under CI=true their absence fails the test."""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, cli_rows, require, same_row

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


def readme_recipe() -> str:
    """The Python block of docs/python-and-spark.md that follows the spark-recipe marker, as printed."""
    readme = (REPO / "docs" / "python-and-spark.md").read_text(encoding="utf-8")
    after = readme.split("<!-- spark-recipe", 1)[1]
    return after.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_recipe_runs_as_written(cli, sample, tmp_path):
    require(pyspark is not None, "pyspark (pip install pyspark)")
    require(shutil.which("java") is not None, "a Java runtime (apt-get install default-jre-headless)")
    pandas = pytest.importorskip("pandas")
    columns = ["id", "title", "date", "source", "target", "text"]
    frame = pandas.DataFrame([{c: r.get(c) for c in columns} for r in sample], columns=columns)
    frame.to_parquet(tmp_path / "articles.parquet")
    env = dict(os.environ)
    env["PATH"] = f"{pathlib.Path(cli).parent}{os.pathsep}{env.get('PATH', '')}"
    # A fresh interpreter, as a user would run the script; PYSPARK_PYTHON is the script's to set.
    env.pop("PYSPARK_PYTHON", None)
    script = tmp_path / "recipe.py"
    script.write_text(readme_recipe(), encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    expected = sorted(cli_rows(cli, sample, "--target", "Alibaba"), key=lambda r: r["id"])
    for output in ["scores.parquet", "scores-cli.parquet"]:
        got = pandas.read_parquet(tmp_path / output).sort_values("id").to_dict("records")
        assert len(got) == len(expected), output
        for mine, theirs in zip(got, expected):
            for column, value in theirs.items():
                cell = mine[column]
                if column.startswith("drivers_") and not isinstance(cell, str):
                    # JSON Lines gives drivers as a list: the CSV cell they make.
                    cell = "; ".join(f"{d['term']}:{d['contribution']:+.4f}" for d in cell)
                if isinstance(cell, str):
                    assert cell == value, (output, column, cell, value)
                else:
                    # JSON Lines numbers are not rounded to the CSV's four decimals.
                    assert abs(float(cell) - float(value)) <= 5e-5, (output, column, cell, value)
