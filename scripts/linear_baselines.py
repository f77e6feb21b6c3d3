"""Reference points for `stance eval --cv 10`: scikit-learn bag-of-n-grams logistic regressions
on the same labelled rows, with the same protocol (stratified 10-fold, seed 42, macro-F1 over the
pooled out-of-fold predictions). They read no target and no lexicon.

Usage: scripts/linear_baselines.sh (makes a venv with scikit-learn and runs this).
"""

import argparse
import csv
import json
import os

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline, make_union


def rows(path, filters, label):
    """A labelled CSV file's rows, or the train split of a document corpus (a folder holding
    labels.csv and data.jsonl, such as ../shared/corpora/articles): title and text together."""
    if os.path.isdir(path):
        documents = {}
        with open(os.path.join(path, "data.jsonl"), encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                documents[d["id"]] = f"{d.get('title') or ''}\n{d['text']}"
        with open(os.path.join(path, "labels.csv"), newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["split"] == "train" and row[label]:
                    yield documents[row["id"]], row[label].lower()
        return
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if all(row.get(k) == v for k, v in filters):
                yield row["text"], row[label].lower()


def words():
    return TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)


def characters():
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)


BASELINES = {
    "word 1-2-grams, TF-IDF": lambda: make_pipeline(words(), LogisticRegression(C=10, max_iter=3000)),
    "word 1-2-grams + char 2-5-grams, TF-IDF, balanced": lambda: make_pipeline(
        make_union(words(), characters()),
        LogisticRegression(C=10, max_iter=3000, class_weight="balanced"),
    ),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--filter", action="append", default=[], help="COL=VALUE")
    parser.add_argument("--label", default="label", help="label column (a corpus: stance or voice)")
    args = parser.parse_args()
    filters = [tuple(f.split("=", 1)) for f in args.filter]
    texts, labels = zip(*rows(args.data, filters, args.label))
    folds = StratifiedKFold(10, shuffle=True, random_state=42)
    for name, make in BASELINES.items():
        predicted = cross_val_predict(make(), list(texts), list(labels), cv=folds, n_jobs=2)
        print(f"{len(labels)}\t{f1_score(labels, predicted, average='macro'):.4f}\t{name}", flush=True)


if __name__ == "__main__":
    main()
