"""Is the officer's message an English sentence with something in it?

A question in Spanish, or "ok", "hmm?", cannot suggest an answer to a persona who hears English, so it
cannot contaminate the account. English sentences almost always use a few very common words; a
sentence of several words with none of them, or with letters English does not use, is not English.
"""

from __future__ import annotations

import re

# Very common English words that are not also common words of the languages officers meet most
# ("a", "no", "me", "he", "de" are left out: Spanish, Italian and others use them too).
COMMON_ENGLISH = frozenset(
    "the my you your she it we they him her them his their our is are was were been am "
    "do does did have has had can could would will should may might must what who where when why how which "
    "that this there here to of on at for with about from by and or but if not yes then than "
    "any some tell said say just didn't don't isn't wasn't aren't won't can't it's i'm you're he's "
    "she's that's there's i i've i'll i'd haven't hasn't got get all up now know want need please let "
    "let's going been being".split()
)
FILLERS = frozenset("ok okay hmm hm um uh er ah oh hi hello hey yes no yeah right sure well so thanks"
                    .split())
NON_ENGLISH_LETTERS = re.compile(r"[^\x00-\x7f’‘“”–—…£€]")


def words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", text.lower().replace("’", "'"))


def is_english(text: str) -> bool:
    """Three words or more: one of them very common in English. Fewer: no letters English lacks."""
    found = words(text)
    if len(found) < 3:
        return not NON_ENGLISH_LETTERS.search(text)
    return any(word in COMMON_ENGLISH for word in found)


def is_substantive(text: str) -> bool:
    """At least two words, one of them more than a filler or a greeting."""
    found = words(text)
    return len(found) >= 2 and any(word not in FILLERS for word in found)


def is_substantive_english(text: str) -> bool:
    return is_substantive(text) and is_english(text)
