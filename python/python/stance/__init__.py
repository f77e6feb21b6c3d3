"""stance for Python: score articles' stance on holding a company, and explain the scores.

The engine is the same Rust library the ``stance`` command line uses, so ``score`` returns the
rows ``stance score`` writes, in the CSV's columns and order. Scoring releases the GIL and runs
on a thread pool (one thread per core unless ``threads`` says otherwise).

    >>> import stance
    >>> frame = stance.score(["Alibaba profit rose and margins improved."], target="Alibaba")
    >>> frame.loc[0, "stance"]
    'bullish'
"""

from __future__ import annotations

import functools
from typing import Any, Iterable, Optional, Sequence

from ._native import Engine, __version__

__all__ = ["Engine", "score", "explain", "columns", "__version__"]


@functools.lru_cache(maxsize=8)
def _cached_engine(key: tuple) -> Engine:
    return Engine(**{name: (list(v) if name == "lexicon" else v) for name, v in key})


def _engine_for(paths: dict) -> Engine:
    """The engine for these CLI-style paths, loaded once per distinct set."""
    paths = _paths(paths)
    key = tuple(sorted(
        (name, tuple(map(str, v)) if name == "lexicon" else v if isinstance(v, bool) else str(v))
        for name, v in paths.items() if v is not None
    ))
    return _cached_engine(key)


def _optional(values: Optional[Iterable[Any]]) -> Optional[list]:
    if values is None:
        return None
    return [None if v is None or v != v else str(v) for v in values]  # v != v: NaN


def _texts(texts: Any) -> list:
    """The texts as a list of str: one bare string is one text; anything else must be an
    iterable of strings, and an item that is not one is refused by its position."""
    if isinstance(texts, str):
        return [texts]
    if isinstance(texts, (bytes, bytearray)):
        raise TypeError("texts is bytes: decode it to str first (texts.decode('utf-8'))")
    try:
        items = list(texts)
    except TypeError:
        raise TypeError(
            f"texts must be a string or an iterable of strings (a list, a pandas Series), "
            f"not {type(texts).__name__}"
        ) from None
    for position, item in enumerate(items):
        if isinstance(item, str):
            continue
        if item is None or item != item:  # item != item: NaN
            raise TypeError(f"texts[{position}] is missing ({item!r}): drop or fill missing texts first")
        raise TypeError(
            f"texts[{position}] is {type(item).__name__}, not str: pass text (str(x) scores its printed form)"
        )
    return items


def score(
    texts: Any,
    target: str = "alibaba",
    ids: Optional[Iterable[Any]] = None,
    *,
    titles: Optional[Iterable[Any]] = None,
    dates: Optional[Iterable[Any]] = None,
    sources: Optional[Iterable[Any]] = None,
    targets: Optional[Iterable[Any]] = None,
    min_relevance: int = 50,
    threads: Optional[int] = None,
    as_frame: Optional[bool] = None,
    engine: Optional[Engine] = None,
    **paths: Any,
):
    """Scores each text's stance on holding ``target`` (a name, ticker or alias; ``"any"`` for
    every sentence; ``"auto"`` for a row per listed company each text names).

    ``texts`` is a list, a pandas Series or any iterable of strings; a single string is scored
    as one text (one row). An item that is not a string raises TypeError naming its position.

    ``ids`` name the rows (default: each text's position, as a string); ``titles``, ``dates``,
    ``sources`` and per-text ``targets`` are optional columns of the same length (None for none).
    Returns a pandas DataFrame with the CSV's columns (``as_frame=False``, or pandas missing: a
    list of dicts). Engine paths are as in the CLI: ``lexicons`` (a directory), ``lexicon`` (a
    list of extra files), ``targets_file``, ``companies``, ``model``, ``voice_model``,
    ``article_model``, ``no_article_model``; or pass a loaded ``engine``.
    """
    texts = _texts(texts)
    scorer = engine if engine is not None else _engine_for(paths)
    table = scorer.score(
        texts,
        target=target,
        ids=None if ids is None else [str(i) for i in ids],
        titles=_optional(titles),
        dates=_optional(dates),
        sources=_optional(sources),
        targets=_optional(targets),
        min_relevance=min_relevance,
        threads=threads,
    )
    return _shape(table, scorer.columns, as_frame)


def explain(
    text: str,
    target: str = "alibaba",
    *,
    title: Optional[str] = None,
    terms: int = 12,
    engine: Optional[Engine] = None,
    **paths: Any,
) -> dict:
    """The explanation of one text's score as a dict: what ``stance explain --format json``
    prints (``row``, each model's ``features`` and ``parts`` with their probability shares,
    ``terms``, ``sentences``, ``sentence_reading``, ``voice``)."""
    scorer = engine if engine is not None else _engine_for(paths)
    return scorer.explain(str(text), target=target, title=title, terms=terms)


def columns(**paths: Any) -> list:
    """The columns ``score`` returns, in order."""
    return _engine_for(paths).columns


_ENGINE_FILES = {"lexicons", "lexicon", "targets_file", "companies", "model", "voice_model",
                 "article_model", "no_article_model"}


def _paths(paths: dict) -> dict:
    """The engine's files, by the CLI's names (``targets_file`` is ``--targets``)."""
    unknown = set(paths) - _ENGINE_FILES
    if unknown:
        raise TypeError(f"unknown argument(s): {', '.join(sorted(unknown))}")
    return paths


def _shape(table: dict, names: Sequence[str], as_frame: Optional[bool]):
    if as_frame is not False:
        try:
            import pandas
        except ImportError:
            if as_frame:
                raise
        else:
            return pandas.DataFrame(table, columns=list(names))
    rows = len(table[names[0]]) if names else 0
    return [{name: table[name][i] for name in names} for i in range(rows)]
