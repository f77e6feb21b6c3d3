#!/usr/bin/env bash
# Scores the same inputs with two stance binaries and reports, per input and format, whether the
# output is byte-identical and, if not, which columns differ and in how many rows.
#
#   scripts/compare_outputs.sh OLD_BINARY NEW_BINARY [EXTRA_INPUT...]
#
# Inputs: the sample corpus (data/articles, target Alibaba), ../shared/seeds (its own targets,
# --target any) and any extra inputs given (--target any), each as CSV and as JSON Lines.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2
shift 2
shared="${SHARED:-../shared}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() {
  local name=$1 input=$2 target=$3
  for format in csv jsonl; do
    "$old" score "$input" --target "$target" --format "$format" --quiet -o "$work/old.$format" 2> /dev/null
    "$new" score "$input" --target "$target" --format "$format" --quiet -o "$work/new.$format" 2> /dev/null
    python3 - "$name" "$format" "$work/old.$format" "$work/new.$format" <<'PY'
import csv, json, sys
name, fmt, a, b = sys.argv[1:]
if open(a, "rb").read() == open(b, "rb").read():
    print(f"{name} {fmt}: byte-identical")
    sys.exit()
if fmt == "csv":
    rows = [list(csv.DictReader(open(p, encoding="utf-8-sig", newline=""))) for p in (a, b)]
else:
    rows = [[json.loads(l) for l in open(p, encoding="utf-8")] for p in (a, b)]
if len(rows[0]) != len(rows[1]):
    print(f"{name} {fmt}: {len(rows[0])} rows before, {len(rows[1])} after")
    sys.exit(1)
differ = {}
for x, y in zip(*rows):
    for k in sorted(set(x) | set(y)):
        if x.get(k) != y.get(k):
            differ[k] = differ.get(k, 0) + 1
print(f"{name} {fmt}: {len(rows[0])} rows; columns that differ: " + ", ".join(f"{k} ({n} rows)" for k, n in differ.items()))
PY
  done
}
run "sample corpus" data/articles Alibaba
run "seeds" "$shared/seeds" any
for extra in "$@"; do
  run "$(basename "$extra")" "$extra" any
done
