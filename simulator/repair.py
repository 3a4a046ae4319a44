"""What counts as hostile, and what as a sincere repair after it.

A repair is an apology, an explanation of what happens next, or an offer of a break, a choice or an
interpreter, in a turn that is not itself hostile. The scorer flags most of these; apologies and
interpreters it does not, so they are recognised here by their words.
"""

from __future__ import annotations

import re

from simulator.labels import Assessment

HOSTILE_FLAGS = frozenset({"threat", "blame", "disbelief", "pressure"})
REPAIR_FLAGS = frozenset({"explains_process", "offer_of_choice", "acknowledges_feelings"})
REPAIR_WORDS = re.compile(
    r"\b(sorry|apologi[sz]e|apologies|i was wrong|i shouldn'?t have|my mistake|that was unfair|"
    r"interpreter|translator|in your (own )?language|(take|have|need) a break|a pause)\b",
    re.IGNORECASE,
)


def is_hostile(assessment: Assessment) -> bool:
    return assessment.tone == "harmful" or bool(HOSTILE_FLAGS & set(assessment.flags))


def is_repair(assessment: Assessment) -> bool:
    if is_hostile(assessment):
        return False
    return bool(REPAIR_FLAGS & set(assessment.flags)) or bool(REPAIR_WORDS.search(assessment.text))
