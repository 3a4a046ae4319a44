"""Two forms that the labelled sets always call statements, whatever question they contain.

Why: the learned head reads the words, and words can look like a question or a lead while the line is
neither. A line said to someone else in the room ("(to the interpreter) Ask her if she wants a break.",
"(to colleague) They always say that.") is not a question put to the person: 92 of 92 such lines in blind
sets 3-45 are labelled statements, and the head called 19 of them something else. A reflection that
starts "It sounds like…" and asks nothing back ("It sounds like you felt trapped.") mirrors the person's
own account rather than leading it: 86 of 86 are statements (with a question mark, one author called one
suggestive, so those stay with the head).

These decide the question type after the head, never its inputs: tone and recommendation stay the head's.
"""

from __future__ import annotations

import re

_ASIDE = re.compile(r"^\(\s*(to|turning to|aside to|speaking to|quietly to|whispering to)\b[^)]*\)",
                    re.IGNORECASE)
_REFLECTION = re.compile(r"^it sounds (like|as if|as though)\b[^?]*$", re.IGNORECASE)


def said_to_someone_else(text: str) -> bool:
    """'(to the social worker) She's been coached, you can tell.': a stage direction naming another
    listener opens the line."""
    return bool(_ASIDE.match(text.strip()))


def reflects_back(text: str) -> bool:
    """'It sounds like at first he made you feel special.': a reflection with no question in it."""
    return bool(_REFLECTION.match(text.strip()))


def is_statement_form(text: str) -> bool:
    return said_to_someone_else(text) or reflects_back(text)
