"""Shared fixtures: the sample corpus as records, the CLI beside it, and the CI rule that a test
whose tools are missing fails instead of being skipped."""

import csv
import io
import json
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
CLI = pathlib.Path(os.environ.get("STANCE_BIN", REPO / "target" / "release" / "stance"))


def under_ci() -> bool:
    return os.environ.get("CI", "") not in ("", "false")


def require(present: bool, what: str) -> None:
    """Skips a test whose tools are missing; under CI=true fails it instead."""
    if not present:
        if under_ci():
            pytest.fail(f"{what} is required under CI=true, and it is not here")
        pytest.skip(f"{what} is not here")


def front_matter(path: pathlib.Path) -> dict:
    """A sample article as a record: its front-matter fields and body."""
    text = path.read_text(encoding="utf-8")
    fields = {}
    if text.startswith("---\n"):
        head, body = text[4:].split("\n---\n", 1)
        for line in head.splitlines():
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip().strip('"')
        text = body
    fields["text"] = text
    fields["id"] = str(path.relative_to(REPO / "data" / "articles"))
    return fields


@pytest.fixture(scope="session")
def sample():
    """The bundled sample corpus, one record per article."""
    paths = sorted((REPO / "data" / "articles").rglob("*.md"))
    return [front_matter(p) for p in paths]


@pytest.fixture(scope="session")
def cli():
    require(CLI.exists(), f"the stance binary ({CLI}; cargo build --release)")
    return str(CLI)


def cli_rows(cli: str, records: list, *args: str) -> list:
    """What `stance score` writes (raw CSV) for these records given as JSON Lines."""
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    out = subprocess.run(
        [cli, "score", "-", "--input-format", "jsonl", "--raw-csv", *args],
        input=lines.encode(), capture_output=True, check=True,
    )
    return list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8"), newline="")))


def same_row(mine: dict, theirs: dict) -> None:
    """A row from the package equals the CLI's: text as written, numbers as the CSV's."""
    assert list(mine) == list(theirs)
    for column, value in theirs.items():
        got = mine[column]
        if isinstance(got, str):
            assert got == value, (column, got, value)
        else:
            assert float(got) == float(value), (column, got, value)
