"""Writes StockTwits posts from ../shared/corpora/stocktwits as a labelled CSV (id, text, label)
for training, leaving out bot and promotion templates, whose tags are not an author's view.

  python3 scripts/stocktwits_posts.py SHARED OUT [--balanced] [--sample N] [--label voice]

--balanced keeps every bearish post and as many bullish ones (the corpus is 83% bullish: this is
the class weighting `stance train` has no other way to give); --sample N draws N posts;
--label voice labels every post retail instead of its author's tag. Draws use a fixed seed, so
the training record's hash of the file names the same rows every run.
"""

import argparse
import csv
import random

TEMPLATES = (
    "view odds", "#levermann", "stocktwits.com", "tinyurl", "join ", "free trial", "get alerts",
    "signal alert", "pivotpoint", "smartoptions", "unusual activity", "top gainers", "#gsector",
    "freedom stocks", "pre-market movers",
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("shared")
    parser.add_argument("out")
    parser.add_argument("--balanced", action="store_true")
    parser.add_argument("--sample", type=int)
    parser.add_argument("--label", choices=["stance", "voice"], default="stance")
    args = parser.parse_args()
    rng = random.Random(20)
    with open(f"{args.shared}/corpora/stocktwits/data.csv", newline="", encoding="utf-8") as f:
        posts = [r for r in csv.DictReader(f) if not any(t in r["text"].lower() for t in TEMPLATES)]
    if args.balanced:
        bearish = [r for r in posts if r["label"] == "bearish"]
        bullish = [r for r in posts if r["label"] == "bullish"]
        posts = bearish + rng.sample(bullish, min(len(bearish), len(bullish)))
    if args.sample is not None:
        posts = rng.sample(posts, min(args.sample, len(posts)))
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "label"])
        for i, r in enumerate(posts):
            w.writerow([f"stocktwits-{i}", r["text"], "retail" if args.label == "voice" else r["label"]])


if __name__ == "__main__":
    main()
