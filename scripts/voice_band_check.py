#!/usr/bin/env python3
"""Measures the voice-dependent neutral band on labelled multi-sentence texts.

FinEntity paragraphs with more than one sentence are scored through `stance score` (each row's
entity as its target), once with the default model and once with the same model without
`neutral_band_by_voice` (every voice at the general band). The weights are the same in both runs,
so the difference is the decision rule alone. The default model was trained on these rows: read
the figures as a comparison of the two rules, not as held-out accuracy.

Usage: python3 scripts/voice_band_check.py [--bin target/release/stance] [--shared ../shared]
"""

import argparse
import csv
import json
import re
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

LABELS = {"negative": "bearish", "neutral": "neutral", "positive": "bullish"}
CLASSES = ["bearish", "neutral", "bullish"]
# A sentence end followed by a capital: the paragraph has at least two sentences.
SECOND_SENTENCE = re.compile(r"[.!?]\s+[A-Z]")


def macro_f1(pairs):
    scores = []
    for c in CLASSES:
        tp = sum(1 for got, want in pairs if got == c and want == c)
        fp = sum(1 for got, want in pairs if got == c and want != c)
        fn = sum(1 for got, want in pairs if got != c and want == c)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def score(binary, model, texts):
    out = subprocess.run(
        [binary, "score", texts, "--text-col", "text", "--model", model],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return list(csv.DictReader(out.splitlines()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default="target/release/stance")
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--model", default="data/models/stance.json")
    args = parser.parse_args()

    rows = list(csv.DictReader(open(Path(args.shared) / "corpora/finentity/data.csv")))
    with tempfile.TemporaryDirectory() as tmp:
        texts = Path(tmp) / "paragraphs.csv"
        wanted = {}
        with open(texts, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "text", "target"])
            for i, r in enumerate(rows):
                if SECOND_SENTENCE.search(r["text"].strip()):
                    writer.writerow([i, r["text"], r["entity"]])
                    wanted[str(i)] = LABELS[r["label"]]
        model = json.load(open(args.model))
        if not model.get("neutral_band_by_voice"):
            raise SystemExit(f"{args.model} has no neutral_band_by_voice to compare")
        one_band = dict(model)
        one_band.pop("neutral_band_by_voice")
        one_band_path = Path(tmp) / "one_band.json"
        json.dump(one_band, open(one_band_path, "w"))

        print(f"{len(wanted)} FinEntity paragraphs with two or more sentences")
        bands = model["neutral_band_by_voice"]
        runs = [
            (f"band {model['neutral_band']} for every voice", str(one_band_path)),
            (f"band {model['neutral_band']}, by voice {bands}", args.model),
        ]
        for name, path in runs:
            scored = score(args.bin, path, str(texts))
            pairs = [(r["stance"], wanted[r["id"]]) for r in scored]
            accuracy = sum(got == want for got, want in pairs) / len(pairs)
            voices = Counter(r.get("voice", "none") for r in scored)
            print(
                f"{name}: accuracy {accuracy:.4f}, macro-F1 {macro_f1(pairs):.4f}"
                f" (voices: {dict(voices)})"
            )


if __name__ == "__main__":
    main()
