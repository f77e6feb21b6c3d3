#!/usr/bin/env bash
# Trains the article decision (issue 20, item 2) on the train split of ../shared/corpora/articles,
# in place, and writes data/models/article.json (OUT overrides). It reads each document with the
# stance model the engine loads (data/models/stance.json unless --model says otherwise), so rerun
# it after retraining that, and then scripts/train-voice.sh, which takes this model's terms.
# Its features: the article features of the stance reading (pooled class log-odds, shares of
# bullish and bearish sentences, headline, last sentence, relevance) and TERMS stems and stem
# bigrams over every sentence, chosen by document frequency. The style counts are not features:
# with the stance model of 2026-12-01 they gave 0.580 against 0.596 without, and read a bearish
# holder's post of the sample corpus as bullish by its retail cues.
# Earlier choices (with the stance model of 2026-11-22 and the style counts), by the 10-fold CV this script prints on the train split alone (the test split is only
# ever scored, by `stance eval`): 3,000 terms gave macro-F1 0.569 / 0.570 / 0.589 / 0.594 at
# C 1 / 3 / 10 / 30; 1,000 terms 0.583 and 300 terms 0.573 at C 10; no terms 0.539.
# A draft build with the voice model's probabilities as features (not kept, so not rerunnable
# here) gave the same CV (0.596 with, 0.594 without) and
# read a bearish retail post of the sample corpus as bullish, since most retail train rows are one
# stock's rally: they are left out. StockTwits posts as extra training rows (`--train-only` with
# 1,000 or 3,000 bot-free posts, half bearish, at C 10) lowered it to 0.50 and 0.37: they have no
# neutral class. TERMS=0 gives the no-terms figure. Extra arguments go to
# `stance train`.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SHARED:-../shared}"
cargo build --release --quiet
target/release/stance train --task article --data "$shared/corpora/articles" \
  --max-terms "${TERMS:-3000}" --min-df 3 --training-pooling mean --pooling mean --prior balanced \
  --c "${C:-10}" --max-iterations 5000 --cv "${CV:-10}" --name "article-$(date +%Y%m%d)" \
  -o "${OUT:-data/models/article.json}" "$@"
