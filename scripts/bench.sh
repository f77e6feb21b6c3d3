#!/usr/bin/env bash
# Throughput and memory benchmark; prints the table that docs/speed.md quotes.
#
#   scripts/bench.sh            100 MB corpus, every measurement, plus 1 GB memory runs
#   scripts/bench.sh --quick    skip the 1 GB runs
#   BASELINE=path/to/stance scripts/bench.sh --quick
#                               also time another build on the same corpus, one thread, with
#                               this build timed just before and after it, and print the ratio
#
# The corpus is built at run time (scripts/bench_corpus.py: the sample articles, ../shared/seeds
# and articles assembled from ../shared/corpora texts) in a temporary directory; nothing large is
# kept. Python vaderSentiment scores the first VADER_MB (default 20) MB of the same corpus in a
# venv the script makes, so the speed ratio is measured in the same run. Every timing except the
# 1 GB runs is the fastest of RUNS (default 3) runs.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false
[ "${1:-}" = "--quick" ] && quick=true
shared="${SHARED:-../shared}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
cargo bench --no-run --quiet --bench stages 2> /dev/null
bin=target/release/stance
python3 scripts/bench_corpus.py --mb 100 --shared "$shared" -o "$work/corpus.jsonl" >&2
# Variants of the corpus, read once: single articles of 2 and 10 MB, and unless --quick the 1 GB
# inputs (the corpus ten times over, as it is and joined into articles of about 1 MB).
python3 - "$work" "$quick" <<'PY'
import json, sys
work, quick = sys.argv[1], sys.argv[2] == "true"
records = [json.loads(line) for line in open(f"{work}/corpus.jsonl", encoding="utf-8")]
texts = [r["text"] for r in records]

def joined(limit):
    """Runs of consecutive texts of at least `limit` bytes each, joined as paragraphs."""
    run, size = [], 0
    for text in texts:
        run.append(text)
        size += len(text.encode("utf-8"))
        if size >= limit:
            yield "\n\n".join(run)
            run, size = [], 0

def write(name, articles):
    with open(f"{work}/{name}", "w", encoding="utf-8") as out:
        for id, text in articles:
            out.write(json.dumps({"id": id, "text": text}, ensure_ascii=False) + "\n")

for mb in (2, 10):
    write(f"one{mb}.jsonl", [("one", next(joined(mb * 1_000_000)))])
if not quick:
    with open(f"{work}/big.jsonl", "w", encoding="utf-8") as out:
        for copy in range(10):
            for r in records:
                out.write(json.dumps({**r, "id": f"{copy}-{r['id']}"}, ensure_ascii=False) + "\n")
    long = list(joined(1_000_000))
    write("long.jsonl", [(f"{c}-{i}", t) for c in range(10) for i, t in enumerate(long)])
PY
bytes=$(stat -c %s "$work/corpus.jsonl")
articles=$(wc -l < "$work/corpus.jsonl")
threads=$(nproc)

rows=() floor_rows=()
format_row() { printf '| %-34s | %7s | %9s | %10s | %9s |' "$@"; }
row() { rows+=("$(format_row "$@")"); }

# The stages in-process (benches/stages.rs); the floor's rows go last in the table.
declare -A stage_mbs
while IFS=$'\t' read -r stage n mbs aps _; do
  [ "$n" = 1 ] && stage_mbs[$stage]=$mbs
  case $stage in
    floor:*) floor_rows+=("$(format_row "$stage" "$n" "$mbs" "$aps" "")") floor_mbs=$mbs ;;
    *) row "$stage" "$n" "$mbs" "$aps" "" ;;
  esac
done < <(cargo bench --quiet --bench stages -- "$work/corpus.jsonl" 2> /dev/null)

# The full path: JSONL file in, CSV file out, every sentence scored (--target any, unless a
# fourth argument names the target): the fastest of the runs, and the largest peak memory seen.
score() {
  local n=$1 corpus=$2 runs=${3:-${RUNS:-3}} target=${4:-any} times="" peaks=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/time" \
      "$bin" score "$corpus" --target "$target" --threads "$n" --quiet -o "$work/out.csv" 2> /dev/null
    read -r seconds peak_kb < "$work/time"
    times+=" $seconds" peaks+=" $peak_kb"
  done
  python3 -c "import sys; t,b,a,k=sys.argv[1:]; s=min(map(float,t.split())); k=max(map(float,k.split())); print(f'{float(b)/1e6/s:.1f} {float(a)/s:.0f} {k/1024:.0f}')" \
    "$times" "$(stat -c %s "$corpus")" "$(wc -l < "$corpus")" "$peaks"
}
read -r mbs1 aps1 rss1 <<< "$(score 1 "$work/corpus.jsonl")"
if [ -n "${BASELINE:-}" ]; then
  # Another build on the same corpus, between two timings of this one (machines drift).
  saved=$bin
  bin=$BASELINE
  read -r mbsb1 apsb1 rssb1 <<< "$(score 1 "$work/corpus.jsonl")"
  bin=$saved
  read -r mbs1b aps1b _ <<< "$(score 1 "$work/corpus.jsonl")"
  if python3 -c "import sys; sys.exit(float(sys.argv[1]) <= float(sys.argv[2]))" "$mbs1b" "$mbs1"; then
    mbs1=$mbs1b aps1=$aps1b
  fi
fi
row "stance score, JSONL to CSV" 1 "$mbs1" "$aps1" "$rss1"
if [ -n "${BASELINE:-}" ]; then
  row "baseline build, JSONL to CSV" 1 "$mbsb1" "$apsb1" "$rssb1"
fi
# One named company, and every listed company each article names (one automaton over the
# company table's aliases, built once per run).
read -r mbs_alibaba aps_alibaba rss_alibaba <<< "$(score 1 "$work/corpus.jsonl" "" Alibaba)"
row "stance score --target Alibaba" 1 "$mbs_alibaba" "$aps_alibaba" "$rss_alibaba"
read -r mbs_auto aps_auto rss_auto <<< "$(score 1 "$work/corpus.jsonl" "" auto)"
row "stance score --target auto" 1 "$mbs_auto" "$aps_auto" "$rss_auto"
# Chinese: the sentences of the Chinese sample corpus (data/articles/zh) recombined into 20,000
# articles of 4 to 10 sentences; no Chinese corpus is at hand, so its runs repeat far more often
# than real text's and the segmenter's cache is warmer than it would be.
python3 - "$work" <<'PY'
import glob, json, random, re, sys
sentences = []
for path in sorted(glob.glob("data/articles/zh/*.md")):
    body = open(path, encoding="utf-8").read().split("---", 2)[2].replace("\n", "")
    sentences += [s for s in re.split(r"(?<=[。！？])", body) if s.strip()]
rng = random.Random(7)
with open(f"{sys.argv[1]}/zh.jsonl", "w", encoding="utf-8") as out:
    for i in range(20000):
        text = "".join(rng.choice(sentences) for _ in range(rng.randint(4, 10)))
        out.write(json.dumps({"id": f"z{i:05d}", "text": text}, ensure_ascii=False) + "\n")
PY
read -r mbs_zh aps_zh rss_zh <<< "$(score 1 "$work/zh.jsonl")"
row "stance score, Chinese (recombined)" 1 "$mbs_zh" "$aps_zh" "$rss_zh"
read -r mbsn apsn rssn <<< "$(score "$threads" "$work/corpus.jsonl")"
row "stance score, JSONL to CSV" "$threads" "$mbsn" "$apsn" "$rssn"

# One 2 MB and one 10 MB article: cost per article is linear, so both should score at one rate.
for mb in 2 10; do
  read -r mbs_one aps_one rss_one <<< "$(score 1 "$work/one$mb.jsonl")"
  row "stance score, one $mb MB article" 1 "$mbs_one" "$aps_one" "$rss_one"
done

# Python VADER on the same texts.
python3 -m venv "$work/venv" > /dev/null
"$work/venv/bin/pip" install --quiet vaderSentiment==3.3.2
read -r vader_mbs vader_aps vader_mb <<< "$("$work/venv/bin/python" scripts/vader_bench.py "$work/corpus.jsonl" --mb "${VADER_MB:-20}" --runs "${RUNS:-3}")"
row "vaderSentiment 3.3.2 (${vader_mb} MB)" 1 "$vader_mbs" "$vader_aps" ""

if ! $quick; then
  # Memory does not grow with input: the same corpus ten times over (1 GB), new ids each time.
  read -r mbsb apsb rssb <<< "$(score "$threads" "$work/big.jsonl" 1)"
  row "stance score, 1 GB JSONL to CSV" "$threads" "$mbsb" "$apsb" "$rssb"
  # The same 1 GB as articles of about 1 MB each: memory must not grow with article length either.
  read -r mbsl apsl rssl <<< "$(score "$threads" "$work/long.jsonl" 1)"
  row "stance score, 1 GB, 1 MB articles" "$threads" "$mbsl" "$apsl" "$rssl"
fi

echo
echo "Corpus: $articles articles, $((bytes / 1000000)) MB of JSONL; $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
format_row "stage" "threads" "MB/s" "articles/s" "peak MB"
echo
echo "|------------------------------------|---------|-----------|------------|-----------|"
printf '%s\n' "${rows[@]}" "${floor_rows[@]}"
echo
python3 -c "import sys; one,n,vader,many,floor=sys.argv[1:]; print(f'stance score on 1 thread / VADER: {float(one)/float(vader):.1f}x; {n} threads / 1 thread: {float(many)/float(one):.2f}x; 1 thread / floor: {float(one)/float(floor):.2f}')" \
  "$mbs1" "$threads" "$vader_mbs" "$mbsn" "$floor_mbs"
if [ -n "${BASELINE:-}" ]; then
  python3 -c "import sys; one,base=map(float,sys.argv[1:]); print(f'this build / baseline on 1 thread: {one/base:.2f}x ({one:.1f} vs {base:.1f} MB/s)')" "$mbs1" "$mbsb1"
fi
python3 -c "import sys; auto,one=map(float,sys.argv[1:]); print(f'--target auto / --target Alibaba on 1 thread: {auto/one:.2f}x')" "$mbs_auto" "$mbs_alibaba"
# Where a megabyte's time goes on one thread, in process: each stage row's time per MB less the
# row before it (the rows are cumulative; each run starts with an empty word cache).
python3 - "${stage_mbs[tokenize]}" "${stage_mbs[tokenize+stem]}" "${stage_mbs[+ match, rules, focus]}" \
  "${stage_mbs[+ features, models, shares]}" "${stage_mbs[  of which: exact shares alone]}" \
  "${stage_mbs[+ drivers, CSV row]}" <<'PY'
import sys
tok, stem, read, model, shares, row = (1000 / float(x) for x in sys.argv[1:])
parts = [("tokenize", tok), ("stem", stem - tok), ("match, rules, focus", read - stem),
         ("features and models", model - read - shares), ("exact shares", shares),
         ("drivers, CSV row", row - model)]
print("one thread, ms per MB by stage: " + ", ".join(f"{name} {ms:.1f}" for name, ms in parts)
      + f" (together {row:.1f})")
PY
