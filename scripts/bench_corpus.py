"""Builds an article-like JSONL corpus of at least --mb megabytes for scripts/bench.sh.

Articles are the repository's sample articles, the seed articles in ../shared/seeds and, from the
short texts of ../shared/corpora, synthetic articles: a headline and 5 to 30 paragraphs, each a
text of the corpora. Everything is made at run time; nothing is written into the repository.
Deterministic for a given --seed.
"""
import argparse
import csv
import glob
import json
import os
import random

parser = argparse.ArgumentParser()
parser.add_argument("--mb", type=float, default=100)
parser.add_argument("--shared", default="../shared")
parser.add_argument("--seed", type=int, default=7)
parser.add_argument("-o", "--output", required=True)
args = parser.parse_args()

articles = []
for path in sorted(glob.glob("data/articles/*.md")) + sorted(glob.glob(os.path.join(args.shared, "seeds", "*.txt"))):
    with open(path, encoding="utf-8") as f:
        articles.append(f.read())

texts = []
for path, column in [
    ("corpora/twitter_financial_news/train.csv", "text"),
    ("corpora/sentfin/data.csv", "text"),
    ("corpora/finentity/data.csv", "text"),
]:
    full = os.path.join(args.shared, path)
    if not os.path.exists(full):
        continue
    with open(full, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        col = column if column in reader.fieldnames else reader.fieldnames[0]
        seen = set()
        for row in reader:
            t = (row.get(col) or "").strip()
            if t and t not in seen:
                seen.add(t)
                texts.append(t)

rng = random.Random(args.seed)
target = int(args.mb * 1_000_000)
written = 0
n = 0
with open(args.output, "w", encoding="utf-8") as out:
    while written < target:
        if texts and rng.random() > 0.05 or not articles:
            k = rng.randint(5, 30)
            paragraphs = [rng.choice(texts) for _ in range(k + 1)]
            text = paragraphs[0] + "\n\n" + "\n\n".join(paragraphs[1:])
        else:
            text = rng.choice(articles)
        line = json.dumps({"id": f"a{n:08d}", "text": text}, ensure_ascii=False) + "\n"
        out.write(line)
        written += len(line.encode("utf-8"))
        n += 1
print(f"{args.output}: {n} articles, {written / 1e6:.1f} MB")
