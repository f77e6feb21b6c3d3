//! The listed companies stance knows, from `lexicons/companies/companies.csv` (derived from public
//! tables by `scripts/build_companies.py`): what a name or ticker a user typed resolves to, and
//! the aliases that find each company in text, each with the case it must be written in.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::data::{DataError, DataFile};

/// How an alias must be written to count as a mention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Case {
    /// In any case and any form sharing its stems ("Alibaba's", "Sebis"): a name the user typed
    /// or the targets file gives.
    AnyForm,
    /// In any case: distinctive names, cashtags, tickers with an exchange suffix.
    Any,
    /// Every word capitalized: a name that is also an ordinary word ("Target", "Block").
    Capitalized,
    /// Capitalized, and used as a name: after a word in lower case ("I think Apple is"), or with
    /// company context as [`Case::CapitalizedInContext`] has it. For ordinary-word names when
    /// every company is looked for: "Apple" opening a sentence may be fruit.
    CapitalizedAsName,
    /// Capitalized, and with company context: next to a word such as "shares" or "stock", after
    /// an exchange, alone in parentheses, or in an article that names the company otherwise. For
    /// products that are ordinary words ("Llama").
    CapitalizedInContext,
    /// In capitals: a ticker written as a word ("GME").
    Capitals,
    /// In capitals, and as a cashtag's stand-in: after an exchange name, in parentheses, before a
    /// word such as "shares", or in an article that names the company otherwise. For tickers
    /// that are ordinary words ("ALL", "IT", "ON", "KEY").
    CapitalsInContext,
}

impl Case {
    /// How much less it accepts than [`Case::AnyForm`]: variants are in order.
    fn strictness(self) -> u8 {
        self as u8
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Case::AnyForm => "any case or word form",
            Case::Any => "any case",
            Case::Capitalized => "capitalized",
            Case::CapitalizedAsName => {
                "capitalized, after a lower-case word or next to a company context"
            }
            Case::CapitalizedInContext => "capitalized, next to a company context",
            Case::Capitals => "capitals",
            Case::CapitalsInContext => "capitals, next to a company context",
        }
    }
}

/// A way a company is written, and how it must be written to count.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Alias {
    pub text: String,
    pub case: Case,
}

impl Alias {
    pub fn new(text: impl Into<String>, case: Case) -> Alias {
        Alias {
            text: text.into(),
            case,
        }
    }
}

/// Adds `alias` unless the list already has it, in any letter case, at least as permissively.
pub fn push_alias(aliases: &mut Vec<Alias>, alias: Alias) {
    let covered = aliases.iter().any(|a| {
        a.text.eq_ignore_ascii_case(&alias.text) && a.case.strictness() <= alias.case.strictness()
    });
    if !covered {
        aliases.push(alias);
    }
}

/// One row of the table. Its lists stay `|`-separated as in the file: a table of tens of
/// thousands of rows loads with a few allocations per row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Company {
    /// The primary ticker, Yahoo style outside the US (`0700.HK`, `600519.SS`).
    pub ticker: String,
    pub name: String,
    aliases: Box<str>,
    /// Every ticker, the primary first.
    tickers: Box<str>,
    /// The aliases and tickers that are also ordinary words or abbreviations.
    plain: Box<str>,
    /// The aliases and tickers read one step stricter when nobody asked for the company: short
    /// tickers and names of less prominent companies are then plain, and a plain name that edited
    /// prose uses as an ordinary word ("Target", "News") counts only where it reads as a name.
    tail: Box<str>,
}

fn entries(list: &str) -> impl Iterator<Item = &str> {
    list.split('|').map(str::trim).filter(|s| !s.is_empty())
}

/// Who wants a company's aliases: decides how its tail aliases are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked<'a> {
    /// The user asked for the company, by name or by this ticker.
    For(Option<&'a str>),
    /// Every company is looked for (`--target auto`): tail aliases are read one step stricter.
    Nobody,
}

impl Company {
    pub fn aliases(&self) -> impl Iterator<Item = &str> {
        entries(&self.aliases)
    }

    pub fn tickers(&self) -> impl Iterator<Item = &str> {
        entries(&self.tickers)
    }

    /// The one-word names and tickers that are no ordinary word: the words a learned term must
    /// never be ("tesla", "nvda"), however a text writes them.
    pub fn name_words(&self) -> impl Iterator<Item = &str> {
        (self.aliases().chain(self.tickers()))
            .filter(|a| !a.contains(char::is_whitespace) && !self.listed(&self.plain, a))
    }

    fn is_plain(&self, text: &str, asked: Asked) -> bool {
        self.listed(&self.plain, text) || (asked == Asked::Nobody && self.listed(&self.tail, text))
    }

    fn listed(&self, list: &str, text: &str) -> bool {
        entries(list).any(|p| p.eq_ignore_ascii_case(text))
    }

    /// The case an ordinary-word name must be written in: capitalized; and when nobody asked for
    /// the company and the word is ordinary in edited prose, also where it reads as a name.
    pub fn plain_name_case(asked: Asked, ordinary: bool) -> Case {
        match asked {
            Asked::Nobody if ordinary => Case::CapitalizedAsName,
            _ => Case::Capitalized,
        }
    }

    /// The aliases that find this company in text: the same whichever of its names or tickers
    /// it was found by, except that a ticker asked for is matched in capitals even when it is an
    /// ordinary word.
    pub fn matched_aliases(&self, asked: Asked) -> Vec<Alias> {
        let mut out: Vec<Alias> = Vec::new();
        let mut push = |alias: Alias| push_alias(&mut out, alias);
        for name in self.aliases() {
            // A short name in capitals ("BT", "ABB", "NEC") is written so, like a ticker; one
            // the company's own name writes otherwise ("DOW" of Dow, from the SEC's capitals) is
            // not an acronym.
            let acronym = name.len() <= 4
                && name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && self.name.contains(name);
            let case = match (self.is_plain(name, asked), acronym) {
                (false, false) => Case::Any,
                (false, true) => Case::Capitals,
                (true, false) => {
                    let ordinary = self.listed(&self.plain, name) && self.listed(&self.tail, name);
                    Company::plain_name_case(asked, ordinary)
                }
                // An acronym that is also an ordinary word or abbreviation ("NEWS" is not one;
                // "CAT" would be) needs context; one plain only as a tail entry does not.
                (true, true) if self.listed(&self.plain, name) => Case::CapitalsInContext,
                (true, true) => Case::Capitals,
            };
            push(Alias::new(name, case));
        }
        if let Asked::For(_) = asked {
            // Asked for by any of its names, a company is also found by its names without their
            // legal words ("Shell" for Shell plc), capitalized: some are ordinary words; and a
            // one-word name as a cashtag ("$Tesco", "$SPX").
            for name in self.aliases() {
                let short = short_form(name);
                if let Some(short) = short {
                    push(Alias::new(short, Case::Capitalized));
                }
                let word = short.unwrap_or(name);
                if word.chars().all(|c| c.is_alphanumeric() || c == '.') {
                    push(Alias::new(format!("${word}"), Case::Any));
                }
            }
        }
        for ticker in self.tickers() {
            if !ticker.chars().all(|c| c.is_ascii_alphabetic()) {
                // 9988.HK, BRK.B: nothing else is written so.
                push(Alias::new(ticker, Case::Any));
                if let Some(code) = ticker.strip_suffix(".SS") {
                    push(Alias::new(format!("{code}.SH"), Case::Any));
                }
                if let Some(code) = exchange_code(ticker) {
                    push(Alias::new(code, Case::CapitalsInContext));
                }
                continue;
            }
            push(Alias::new(format!("${ticker}"), Case::Any));
            let was_asked = matches!(asked, Asked::For(Some(a)) if a.eq_ignore_ascii_case(ticker));
            let case = match (self.is_plain(ticker, asked), was_asked) {
                (true, false) => Case::CapitalsInContext,
                _ => Case::Capitals,
            };
            push(Alias::new(ticker, case));
        }
        out
    }
}

/// The code Chinese text writes a mainland or Hong Kong listing by, with no suffix: `600519`
/// for 600519.SS, `00700` for 0700.HK. Bare numbers, so they count only in context (in
/// parentheses, after 港股, or in an article that names the company otherwise).
fn exchange_code(ticker: &str) -> Option<String> {
    let (code, exchange) = ticker.split_once('.')?;
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match exchange {
        "SS" | "SZ" if code.len() == 6 => Some(code.to_string()),
        "HK" if code.len() <= 5 => Some(format!("{code:0>5}")),
        _ => None,
    }
}

/// How a typed name found its company, for `stance targets find`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// Written as a ticker: `$PDD`, `PDD.US`, `NASDAQ:PDD`, `9988.HK`, or in capitals.
    Ticker,
    /// A name, alias or former name, with or without its legal suffix.
    Name,
    /// The first words of a name ("Ford" for Ford Motor).
    NameStart,
    /// A ticker written in lower case ("gme").
    TickerAnyCase,
}

impl Found {
    pub fn as_str(self) -> &'static str {
        match self {
            Found::Ticker => "ticker",
            Found::Name => "name or alias",
            Found::TickerAnyCase => "ticker in lower case",
            Found::NameStart => "first words of a name",
        }
    }
}

/// A resolved company: its row, how it was found, and the ticker typed if one was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    pub company: usize,
    pub found: Found,
    pub asked_ticker: Option<String>,
}

/// The company table, with its lookups. Rows are in order of prominence: when two companies
/// share a name, the earlier one is meant.
#[derive(Clone, Debug, Default)]
pub struct CompanyTable {
    companies: Vec<Company>,
    by_ticker: FxHashMap<Box<str>, u32>,
    /// Every name key with its company, sorted; made on the first lookup by name (a target
    /// given by ticker, as the targets file's are, needs none).
    names: OnceLock<Vec<(Box<str>, u32)>>,
    fingerprint: String,
}

/// Legal words a typed name may end with that the table's aliases may write otherwise.
const LEGAL_WORDS: &[&str] = &[
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "plc",
    "llc",
    "holdings",
    "holding",
    "group",
    "sa",
    "ag",
    "nv",
    "se",
    "oyj",
    "ab",
    "asa",
    "spa",
    "bhd",
    "berhad",
    "tbk",
    "llp",
    "lp",
];

/// A written name without its trailing legal words ("Shell plc" -> "Shell", "PELOTON
/// INTERACTIVE, INC" -> "PELOTON INTERACTIVE"); `None` when it has none, or is nothing else.
pub fn short_form(name: &str) -> Option<&str> {
    let mut end = name.len();
    loop {
        let head = name[..end].trim_end_matches([' ', ',', '.']);
        let Some(space) = head.rfind(' ') else { break };
        let last = head[space + 1..]
            .trim_matches(['.', ','])
            .to_ascii_lowercase();
        if !LEGAL_WORDS.contains(&last.as_str()) {
            break;
        }
        end = space;
    }
    let short = name[..end].trim_end_matches([' ', ',', '.']);
    (short.len() < name.trim_end_matches(['.', ' ']).len() && !short.is_empty()).then_some(short)
}

/// Exchange names written before a ticker (`NASDAQ:PDD`, "NYSE: ALL"), and the market words
/// Chinese text writes before a code (港股00700).
pub const EXCHANGES: &[&str] = &[
    "nyse",
    "nasdaq",
    "amex",
    "otc",
    "otcqx",
    "otcqb",
    "hkex",
    "sehk",
    "sse",
    "szse",
    "tsx",
    "lse",
    "asx",
    "sgx",
    "tse",
    "xetra",
    "euronext",
    "arca",
    "港股",
    "沪市",
    "深市",
    "沪深",
    "上交所",
    "深交所",
    "港交所",
];

/// A name as a lookup key: lower case, words of letters and digits (inner dots kept: "jd.com"),
/// a trailing possessive dropped.
pub fn name_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for word in name
        .split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '\'' || c == '&'))
        .map(|w| w.trim_matches(|c: char| c == '.' || c == '\''))
        .map(|w| w.strip_suffix("'s").unwrap_or(w))
        .filter(|w| !w.is_empty() && *w != "&")
    {
        if !key.is_empty() {
            key.push(' ');
        }
        key.extend(word.chars().flat_map(char::to_lowercase));
    }
    key
}

/// The key without trailing legal words ("tencent holdings ltd" -> "tencent").
fn without_legal_words(key: &str) -> &str {
    let mut rest = key;
    while let Some((head, last)) = rest.rsplit_once(' ') {
        if !LEGAL_WORDS.contains(&last) {
            break;
        }
        rest = head;
    }
    rest
}

/// The ticker a query is written as, if it is written as one: `$PDD`, `PDD.US`, `NASDAQ:PDD`,
/// `9988.HK`, `09988`, `600519.SS` (or `.SH`).
fn ticker_form(query: &str) -> Option<String> {
    let q = query.trim();
    if let Some(t) = q.strip_prefix('$') {
        return Some(t.to_ascii_uppercase());
    }
    if let Some((exchange, t)) = q.split_once(':')
        && EXCHANGES.contains(&exchange.trim().to_ascii_lowercase().as_str())
    {
        return Some(t.trim().to_ascii_uppercase());
    }
    let upper = q.to_ascii_uppercase();
    if let Some(t) = upper.strip_suffix(".US") {
        return Some(t.to_string());
    }
    let (digits, suffix) = upper.split_once('.').unwrap_or((upper.as_str(), ""));
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        let number: u64 = digits.parse().ok()?;
        return match (suffix, digits.len()) {
            ("HK", _) | ("", 1..=5) => Some(format!("{number:04}.HK")),
            ("SH" | "SS", 6) => Some(format!("{digits}.SS")),
            ("SZ", 6) => Some(format!("{digits}.SZ")),
            ("", 6) => Some(format!(
                "{digits}.{}",
                if digits.starts_with('6') { "SS" } else { "SZ" }
            )),
            _ => None,
        };
    }
    None
}

impl CompanyTable {
    pub fn load(file: &DataFile) -> Result<CompanyTable, DataError> {
        let text = file.read_text()?;
        CompanyTable::parse(&text, &file.to_string())
    }

    /// Reads the CSV (`ticker,name,aliases,tickers,plain,tail`, lists `|`-separated) and checks
    /// every row: a ticker and a name, no ticker twice, every plain and tail entry one of its own.
    pub fn parse(text: &str, file: &str) -> Result<CompanyTable, DataError> {
        let error = |line: usize, reason: String| DataError {
            file: file.to_string(),
            line,
            reason,
        };
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header = reader.headers().map_err(|e| error(1, e.to_string()))?;
        let expected = ["ticker", "name", "aliases", "tickers", "plain", "tail"];
        if header.iter().ne(expected) {
            return Err(error(1, format!("header must be {}", expected.join(","))));
        }
        let mut table = CompanyTable {
            fingerprint: blake3::hash(text.as_bytes()).to_hex().to_string(),
            ..CompanyTable::default()
        };
        let mut record = csv::StringRecord::new();
        let mut line_of_row: Vec<u32> = Vec::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    return Err(error(line, e.to_string()));
                }
            }
            let line = record.position().map_or(0, |p| p.line() as usize);
            let company = Company {
                ticker: record[0].trim().to_string(),
                name: record[1].trim().to_string(),
                aliases: record[2].into(),
                tickers: record[3].into(),
                plain: record[4].into(),
                tail: record[5].into(),
            };
            if company.ticker.is_empty() || company.name.is_empty() {
                return Err(error(line, "a company needs a ticker and a name".into()));
            }
            if company.tickers().next() != Some(company.ticker.as_str()) {
                return Err(error(
                    line,
                    format!(
                        "tickers must start with the primary ticker {}",
                        company.ticker
                    ),
                ));
            }
            // An entry may be in both lists: a plain name that edited prose uses as an ordinary
            // word.
            for (column, list) in [("plain", &company.plain), ("tail", &company.tail)] {
                for p in entries(list) {
                    if !company.aliases().any(|a| a == p) && !company.tickers().any(|t| t == p) {
                        return Err(error(
                            line,
                            format!(
                                "{column} entry {p:?} is not one of the row's aliases or tickers"
                            ),
                        ));
                    }
                }
            }
            let index = table.companies.len() as u32;
            for t in company.tickers() {
                let key: Box<str> = t.to_ascii_uppercase().into();
                if let Some(&first) = table.by_ticker.get(&key) {
                    let first = line_of_row[first as usize];
                    return Err(error(
                        line,
                        format!("ticker {t} is already on line {first}"),
                    ));
                }
                table.by_ticker.insert(key, index);
            }
            line_of_row.push(line as u32);
            table.companies.push(company);
        }
        Ok(table)
    }

    /// Every name key (with and without legal words) and its company, sorted by key and then
    /// by prominence.
    fn names(&self) -> &[(Box<str>, u32)] {
        self.names.get_or_init(|| {
            let mut names = Vec::new();
            for (index, company) in self.companies.iter().enumerate() {
                for alias in company.aliases().chain([company.name.as_str()]) {
                    let key = name_key(alias);
                    let stripped = without_legal_words(&key);
                    if stripped.len() < key.len() && !stripped.is_empty() {
                        names.push((stripped.into(), index as u32));
                    }
                    if !key.is_empty() {
                        names.push((key.into(), index as u32));
                    }
                }
            }
            names.sort_unstable();
            names.dedup();
            names
        })
    }

    /// The most prominent company with a name whose key is `key`.
    fn by_name(&self, key: &str) -> Option<usize> {
        let names = self.names();
        let first = names.partition_point(|(k, _)| &**k < key);
        (names.get(first))
            .filter(|(k, _)| &**k == key)
            .map(|&(_, c)| c as usize)
    }

    pub fn companies(&self) -> &[Company] {
        &self.companies
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn by_ticker(&self, ticker: &str) -> Option<usize> {
        (self.by_ticker.get(ticker.to_ascii_uppercase().as_str())).map(|&c| c as usize)
    }

    /// The listing a ticker as written means (`BABA`, `$BABA`, `NYSE:BABA`, `9988.HK`), without
    /// the name lookup [`CompanyTable::resolve`] may make: the targets file names its companies so.
    pub fn resolve_ticker(&self, ticker: &str) -> Option<Resolution> {
        let ticker = ticker.trim();
        let written = ticker_form(ticker).unwrap_or_else(|| ticker.to_string());
        self.by_ticker(&written).map(|company| Resolution {
            company,
            found: Found::Ticker,
            asked_ticker: Some(written.to_ascii_uppercase()),
        })
    }

    /// The company a name or ticker means, by these rules in turn:
    /// 1. written as a ticker (`$PDD`, `PDD.US`, `NASDAQ:PDD`, `9988.HK`, `600519.SS`), or in
    ///    capitals and a ticker (`GM`, `META`): that listing, unless a more prominent company
    ///    has it as its name (`BYD` is BYD Company's name and Boyd Gaming's ticker);
    /// 2. a name, alias or former name, with or without a legal suffix: the most prominent
    ///    company of that name;
    /// 3. the first words of a name (`Ford` for Ford Motor): the most prominent such company;
    /// 4. a ticker in any case (`gme`).
    pub fn resolve(&self, query: &str) -> Option<Resolution> {
        let query = query.trim();
        let ticker = |t: &str, found| {
            self.by_ticker(t).map(|company| Resolution {
                company,
                found,
                asked_ticker: Some(t.to_ascii_uppercase()),
            })
        };
        let in_capitals = query.chars().any(|c| c.is_ascii_alphabetic())
            && !query.chars().any(char::is_lowercase);
        let key = name_key(query);
        let by_name = |k: &str| {
            self.by_name(k).map(|company| Resolution {
                company,
                found: Found::Name,
                asked_ticker: None,
            })
        };
        let named = || by_name(&key).or_else(|| by_name(without_legal_words(&key)));
        let written_as_ticker = ticker_form(query).is_some();
        if (written_as_ticker || in_capitals)
            && let Some(found) = self.resolve_ticker(query)
        {
            // "BYD", "CATL": the ticker of a small listing and the name of a larger company.
            let name = if written_as_ticker { None } else { named() };
            return match name {
                Some(name) if name.company < found.company => Some(name),
                _ => Some(found),
            };
        }
        if let Some(found) = named() {
            return Some(found);
        }
        let start = format!("{key} ");
        let names = self.names();
        let first = names.partition_point(|(k, _)| **k < *start);
        let by_start = (names[first..].iter())
            .take_while(|(k, _)| !key.is_empty() && k.starts_with(&start))
            .map(|&(_, company)| company as usize)
            .min();
        match by_start {
            Some(company) => Some(Resolution {
                company,
                found: Found::NameStart,
                asked_ticker: None,
            }),
            None => ticker(query, Found::TickerAnyCase),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "ticker,name,aliases,tickers,plain,tail
BABA,Alibaba,Alibaba Group Holding Limited|Alibaba|阿里巴巴,BABA|9988.HK,,
META,Meta,Meta Platforms|Meta|Facebook,META|FB,Meta|META,
GM,General Motors,General Motors Company|General Motors,GM,,
F,Ford Motor,Ford Motor Company|Ford Motor,F,F,
ALL,Allstate,Allstate Corp|Allstate,ALL,ALL,
GME,GameStop,GameStop Corp|GameStop,GME,,GME
600519.SS,Moutai,Kweichow Moutai|Moutai|贵州茅台,600519.SS,,
JD,JD.com,\"JD.com, Inc|JD.com\",JD|9618.HK,,
1211.HK,BYD,BYD Company Limited|BYD|比亚迪,1211.HK|002594.SZ,,
BYD,Boyd Gaming,BOYD GAMING CORP|BOYD GAMING,BYD,BYD,
";

    fn table() -> CompanyTable {
        CompanyTable::parse(TABLE, "companies.csv").unwrap()
    }

    fn ticker_of(query: &str) -> Option<String> {
        let t = table();
        t.resolve(query)
            .map(|r| t.companies()[r.company].ticker.clone())
    }

    #[test]
    fn tickers_in_every_written_form_resolve() {
        for query in [
            "BABA",
            "$BABA",
            "baba",
            "BABA.US",
            "NYSE:BABA",
            "9988.HK",
            "09988",
            "9988",
        ] {
            assert_eq!(ticker_of(query).as_deref(), Some("BABA"), "{query}");
        }
        for query in ["600519.SS", "600519.SH", "600519"] {
            assert_eq!(ticker_of(query).as_deref(), Some("600519.SS"), "{query}");
        }
        assert_eq!(ticker_of("$GME").as_deref(), Some("GME"));
        assert_eq!(ticker_of("gme").as_deref(), Some("GME"));
    }

    #[test]
    fn names_aliases_former_names_and_first_words_resolve() {
        for (query, ticker) in [
            ("Alibaba Group Holding Ltd.", "BABA"),
            ("alibaba's", "BABA"),
            ("Facebook", "META"),
            ("meta", "META"),
            ("JD.com", "JD"),
            ("JD.com, Inc.", "JD"),
            ("Ford", "F"),
            ("贵州茅台", "600519.SS"),
        ] {
            assert_eq!(ticker_of(query).as_deref(), Some(ticker), "{query}");
        }
        assert_eq!(ticker_of("Nokia"), None);
        let t = table();
        assert_eq!(t.resolve("Ford").unwrap().found, Found::NameStart);
        assert_eq!(t.resolve("GM").unwrap().found, Found::Ticker);
        // The name of a more prominent company before a smaller listing's ticker.
        assert_eq!(ticker_of("BYD").as_deref(), Some("1211.HK"));
        assert_eq!(ticker_of("$BYD").as_deref(), Some("BYD"));
        assert_eq!(ticker_of("BOYD GAMING").as_deref(), Some("BYD"));
    }

    #[test]
    fn plain_words_need_capitals_and_a_plain_ticker_context_unless_asked() {
        let t = table();
        let allstate = &t.companies()[t.by_ticker("ALL").unwrap()];
        let case =
            |aliases: &[Alias], text: &str| aliases.iter().find(|a| a.text == text).map(|a| a.case);
        let by_name = allstate.matched_aliases(Asked::For(None));
        assert_eq!(case(&by_name, "ALL"), Some(Case::CapitalsInContext));
        assert_eq!(case(&by_name, "$ALL"), Some(Case::Any));
        assert_eq!(case(&by_name, "Allstate"), Some(Case::Any));
        let asked = allstate.matched_aliases(Asked::For(Some("ALL")));
        assert_eq!(case(&asked, "ALL"), Some(Case::Capitals));
        let gamestop = &t.companies()[t.by_ticker("GME").unwrap()];
        let case_of_gme = |asked| case(&gamestop.matched_aliases(asked), "GME");
        assert_eq!(case_of_gme(Asked::For(None)), Some(Case::Capitals));
        assert_eq!(case_of_gme(Asked::Nobody), Some(Case::CapitalsInContext));
        let meta = &t.companies()[t.by_ticker("META").unwrap()];
        assert_eq!(
            case(&meta.matched_aliases(Asked::For(None)), "Meta"),
            Some(Case::Capitalized)
        );
        let moutai = &t.companies()[t.by_ticker("600519.SS").unwrap()];
        assert_eq!(
            case(&moutai.matched_aliases(Asked::Nobody), "600519.SH"),
            Some(Case::Any)
        );
    }

    #[test]
    fn short_forms_drop_trailing_legal_words_only() {
        assert_eq!(short_form("Shell plc"), Some("Shell"));
        assert_eq!(
            short_form("PELOTON INTERACTIVE, INC"),
            Some("PELOTON INTERACTIVE")
        );
        assert_eq!(short_form("Alibaba Group Holding Ltd."), Some("Alibaba"));
        assert_eq!(short_form("HUHTAMAKI OYJ"), Some("HUHTAMAKI"));
        assert_eq!(short_form("Tesco"), None);
        assert_eq!(short_form("Group"), None);
        assert_eq!(short_form("Bank of America Corp"), Some("Bank of America"));
    }

    #[test]
    fn table_errors_name_the_file_and_line() {
        let err = |text: &str| CompanyTable::parse(text, "c.csv").unwrap_err().to_string();
        let head = "ticker,name,aliases,tickers,plain,tail\n";
        assert!(err("ticker,name\n").starts_with("c.csv:1: header"));
        let twice = format!("{head}A,Aa,Aa,A,,\nB,Bb,Bb,B|A,,\n");
        assert_eq!(err(&twice), "c.csv:3: ticker A is already on line 2");
        let plain = format!("{head}A,Aa,Aa,A,Zz,\n");
        assert!(
            err(&plain).starts_with("c.csv:2: plain entry \"Zz\""),
            "{}",
            err(&plain)
        );
        let tail = format!("{head}A,Aa,Aa,A,,Zz\n");
        assert!(
            err(&tail).starts_with("c.csv:2: tail entry \"Zz\""),
            "{}",
            err(&tail)
        );
        let primary = format!("{head}A,Aa,Aa,B,,\n");
        assert!(err(&primary).starts_with("c.csv:2: tickers must start"));
        let empty = format!("{head},Aa,Aa,,,\n");
        assert!(err(&empty).starts_with("c.csv:2: a company needs"));
    }
}
