#!/usr/bin/env bash
# Trains the voice model on the sample corpus (data/articles, voice column of labels.csv).
# The seeds in ../shared/seeds are kept out: they are the acceptance test.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data="$tmp/sample-corpus-voice.csv"
python3 - "$data" <<'PY'
import csv, sys, pathlib
rows = list(csv.DictReader(open("data/articles/labels.csv")))
with open(sys.argv[1], "w", newline="") as out:
    w = csv.writer(out)
    w.writerow(["id", "text", "label"])
    for r in rows:
        text = pathlib.Path("data/articles", r["file"]).read_text()
        if text.startswith("---\n"):
            head, body = text[4:].split("\n---\n", 1)
            title = next((l.split(":", 1)[1].strip() for l in head.splitlines() if l.startswith("title:")), "")
            text = f"{title}\n\n{body}" if title else body
        w.writerow([r["file"], text, r["voice"]])
PY
target/release/stance train --task voice --data "$data" --max-terms 0 --c "${C:-1}" --cv 0 \
  --name "voice-$(date +%Y%m%d)" -o data/models/voice.json "$@"
