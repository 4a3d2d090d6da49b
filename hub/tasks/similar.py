"""A simple likeness of two reports: shared words (pairs of characters for Chinese, which has no
spaces) and the same kind of place. Enough to ask "is it one of these?" before a new report."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

LATIN_WORD = re.compile(r"[a-z0-9]+")
HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
STOP_WORDS = frozenset(
    [
        "the",
        "and",
        "not",
        "does",
        "doesn't",
        "will",
        "won't",
        "can",
        "can't",
        "with",
        "from",
        "into",
        "out",
        "off",
        "for",
        "are",
        "was",
        "were",
        "has",
        "have",
        "our",
        "its",
        "it's",
        "this",
        "that",
        "there",
        "here",
        "very",
        "again",
        "any",
        "all",
        "some",
        "on",
        "in",
        "at",
        "of",
        "to",
        "is",
        "a",
        "an",
        "no",
        "broken",
        "problem",
        "please",
    ]
)
# Characters too common in Chinese reports to tell two apart on their own.
HAN_STOP = frozenset("的了是在有不坏楼")
MAX_SHOWN = 5


def words(text: str) -> set[str]:
    """The meaningful words of a text: Latin words of three letters or more (a final "s"
    dropped), and every pair of neighbouring Chinese characters."""
    text = text.lower()
    found = {
        word[:-1] if len(word) > 3 and word.endswith("s") else word
        for word in LATIN_WORD.findall(text)
        if len(word) >= 3 and word not in STOP_WORDS
    }
    for run in HAN_RUN.findall(text):
        kept = "".join(ch for ch in run if ch not in HAN_STOP)
        found.update(kept[i : i + 2] for i in range(len(kept) - 1))
    return found


def score(place_kind: str, text_words: set[str], task: dict[str, Any]) -> int:
    """How alike a new report is to an open task: 0 when they share no word."""
    shared = len(text_words & words(f"{task['title']} {task['description']} {task['place']}"))
    if not shared:
        return 0
    return shared + (2 if task["place_kind"] == place_kind else 0)


def most_similar(
    place_kind: str, text: str, tasks: Iterable[dict[str, Any]], limit: int = MAX_SHOWN
) -> list[dict[str, Any]]:
    """The open tasks most like a new report, best first; those sharing a single word only when
    they are at the same kind of place."""
    text_words = words(text)
    scored = [(score(place_kind, text_words, task), task) for task in tasks]
    kept = [(points, task) for points, task in scored if points >= 2]
    kept.sort(key=lambda pair: (-pair[0], -pair[1]["id"]))
    return [task for _points, task in kept[:limit]]
