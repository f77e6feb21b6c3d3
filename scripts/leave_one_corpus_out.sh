#!/usr/bin/env bash
# Leave-one-corpus-out (issue 20, item 7): for each labelled corpus in ../shared/corpora, trains a
# stance model on all the others (the articles by their train split) with the default recipe, and
# scores the one left out with it: the articles on their test split, StockTwits on direction (its
# labels have no neutral class), each with an article decision refitted for that stance model (as
# scripts/train-article.sh does) except when the articles are left out. Prints a Markdown table;
# nothing is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
c="${SHARED:-../shared}/corpora"
cargo build --release --quiet
bin=target/release/stance
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
names=(twitter_financial_news sentfin finentity stocktwits articles)
data=("$c/twitter_financial_news/train.csv" "$c/sentfin/data.csv" "$c/finentity/data.csv"
      "$c/stocktwits/data.csv" "$c/articles")
f1() { python3 -c 'import json,sys; d=json.load(sys.stdin); p=d["parts"][0]["stance"] if "parts" in d else d; print("%.4f %.4f %d" % (p["macro_f1"], p["accuracy"], p["n"]))'; }
echo "| left out | rows scored | macro-F1 | accuracy | scored as |"
echo "|---|---|---|---|---|"
for i in "${!names[@]}"; do
  train=()
  for j in "${!names[@]}"; do
    [ "$i" = "$j" ] || train+=(--data "${data[$j]}")
  done
  "$bin" train "${train[@]}" --target-col entity --voice-band analysis=0.35 --cv 0 --name "without-${names[$i]}" \
    -o "$tmp/model.json" 2> "$tmp/train.log" || { cat "$tmp/train.log" >&2; exit 1; }
  case ${names[$i]} in
    articles) args=(--data "${data[$i]}" --split test); how="test split, stance" ;;
    stocktwits) args=(--data "${data[$i]}" --target any); how="direction (bullish against bearish)" ;;
    twitter_financial_news) args=(--data "${data[$i]}" --target any); how="stance" ;;
    *) args=(--data "${data[$i]}" --target-col entity); how="stance" ;;
  esac
  # The article decision reads the stance model, so it is refitted on the articles' train split
  # with this one; without the articles there is none, and the stance model's bands decide.
  if [ "${names[$i]}" = articles ]; then
    decision=(--no-article-model)
  else
    "$bin" train --task article --data "$c/articles" --model "$tmp/model.json" --max-terms 3000 --min-df 3 \
      --training-pooling mean --pooling mean --prior balanced --c 10 --max-iterations 5000 --cv 0 \
      -o "$tmp/article.json" 2> "$tmp/train.log" || { cat "$tmp/train.log" >&2; exit 1; }
    decision=(--article-model "$tmp/article.json")
  fi
  read -r macro accuracy n <<< "$("$bin" eval "${args[@]}" --model "$tmp/model.json" "${decision[@]}" --json 2> /dev/null | f1)"
  echo "| ${names[$i]} | $n | $macro | $accuracy | $how |"
done
