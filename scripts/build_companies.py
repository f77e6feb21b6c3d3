#!/usr/bin/env python3
"""Derives lexicons/companies/companies.csv from the company tables in ../shared/companies.

    python3 scripts/build_companies.py [--shared ../shared] [-o lexicons/companies/companies.csv]

One row per company, most prominent first (the hand-checked large caps, then the S&P 500, then
every other SEC filer by the SEC file's own order, which is by market value, then Hong Kong and
mainland listings, then other large and mega caps): when two companies share an alias, the
earlier row wins. Columns:

    ticker   the primary ticker (Yahoo style for non-US listings: 0700.HK, 600519.SS)
    name     the name to show
    aliases  names matched in text, |-separated: legal names with and without their legal suffix,
             short and former names, Chinese names
    tickers  every ticker, |-separated, the primary first; former tickers last
    plain    the aliases and tickers that are also ordinary words or abbreviations (|-separated,
             as written in the other columns): stance matches such a name only when capitalized,
             and such a ticker only as a cashtag, next to an exchange or a company word, in an
             article that names the company otherwise, or when asked for
    tail     the aliases and tickers read one step stricter when no one asked for the company
             (`--target auto`): short tickers and names of less prominent companies, more often
             something else when they stand alone, are then plain; a plain name that edited prose
             writes in lower case ("Target", "News"; not "Apple", which only posts do) is listed
             in both columns and then counts only where it reads as a name (after a lower-case
             word or a comma, or with company context)

A prominent company is also named by the first word of its name ("Peloton" for Peloton
Interactive, "Micron" for Micron Technology) when that word has four letters or more, is not an
ordinary word, starts no other company's name, and the press releases, FinEntity and SEntFiN
use it alone for the company (not followed by the rest of its name, in a document that names
the company in full) at least twice, and more often than in documents that do not name the
company: "Walt" (always "Walt Disney") and "Philip" (a first name elsewhere) are not names.
Short forms the corpora never show (Sainsbury's, Morrisons, StanChart) are in targets.toml.

"Ordinary word" is measured, not listed: a ticker or name is plain when the edited prose of
../shared/corpora (press releases, FinEntity, SEntFiN; not the articles corpus, which is scored)
writes it in lower case at least PLAIN_LOWER times (a name: counting posts and tweets too, where
every word of it is a lower-case word of an English word list, Debian's wamerican from SCOWL,
so that "nice" and "man" are ordinary and "coinbase" and "tesla" are not), and a ticker also when the press releases
write it in capitals, without a cashtag, in PLAIN_CAPS documents that do not name its company
(AI, EV, CEO). Outside the prominent companies (the S&P 500, the first PROMINENT_SEC_ROWS of the
SEC file, large Hong Kong and mainland listings, the hand table) only names of several words, not
all of them ordinary words, are kept, and they and every ticker of up to four letters are tail;
outside the S&P 500 and the hand table every ticker of up to three letters is tail. The corpora
are only counted; none of their text is written out.
"""

import argparse
import csv
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

PLAIN_LOWER = 3
PLAIN_CAPS = 5
# Where lower case is counted: edited prose (retail posts write brand names in lower case too).
LOWER_CASE_CORPORA = ["press_releases", "finentity", "sentfin"]
# Where lower case is counted for names only: posts and tweets.
INFORMAL_CORPORA = ["stocktwits", "twitter_financial_news"]
# Where capitals are counted: whole documents, which name the company a ticker stands for.
CAPITALS_CORPORA = ["press_releases"]
# Other markets' mid caps are kept too: FinanceDatabase files FTSE 100 members such as Centrica
# and J Sainsbury as mid caps.
OTHER_MARKETS_CAPS = {"Mega Cap", "Large Cap", "Mid Cap"}
# Prominent companies are also named by one word and by bare tickers: the S&P 500, the first
# rows of the SEC file (by market value), large Hong Kong and mainland listings, the hand table.
PROMINENT_SEC_ROWS = 1500
PROMINENT_CAPS = {"Mega Cap", "Large Cap", "Mid Cap"}
HK_CN_CAP_ORDER = ["Mega Cap", "Large Cap", "Mid Cap", "Small Cap", "Micro Cap", "Nano Cap", ""]

LEGAL_SUFFIXES = {
    "inc", "incorporated", "corp", "corporation", "co", "company", "cos", "companies", "ltd",
    "limited", "plc", "llc", "lp", "l.p", "llp", "n.v", "nv", "s.a", "sa", "ag", "se", "spa",
    "s.p.a", "asa", "ab", "oyj", "a/s", "as", "bhd", "berhad", "tbk", "pt", "kk", "k.k",
    "holdings", "holding", "group", "hldgs", "hldg", "grp", "com", ".com", "the", "and", "&",
    "adr", "ads", "sponsored", "de", "nv/", "class", "cl", "a", "b", "c", "shares", "ordinary",
    "new",
}
WORD = re.compile(r"\$?[A-Za-z0-9][A-Za-z0-9.'&-]*[A-Za-z0-9]|\$?[A-Za-z0-9]")
SPAC_TICKER = re.compile(r"^[A-Z]{3,4}(W|WS|U|R)$")
# Brazilian depositary receipts (B1TI34.SA "BRITISH AMERDRN"): another listing of a company
# listed elsewhere, under a truncated name.
DEPOSITARY_RECEIPT = re.compile(r"^[A-Z0-9]{4}3[1-9]\.SA$")


def clean_name(name):
    """A legal name without SEC state tags (/DE/), parentheticals and doubled spaces."""
    name = re.sub(r"/[A-Z]{2,3}/?", " ", name)
    name = re.sub(r"\([^)]*\)", " ", name)
    name = name.replace("\u00a0", " ")
    return re.sub(r"\s+", " ", name).strip(" ,.-")


def spaced(name):
    """The index lists write English names without spaces ("AlibabaGroupHoldingLtd")."""
    if " " in name:
        return name
    return re.sub(r"(?<=[a-z.])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)


def strip_suffix(name):
    """The name without trailing legal and share-class words: "Apple Inc." -> "Apple",
    "AMAZON COM INC" -> "AMAZON", "Tencent Holding Ltd." -> "Tencent"."""
    words = re.split(r"[\s,]+", clean_name(name))
    words = [w for w in words if w]
    if words and words[0].lower() == "the":
        words = words[1:]
    while len(words) > 1:
        last = words[-1].lower().strip(".").rstrip(",")
        if last in LEGAL_SUFFIXES:
            words.pop()
        else:
            break
    return " ".join(words).strip(" ,.-&")


# Three-letter words of names that are words, not acronyms: shown capitalized.
THREE_LETTER_WORDS = {
    "air", "all", "art", "bay", "big", "bio", "box", "car", "day", "dry", "far", "fox", "gas",
    "hub", "ice", "jet", "key", "lab", "man", "net", "new", "oil", "one", "pet", "red", "sea",
    "sky", "sun", "tea", "top", "two", "way",
}


def display(name):
    """SEC titles are in capitals: show them in title case, keeping acronyms of up to three
    letters ("BHP", "ITV", "IBM") and short words with signs ("AT&T") as they are."""
    if name != name.upper():
        return name
    out = []
    for w in name.split():
        letters = re.sub(r"[^A-Za-z]", "", w)
        acronym = len(letters) <= 3 and w.lower() not in THREE_LETTER_WORDS
        out.append(w if acronym else w.capitalize())
    return " ".join(out)


class Company:
    def __init__(self, ticker, name, source):
        self.ticker = ticker
        self.name = name
        self.aliases = []
        self.tickers = [ticker]
        self.sources = [source]
        self.keep = set()  # aliases kept however common (short names chosen by people)
        self.prominent = False
        self.indexed = False  # in the S&P 500 or the hand table: short tickers match bare

    def add_alias(self, alias, chosen=False):
        if re.search(r"[\u4e00-\u9fff]", alias):
            # Hong Kong short names mark share structures with -W, -SW, -S, -B.
            alias = re.sub(r"-[A-Z]{1,2}$", "", alias.strip())
            # Mainland short names mark A shares with a letter ("万科A"); text writes either.
            alias = re.sub(r"(?<=[\u4e00-\u9fff])\s*[AＡ]$", "", alias)
        else:
            alias = clean_name(alias)
        if len(alias) < 2 or alias.isdigit():
            return
        if alias.lower() not in (a.lower() for a in self.aliases):
            self.aliases.append(alias)
        if chosen:
            self.keep.add(alias.lower())

    def add_name(self, legal, chosen=False):
        """A legal name and its suffix-stripped form."""
        self.add_alias(legal, chosen)
        stripped = strip_suffix(legal)
        if stripped:
            self.add_alias(stripped, chosen)
        if re.search(r"\bCOM\b", legal, re.I) and stripped and " " not in stripped and "." not in stripped:
            self.add_alias(stripped + ".com", chosen)

    def add_ticker(self, ticker):
        ticker = re.sub(r"\s*\(.*", "", ticker).strip()
        if ticker and ticker.upper() not in (t.upper() for t in self.tickers):
            self.tickers.append(ticker)


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def build(shared):
    tables = shared / "companies"
    companies = []
    by_ticker = {}

    def add(company):
        companies.append(company)
        for t in company.tickers:
            by_ticker.setdefault(t.upper(), company)
        return company

    def link(ticker):
        return by_ticker.get(ticker.strip().upper()) if ticker.strip() else None

    # The hand-checked large caps: one company for all its listings.
    for r in rows(tables / "alias_seed_large_caps.csv"):
        tickers = [r["us_ticker"], r["hk_ticker"], r["cn_a_ticker"]] + r["other_tickers"].split("|")
        tickers = [re.sub(r"\s*\(.*", "", t).strip() for t in tickers if t.strip()]
        if not tickers:
            continue
        short = r["aliases"].split("|")[0].strip() or strip_suffix(r["canonical_name"])
        c = Company(tickers[0], short, "seed")
        c.prominent = c.indexed = True
        for t in tickers[1:]:
            c.add_ticker(t)
        c.add_name(r["canonical_name"], chosen=True)
        for a in r["aliases"].split("|") + [r["name_zh_hans"], r["name_zh_hant"]]:
            if a.strip():
                c.add_alias(a, chosen=True)
        for a in r["former_names"].split("|"):
            if a.strip():
                c.add_name(a, chosen=True)
        add(c)

    sec = list(rows(tables / "sec_company_tickers_exchange.csv"))
    by_cik = defaultdict(list)
    for r in sec:
        by_cik[r["cik"]].append(r)
    sp500 = {r["CIK"].lstrip("0"): r for r in rows(tables / "sp500_constituents.csv")}

    def sec_company(cik):
        group = by_cik[cik]
        first = group[0]
        company = next((link(r["ticker"]) for r in group if link(r["ticker"])), None)
        if company is None:
            company = Company(first["ticker"], display(strip_suffix(first["name"]) or first["name"]), "sec")
            add(company)
        elif "sec" not in company.sources:
            company.sources.append("sec")
        for r in group:
            if "-" not in r["ticker"]:
                company.add_ticker(r["ticker"])
                by_ticker.setdefault(r["ticker"].upper(), company)
        company.add_name(first["name"])
        return company

    # S&P 500 members first, in the SEC file's order, then every other filer.
    order = {}
    for i, r in enumerate(sec):
        order.setdefault(r["cik"], i)
    ordered = sorted(by_cik, key=lambda cik: (cik.lstrip("0") not in sp500, order[cik]))
    for cik in ordered:
        company = sec_company(cik)
        member = sp500.get(cik.lstrip("0"))
        company.prominent |= bool(member) or order[cik] < PROMINENT_SEC_ROWS
        company.indexed |= bool(member)
        if member:
            security = re.sub(r"\s*\(Class [A-Z]\)", "", member["Security"])
            company.add_name(security, chosen=True)
            if "sp500" not in company.sources:
                company.sources.append("sp500")
            if company.sources[0] == "sec":
                company.name = strip_suffix(security) or security
        company.cik = cik.lstrip("0")
    by_cik_company = {getattr(c, "cik", None): c for c in companies if getattr(c, "cik", None)}

    current = {r["ticker"].upper() for r in sec}
    for r in rows(tables / "sec_former_names_tickers.csv"):
        company = by_cik_company.get(r["cik"].lstrip("0"))
        if company is None:
            continue
        if r["former_title"].strip():
            company.add_name(r["former_title"])
        t = r["former_ticker"].strip()
        if t and "-" not in t and t.upper() not in current and not SPAC_TICKER.match(t):
            company.add_ticker(t)
    for r in rows(tables / "sp500_symbol_name_history.csv"):
        company = by_cik_company.get((r["cik_in_list"] or r["sec_cik_via_ticker_history"]).lstrip("0"))
        if company is not None and r["name_in_list"].strip():
            company.add_name(re.sub(r"\s+Cl$", "", r["name_in_list"]))

    # Hong Kong and mainland listings, largest first, with their Chinese short names.
    chinese = {}
    for r in rows(tables / "cn_hk_index_constituents_names.csv"):
        chinese[r["symbol"]] = [r["name_nfkc_nospace"]] + [
            n for n in r["other_names_seen"].split(";") if n.strip()
        ]
    english_a = {r["symbol"]: r["name_en_financedatabase"] for r in rows(tables / "cn_a_shares_zh_en.csv")}
    hk_cn = [r for r in rows(tables / "financedatabase_hk_cn_equities.csv") if r["sector"] and r["delisted"] != "True"]
    hk_cn.sort(key=lambda r: HK_CN_CAP_ORDER.index(r["market_cap"]) if r["market_cap"] in HK_CN_CAP_ORDER else 99)
    seen_symbols = set()
    for r in hk_cn:
        seen_symbols.add(r["symbol"])
        company = link(r["symbol"])
        if company is None:
            company = add(Company(r["symbol"], strip_suffix(r["name"]) or r["name"], "financedatabase"))
        elif "financedatabase" not in company.sources:
            company.sources.append("financedatabase")
        company.prominent |= r["market_cap"] in PROMINENT_CAPS
        company.add_name(r["name"])
        for n in chinese.get(r["symbol"], []):
            company.add_name(spaced(n)) if n.isascii() else company.add_alias(n)
    for symbol, names in chinese.items():
        if symbol in seen_symbols:
            continue
        company = link(symbol)
        english = english_a.get(symbol, "")
        if company is None:
            shown = strip_suffix(english) if english else names[0]
            company = add(Company(symbol, shown, "index-constituents"))
        elif "index-constituents" not in company.sources:
            company.sources.append("index-constituents")
        if english:
            company.add_name(english)
        for n in names:
            company.add_name(spaced(n)) if n.isascii() else company.add_alias(n)

    # Filers no longer in the SEC file (Twitter, Activision Blizzard): articles still name them.
    latest = {}
    for r in rows(tables / "sec_ticker_title_history.csv"):
        if r["cik"] not in by_cik and (r["cik"] not in latest or r["last_seen_snapshot"] > latest[r["cik"]]["last_seen_snapshot"]):
            latest[r["cik"]] = r
    for r in sorted(latest.values(), key=lambda r: (r["last_seen_snapshot"], r["cik"]), reverse=True):
        if not r["title"].strip() or "-" in r["ticker"] or SPAC_TICKER.match(r["ticker"]) or link(r["ticker"]):
            continue
        company = add(Company(r["ticker"], display(strip_suffix(r["title"]) or r["title"]), "sec-history"))
        company.add_name(r["title"])

    # Other markets list many US and Chinese companies again (AAPL.MI, GME.MX): a row whose
    # name a company above already has is that company's listing.
    by_name = {}
    for c in companies:
        for a in c.aliases:
            by_name.setdefault(strip_suffix(a).lower(), c)
    for r in rows(tables / "financedatabase_other_major_non_us_equities.csv"):
        if r["market_cap"] not in OTHER_MARKETS_CAPS or r["delisted"] == "True" or not r["sector"]:
            continue
        large = r["market_cap"] != "Mid Cap"
        named = by_name.get(strip_suffix(r["name"]).lower())
        if named is not None and not large and not link(r["symbol"]):
            # A mid cap that shares a name is as often another company (Orion Oyj, not Orion
            # Group): left out rather than merged.
            continue
        company = link(r["symbol"]) or named
        if company is None and DEPOSITARY_RECEIPT.match(r["symbol"]):
            continue
        if company is None:
            company = add(Company(r["symbol"], strip_suffix(r["name"]) or r["name"], "financedatabase"))
            company.prominent = large
            company.add_name(r["name"])
            for a in company.aliases:
                by_name.setdefault(strip_suffix(a).lower(), company)
        else:
            company.add_ticker(r["symbol"])
            by_ticker.setdefault(r["symbol"].upper(), company)
            # An OTC line of a large foreign company (Tesco's TSCDF) is as prominent as its
            # home listing.
            company.prominent |= large

    # The short forms Chinese news and forums use (茅台, 招行, 宁德), written here.
    short_names = Path(__file__).resolve().parent.parent / "lexicons" / "companies" / "chinese_short_names.csv"
    for r in rows(short_names):
        company = link(r["ticker"])
        if company is None:
            sys.exit(f"{short_names}: no company has the ticker {r['ticker']}")
        for a in r["short_names"].split("|"):
            company.add_alias(a, chosen=True)
    return companies


def corpus_texts(shared, names):
    """The texts of the named corpora."""
    corpora = shared / "corpora"
    paths = sorted(p for n in names for p in (corpora / n).glob("*.*"))
    for path in (p for p in paths if p.suffix == ".jsonl"):
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    doc = json.loads(line)
                except json.JSONDecodeError:
                    continue
                # Titles are left out: one corpus stores them in lower case.
                yield str(doc.get("text") or "")
    for path in (p for p in paths if p.suffix == ".csv"):
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if "text" not in (reader.fieldnames or []):
                continue
            for r in reader:
                yield r["text"]


def plain_words(companies, shared):
    """The aliases and tickers of each company that the corpora use as ordinary words."""
    def words_of(alias):
        return [w.lower() for w in WORD.findall(alias)]

    phrases = defaultdict(set)  # first word -> lowercased alias phrases (as word tuples)
    for c in companies:
        for a in c.aliases + c.tickers:
            w = tuple(words_of(a))
            if w and a.isascii():
                phrases[w[0]].add(w)
                for word in w:
                    phrases[word].add((word,))
    lower = Counter()
    caps_unnamed = Counter()
    tickers = {t for c in companies for t in c.tickers if t.isalpha()}
    first_words = {t: {words_of(a)[0] for a in c.aliases if a.isascii() and words_of(a)} for c in companies for t in c.tickers}
    docs = 0
    lower_informal = Counter()
    for corpora, counter in [(LOWER_CASE_CORPORA, lower), (INFORMAL_CORPORA, lower_informal)]:
        for text in corpus_texts(shared, corpora):
            docs += 1
            words = WORD.findall(text)
            lowered = [w.lower() for w in words]
            for i, w in enumerate(words):
                for p in phrases.get(lowered[i], ()):
                    n = len(p)
                    if tuple(lowered[i:i + n]) == p and all(x == x.lower() for x in words[i:i + n]):
                        if any(ch.isalpha() for ch in w):
                            counter[p] += 1
    # Names are ordinary words when posts write them so too ("nice"); tickers are not (posts
    # write tickers in lower case).
    dictionary = english_words()
    # Posts write brands in lower case ("sold my coinbase"): what only they write in lower case
    # is an ordinary word only when English has it as one too ("nice").
    lower_name = lower + Counter({
        w: n for w, n in lower_informal.items() if all(word in dictionary for word in w)
    })
    heads = head_word_owners(companies)
    # Head words of prominent companies: the company each would name, and the words that
    # follow it in the company's names.
    candidates = {}
    for c in companies:
        if c.prominent:
            for a in c.aliases:
                head = head_word(a)
                if head and heads[head.lower()] == {id(c)} and lower_name[(head.lower(),)] < PLAIN_LOWER:
                    company, following = candidates.setdefault(head.lower(), (c, set()))
                    rest = strip_suffix(a).split()
                    index = [w.lower() for w in rest].index(head.lower())
                    if company is c and index + 1 < len(rest):
                        following.add(rest[index + 1].lower())
    # A head word is a name when the corpora use it alone for its company ("Peloton said"), in
    # documents that name the company in full, more often than for anything else.
    head_alone = Counter()
    head_unnamed = Counter()
    for text in corpus_texts(shared, CAPITALS_CORPORA + LOWER_CASE_CORPORA[1:]):
        words = WORD.findall(text)
        present = {w.lower() for w in words}
        for t in {w for w in words if w.isupper() and w in tickers}:
            if not (first_words.get(t, set()) & present) and "$" + t.lower() not in present:
                caps_unnamed[t] += 1
        found = {w.lower() for w in words if w[:1].isupper()} & candidates.keys()
        lowered_text = text.lower() if found else ""
        for head in found:
            c, following = candidates[head]
            others = [a.lower() for a in c.aliases if " " in a] + ["$" + t.lower() for t in c.tickers]
            if not any(o in lowered_text for o in others):
                head_unnamed[head] += 1
                continue
            for i, w in enumerate(words):
                after = words[i + 1].lower() if i + 1 < len(words) else ""
                if w[:1].isupper() and w.lower() == head and after not in following:
                    head_alone[head] += 1
    for c in companies:
        plain = []
        for a in c.aliases:
            w = tuple(words_of(a))
            if w and a.isascii() and lower_name[w] >= PLAIN_LOWER:
                plain.append(a)
        for t in c.tickers:
            w = tuple(words_of(t))
            abbreviation = len(t) <= 3 and caps_unnamed[t] >= PLAIN_CAPS
            if len(t) == 1 or (w and lower[w] >= PLAIN_LOWER) or abbreviation:
                plain.append(t)
        tail = []
        if not c.prominent:
            # The long tail is named by its full names: its one-word names and acronyms are
            # far more often a person, a product or an abbreviation ("Kaixin Li", "GPT", "CTO").
            tail += [t for t in c.tickers if t.isalpha() and len(t) <= 4]
            c.aliases = [
                a for a in c.aliases
                if not a.isascii()
                or (" " in a and len(a) > 4 and not all(lower[(w,)] >= PLAIN_LOWER for w in words_of(a)))
            ]
            tail += [a for a in c.aliases if a.isascii()]
        elif not c.indexed:
            tail += [t for t in c.tickers if t.isalpha() and len(t) <= 3]
        # A one-word name that is an ordinary word is no name unless people chose it as one
        # ("Target", "Block"); "Senior", "Major" and "Leading" are dropped.
        c.aliases = [
            a for a in c.aliases
            if a.lower() in c.keep or " " in a or not a.isascii() or lower_name[tuple(words_of(a))] < PLAIN_LOWER
        ]
        for a in list(c.aliases):
            head = head_word(a)
            key = head.lower() if head else None
            if key in candidates and candidates[key][0] is c and head_alone[key] >= 2 and head_unnamed[key] < head_alone[key]:
                c.add_alias(head)
        c.plain = list(dict.fromkeys(p for p in plain if p in c.aliases or p in c.tickers))
        c.tail = list(dict.fromkeys(p for p in tail if p not in c.plain))
        # Plain names that edited prose itself writes in lower case ("target", "news"), not only
        # posts ("apple"): under --target auto they count only where they read as a name.
        c.tail += [a for a in c.plain if a in c.aliases and lower[tuple(words_of(a))] >= PLAIN_LOWER]
    print(f"counted words in {docs} corpus texts", file=sys.stderr)


DICTIONARY = Path("/usr/share/dict/american-english")


def english_words():
    """The lower-case words of an English word list (Debian's wamerican, from SCOWL): only
    consulted, never copied."""
    if not DICTIONARY.exists():
        sys.exit(f"{DICTIONARY} is missing: apt-get install wamerican")
    with open(DICTIONARY, encoding="utf-8") as f:
        return {w.strip() for w in f if w.strip() and w.strip() == w.strip().lower()}


def head_word(alias):
    """The word a several-word name is shortened to: its first word of four letters or more,
    after initials ("J Sainsbury" -> "Sainsbury", "Peloton Interactive" -> "Peloton"); None for
    a one-word name, or when the first such word is not the name's own ("Bank of ...")."""
    if not alias.isascii():
        return None
    words = strip_suffix(alias).split()
    if len(words) < 2:
        return None
    while words and len(words[0].strip(".")) <= 2:
        words = words[1:]
    if not words or not re.fullmatch(r"[A-Za-z][a-z]{3,}|[A-Z]{4,}", words[0]):
        return None
    return words[0]


def head_word_owners(companies):
    """Each head word (lower case) and the companies with a name that starts with it."""
    owners = defaultdict(set)
    for c in companies:
        for a in c.aliases:
            if not a.isascii():
                continue
            words = strip_suffix(a).split()
            while words and len(words[0].strip(".")) <= 2:
                words = words[1:]
            if words:
                owners[words[0].lower()].add(id(c))
    return owners


def owning_each_ticker_once(companies):
    """A ticker two tables give to different companies (a former ticker reused, a share class)
    stays with the more prominent one."""
    seen = set()
    kept = []
    for c in companies:
        c.tickers = [t for t in c.tickers if t.upper() not in seen]
        if not c.tickers:
            continue
        seen.update(t.upper() for t in c.tickers)
        c.ticker = c.tickers[0]
        kept.append(c)
    return kept


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared")
    parser.add_argument("-o", "--output", type=Path, default=Path(__file__).resolve().parent.parent / "lexicons" / "companies" / "companies.csv")
    args = parser.parse_args()
    companies = owning_each_ticker_once(build(args.shared))
    plain_words(companies, args.shared)
    with open(args.output, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ticker", "name", "aliases", "tickers", "plain", "tail"])
        for c in companies:
            w.writerow([c.ticker, c.name, "|".join(c.aliases), "|".join(c.tickers), "|".join(c.plain), "|".join(c.tail)])
    print(f"wrote {len(companies)} companies to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
