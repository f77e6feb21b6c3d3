#!/usr/bin/env python3
"""How often stance finds the labelled company: the share of rows with relevance > 0 when each
text is scored against its own company, on four labelled corpora of ../shared/corpora.

    python3 scripts/company_coverage.py [--stance target/release/stance] [--shared ../shared] [--misses N]

finentity and sentfin are scored against their `entity` column, stocktwits against the first of
its `tickers`, articles against `company`. The texts go to a temporary JSON Lines file (with a
`target` field each) that is deleted afterwards; nothing is written into the repository.
Prints a Markdown table, and with --misses N up to N rows per corpus where the company was not
found.
"""

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def finentity(shared):
    with open(shared / "corpora/finentity/data.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            yield r["text"], r["entity"]


def sentfin(shared):
    with open(shared / "corpora/sentfin/data.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            yield r["text"], r["entity"]


def stocktwits(shared):
    with open(shared / "corpora/stocktwits/data.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            first = r["tickers"].split(";")[0].strip()
            if first:
                yield r["text"], first


def articles(shared):
    companies = {}
    with open(shared / "corpora/articles/labels.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            companies[r["id"]] = r["company"]
    with open(shared / "corpora/articles/data.jsonl", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            if doc["id"] in companies:
                text = (doc.get("title") or "") + "\n" + (doc.get("text") or "")
                yield text, companies[doc["id"]]


CORPORA = [
    ("finentity (entity)", finentity),
    ("sentfin (entity)", sentfin),
    ("stocktwits (first ticker)", stocktwits),
    ("articles (company)", articles),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stance", default=str(ROOT / "target/release/stance"))
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--misses", type=int, default=0)
    args = parser.parse_args()
    print("| corpus | rows | relevance > 0 | share |")
    print("|---|---:|---:|---:|")
    failed = False
    for name, read in CORPORA:
        rows = list(read(args.shared))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "rows.jsonl"
            with open(path, "w", encoding="utf-8") as out:
                for i, (text, target) in enumerate(rows):
                    out.write(json.dumps({"id": f"r{i:06d}", "text": text, "target": target}) + "\n")
            result = subprocess.run(
                [args.stance, "score", str(path), "--quiet", "--format", "csv"],
                capture_output=True, text=True, check=False,
            )
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            failed = True
            continue
        scored = list(csv.DictReader(result.stdout.splitlines()))
        found = sum(1 for r in scored if int(r["relevance"]) > 0)
        print(f"| {name} | {len(scored)} | {found} | {found / len(scored):.2%} |")
        if args.misses:
            misses = [i for i, r in enumerate(scored) if int(r["relevance"]) == 0][: args.misses]
            for i in misses:
                text, target = rows[i]
                print(f"    miss {target!r}: {text[:160]!r}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
