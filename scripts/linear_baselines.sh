#!/usr/bin/env bash
# Bag-of-n-grams logistic regressions (scikit-learn) on the corpora that `stance eval --cv 10`
# is judged on, with the same protocol: what a linear model without lexicons or targets reaches.
set -euo pipefail
cd "$(dirname "$0")/.."
corpora="${SHARED:-../shared}/corpora"
# A venv of its own, removed afterwards unless BASELINES_VENV names one to keep.
if [ -n "${BASELINES_VENV:-}" ]; then
  venv="$BASELINES_VENV"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  venv="$work/venv"
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet scikit-learn==1.9.1
echo -e "rows\tmacro-F1\tbaseline (stratified 10-fold, seed 42)"
echo "twitter_financial_news train:"
"$venv/bin/python" scripts/linear_baselines.py --data "$corpora/twitter_financial_news/train.csv"
echo "SEntFiN single-entity rows:"
"$venv/bin/python" scripts/linear_baselines.py --data "$corpora/sentfin/data.csv" --filter n_entities=1
echo "articles, train split, stance (whole documents):"
"$venv/bin/python" scripts/linear_baselines.py --data "$corpora/articles" --label stance
echo "articles, train split, voice:"
"$venv/bin/python" scripts/linear_baselines.py --data "$corpora/articles" --label voice
echo "StockTwits (author tags, bullish/bearish):"
"$venv/bin/python" scripts/linear_baselines.py --data "$corpora/stocktwits/data.csv"
