"""Shared keyword families (simulator/topic_words.yaml): a fact writes "@phone" instead of listing the
many ways officers ask about a phone, so every persona's phone fact is reached alike."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from simulator.datafiles import read_yaml

TOPIC_WORDS = Path(__file__).with_name("topic_words.yaml")


@cache
def families() -> dict[str, tuple[str, ...]]:
    data = read_yaml(TOPIC_WORDS)
    return {name: tuple(words) for name, words in data.items()}


def expand(keywords: list[str]) -> list[str]:
    """The keywords with each "@family" replaced by the family's keywords."""
    out: list[str] = []
    for keyword in keywords:
        out.extend(families()[keyword[1:]] if keyword.startswith("@") else [keyword])
    return out


def check_keyword(keyword: str) -> str:
    if keyword.startswith("@") and keyword[1:] not in families():
        known = ", ".join("@" + name for name in families())
        raise ValueError(f"unknown keyword family {keyword!r}; known: {known}")
    return keyword
