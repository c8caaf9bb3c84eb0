"""Dutch full-text search over points: which words a point is found by, and matching a query.

A point is found by its text, its latest response and motivering, and its advice's title; a
decision's deviation makes the point findable by its motivering too. Words are compared by their
Dutch stem (Snowball), so `mantelzorger` finds `mantelzorgers`. The SQLite views index the stems in
FTS5; PostgreSQL indexes the text with `to_tsvector('dutch', …)`; time travel, which replays the
log instead of reading the index, matches the same texts here.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]  # ships no type information

from projections.fold import Doc

_WORD = re.compile(r"\w+")
_STEMMER = snowballstemmer.stemmer("dutch")

# (advice id, point number): what a search can find
Found = tuple[str, int]


class _WithoutMarks(dict[int, int | None]):
    """A `str.translate` table that drops combining marks and keeps every other character,
    filled per character as texts meet it (the marks are a few hundred of 1.1 million)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_WITHOUT_MARKS = _WithoutMarks()


def _plain(text: str) -> str:
    """Lower case without diacritics, as FTS5's `unicode61 remove_diacritics 2` reads text."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # Character by character in Python this was two thirds of a rebuild; translate runs in C.
    return decomposed if decomposed.isascii() else decomposed.translate(_WITHOUT_MARKS)


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def stems(text: str) -> list[str]:
    """The Dutch stems of a text's words, in order."""
    return [_stem(word) for word in _WORD.findall(_plain(text))]


def query_stems(query: str) -> list[str]:
    """The distinct stems of a query: a point is found when it has every one of them."""
    return list(dict.fromkeys(stems(query)))


def fts_query(query: str) -> str | None:
    """The FTS5 query for SQLite (every stem, quoted); None when the query has no words."""
    found = query_stems(query)
    return " AND ".join(f'"{stem}"' for stem in found) if found else None


def advice_parts(doc: Doc) -> Iterator[tuple[int, list[str]]]:
    """Per point of an advice document: the title, its text, latest response and motivering."""
    for point in doc["points"]:
        latest = point["responses"][-1] if point["responses"] else {}
        parts = [doc["title"], point["text"], latest.get("text"), latest.get("reasons")]
        yield point["number"], [p for p in parts if p]


def advice_texts(doc: Doc) -> Iterator[tuple[int, str]]:
    """Per point of an advice document: its text, latest response and motivering, and the title."""
    for number, parts in advice_parts(doc):
        yield number, "\n".join(parts)


@lru_cache(maxsize=8192)
def stemmed(text: str) -> str:
    """The stems of one text, joined by spaces. Kept for the texts met last: an advice's title
    is in the search row of each of its points, and a point's text and answer are stemmed again
    whenever another point of the advice changes."""
    return " ".join(stems(text))


def stemmed_parts(parts: Iterable[str]) -> str:
    """The stems of texts joined by newlines (as `advice_texts` joins them), part by part."""
    return " ".join(found for found in map(stemmed, parts) if found)


def decision_texts(doc: Doc) -> Iterator[tuple[str, int, str]]:
    """Per deviation of a decision document: the advice, the point, and the motivering."""
    for deviation in doc["deviations"]:
        yield deviation["advice_id"], deviation["point"], deviation["reasons"]


def matching(query: str, docs: Iterable[Doc]) -> set[Found]:
    """The points that a query finds in these documents (advice and decisions), without an index."""
    wanted = set(query_stems(query))
    if not wanted:
        return set()
    found: set[Found] = set()
    for doc in docs:
        if doc["kind"] == "advice":
            rows: Iterable[tuple[str, int, str]] = (
                (doc["id"], number, text) for number, text in advice_texts(doc)
            )
        elif doc["kind"] == "decision":
            rows = decision_texts(doc)
        else:
            continue
        for advice_id, number, text in rows:
            if wanted <= set(stems(text)):
                found.add((advice_id, number))
    return found
