"""Scores the first --mb megabytes of a JSONL corpus with vaderSentiment; prints MB/s, articles/s.

The fastest of --runs runs counts, as for stance in scripts/bench.sh."""
import argparse
import json
import time

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

parser = argparse.ArgumentParser()
parser.add_argument("corpus")
parser.add_argument("--mb", type=float, default=20)
parser.add_argument("--runs", type=int, default=3)
args = parser.parse_args()

texts = []
size = 0
with open(args.corpus, encoding="utf-8") as f:
    for line in f:
        text = json.loads(line)["text"]
        texts.append(text)
        size += len(text.encode("utf-8"))
        if size >= args.mb * 1e6:
            break
analyzer = SentimentIntensityAnalyzer()
seconds = float("inf")
for _ in range(args.runs):
    start = time.perf_counter()
    for text in texts:
        analyzer.polarity_scores(text)
    seconds = min(seconds, time.perf_counter() - start)
print(f"{size / 1e6 / seconds:.2f}\t{len(texts) / seconds:.0f}\t{size / 1e6:.1f}")
