"""Did the reply shown agree with what the officer suggested?

Contamination is a property of the answer, not of the question: "He took your passport, didn't he?"
answered "Yes... if you say so" is contaminated evidence; answered "I'm not going to talk to you" it
is not, and the record says the persona resisted the suggestion. A reply agrees when it opens with
assent ("yes", "if you say so") or restates the suggestion closely in meaning, and denies nothing.
"""

from __future__ import annotations

import re

import numpy as np

from simulator.embeddings import Embedder

ASSENT = re.compile(
    r"^\W*(yes|yeah|yep|yup|yea|ok|okay|alright|all right|sure|right|true|i guess|i suppose|if you say so|"
    r"that's right|that's true|he did|she did|they did|i did|it is|it was)\b",
    re.IGNORECASE,
)
DENIAL = re.compile(
    r"\b(no|not|never|nothing|nobody|none|don't|didn't|doesn't|isn't|wasn't|won't|can't|aren't|ain't|"
    r"wrong|lie|lying|stop)\b|n't\b",
    re.IGNORECASE,
)
FIRST_SENTENCE = re.compile(r"^.*?(?:[.!?…]+(?=\s|$)|$)", re.DOTALL)
RESTATES = 0.7  # cosine between reply and suggestion for a reply without assent words to agree


def agrees(reply: str, suggestion: str, embedder: Embedder) -> bool:
    """True when the reply takes up the suggestion (see the module doc)."""
    first = FIRST_SENTENCE.match(reply.strip()).group(0).replace("’", "'")
    if ASSENT.search(first):
        return not DENIAL.search(first)
    if DENIAL.search(reply.replace("’", "'")) or not suggestion.strip():
        return False
    vectors = np.asarray(embedder.embed([reply, suggestion]), dtype=np.float32)
    return float(vectors[0] @ vectors[1]) >= RESTATES
