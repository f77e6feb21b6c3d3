#!/usr/bin/env bash
# Makes the three shipped models by their recipes (src/learn/recipe.rs: the labelled rows of
# ../shared/corpora each learns from, and its settings) and writes their training record to
# data/models/README.md. The article decision reads the stance model just made, so the order
# matters. Quality is measured by `stance scorecard` (scripts/scorecard.sh), not here.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SHARED:-../shared}"
[ -d "$shared/corpora" ] || { echo "missing $shared/corpora: run beside ../shared" >&2; exit 1; }
cargo build --release --quiet
bin=target/release/stance
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
day=$(date +%Y%m%d)
train() {
  local recipe=$1 out=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$log/$recipe.time" \
    "$bin" train --recipe "$recipe" --shared "$shared" --cv 0 --name "$recipe-$day" -o "$out" "$@" \
    2> "$log/$recipe.log"
  grep -E "rows|wrote|warning: the fit" "$log/$recipe.log" >&2 || true
}
train stance data/models/stance.json
train article data/models/article.json --model data/models/stance.json
train voice data/models/voice.json --model data/models/stance.json
record() {
  python3 - "$1" "$log/$2.time" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["training"]
seconds, kb = open(sys.argv[2]).read().split()
terms = sum(1 for w in json.load(open(sys.argv[1]))["weights"] if w["feature"].startswith("term:"))
print(f"| {t['recipe']} | {t['rows']} | {terms} | {t['c']} | {t['prior']} | {t['converged']} | {float(seconds):.1f} | {int(kb) // 1024} |")
PY
}
{
  cat <<MD
# Models

The three shipped models are multinomial logistic regressions (linfa-logistic) with every weight
in raw feature units, made by \`scripts/train-default.sh\` on $(date +%Y-%m-%d) with
\`stance train --recipe stance|article|voice\`. Each recipe (\`src/learn/recipe.rs\`) names the
labelled rows of \`../shared/corpora\` it learns from (read in place, never copied) and its
settings; \`stance scorecard\` refits the same recipes on parts of those rows to measure the
default path held out (see docs/quality.md). The hashes of the training files and
lexicons, the regularisation and the convergence check are in each model's \`training\` field.

- \`stance.json\`, the sentence reading: lexicon cue sums and learned stems and stem bigrams, fitted
  on news tweets, SEntFiN headlines (each for its entity) and FinEntity paragraphs (each for its
  entity). A statement (under 100 words) is decided by its most probable class.
- \`article.json\`, the document decision: named features of the sentence reading and of the
  document (position acts, company events, relevance), fitted on the train splits of the
  \`articles\` corpus and of the English \`web\` corpus (SENTiVENT and FNSPID rows are CC BY-NC 4.0:
  used to fit and evaluate). It reads the stance model above.
- \`voice.json\`, retail, analysis or corporate: style counts (voice-cue lexicons, end matter,
  contacts, pronouns, punctuation) and learned terms with companies' names masked, fitted on the
  same train splits and, fitted on but never judged, 400 wire press releases (corporate) and 600
  StockTwits posts without bot templates (retail).

Company names are never learned: the target's and other known companies' names are read as
placeholders (\`[target]\`, \`[company]\`), and no term holds a company's one-word name or
ticker, a cashtag, or only function words and boilerplate.

| recipe | rows | learned terms | C | prior | converged | seconds | peak MB |
|---|---:|---:|---:|---|---|---:|---:|
MD
  record data/models/stance.json stance
  record data/models/article.json article
  record data/models/voice.json voice
  cat <<MD

Seconds and peak memory are the whole \`stance train\` run on a 2-core machine (release build).
MD
} > data/models/README.md
echo "wrote data/models/{stance,article,voice}.json and data/models/README.md" >&2
