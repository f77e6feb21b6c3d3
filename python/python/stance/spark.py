"""Scoring a Spark DataFrame of articles with ``mapInPandas``: each task scores its partition's
batches with the package, so rows are what ``stance score`` writes.

    from stance.spark import score_in_spark
    scored = score_in_spark(articles, target="Alibaba")   # articles: id, text[, title, ...]
    scored.write.parquet("scores.parquet")

Spark runs one task per core, so each task scores on one thread (``threads=1``).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import stance

_FIELDS = {"titles": "title", "dates": "date", "sources": "source", "targets": "target"}


def schema(**options: Any) -> str:
    """The Spark schema (DDL) of the rows ``score`` returns: the CSV's columns, typed."""
    probe = stance.score(["Alibaba"], target="Alibaba", as_frame=False, **options)[0]
    kinds = {str: "string", int: "long", float: "double"}
    return ", ".join(f"`{name}` {kinds[type(value)]}" for name, value in probe.items())


def score_batches(
    target: str = "alibaba", text_col: str = "text", id_col: str = "id", threads: int = 1,
    **options: Any,
) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """The function ``mapInPandas`` calls: scores each pandas batch of articles. ``title``,
    ``date``, ``source`` and ``target`` columns are used where the DataFrame has them."""

    def score(batches):
        for frame in batches:
            columns = {arg: frame[col] for arg, col in _FIELDS.items() if col in frame}
            yield stance.score(
                frame[text_col], target=target, ids=frame[id_col] if id_col in frame else None,
                threads=threads, as_frame=True, **columns, **options,
            )

    return score


def score_in_spark(
    articles: Any, target: str = "alibaba", text_col: str = "text", id_col: str = "id",
    **options: Any,
) -> Any:
    """``articles`` (a Spark DataFrame) scored: a DataFrame of the CSV's columns, a row per
    article (per company it names, with ``target="auto"``). ``options`` are ``stance.score``'s
    (engine files, ``min_relevance``)."""
    score = score_batches(target=target, text_col=text_col, id_col=id_col, **options)
    return articles.mapInPandas(score, schema(**options))
