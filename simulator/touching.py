"""Whether an officer's words are about a fact's topic ("touch" it), so that the fact may be told.

One shared word is not a topic: "I'm here to check that people working here are safe" is not a
question about threats, and "Can I have a phone number for your employer?" is not about the persona's
phone. A fact is touched when the words and the meaning agree:

* a **keyword** of the fact occurs in one sentence (its authored `keywords`, which may name shared
  families of simulator/topic_words.yaml, else its cue phrases), and the utterance is at least
  `similarity` close in meaning to the fact; or
* the fact is the persona's closest in meaning and at least `best_similarity` close; or
* the utterance is so close in meaning (`strong_similarity`) that no keyword is needed;

and the utterance is not clearly closer (`near_miss_margin`) to one of the fact's authored `near_misses`
(lines that share its words but not its topic) than to all of its cues.

Where a learned touch model ships for the embedder (simulator.touch_model), it decides instead of these
thresholds, from the same evidence laid out per fact by `TopicIndex.features`, and the same again through
its touch encoder (simulator.touch_encoder) when it has one; an offer still touches nothing.

Meaning is the cosine between the utterance (or its closest sentence) and the fact, averaged over
four views of the fact: its closest cue, its topic label, its content and its disclosure. Tuned on
tests/touching/*.jsonl and the first two held-out sets; bench/touching.py reports precision and recall
on any such file.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import NamedTuple

import numpy as np
from pydantic import BaseModel, Field

from simulator.embeddings import Embedder, embed_fixed
from simulator.personas import Fact
from simulator.topic_words import expand

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# "Can I call someone for you?", "Do you want to charge your phone?", "We can pay for a taxi for you": an
# offer, not a question about a topic, unless it asks for an account ("Would you like to tell me about...").
OFFER = re.compile(r"^\W*(can i|could i|shall i|should i|let me|do you want|would you like|do you need)\b"
                   r"|\b(we|i)('ll| will| can| could)\b.*\bfor you\b|\b(like|want) (us|me) to\b")
ACCOUNT = re.compile(r"\b(tell me|tell us|talk to me|talk to us|talk about|say more|explain|describe|"
                     r"share)\b")
# a sentence that asks for something: a question, or an invitation to tell
ASKS = re.compile(r"\?\s*$|^\W*(tell|describe|walk|talk|explain|help me|say more|go on|and then)\b",
                  re.IGNORECASE)
# what `TopicIndex.features` lays out per fact, in this order
FEATURES = ("asks", "asks_anywhere", "offer", "several_sentences", "similarity", "closest", "margin",
            "best_cue", "top3_cues", "cue_margin", "topic_view", "content_view", "disclosure_view",
            "keyword", "keyword_similarity", "near_miss", "near_miss_margin")


class TouchParams(BaseModel):
    similarity: float = Field(default=0.22, ge=0.0, le=1.0)  # with a keyword
    best_similarity: float = Field(default=0.4, ge=0.0, le=1.0)  # the persona's closest fact
    near_miss_margin: float = Field(default=0.05, ge=0.0, le=1.0)  # a near miss this much closer vetoes
    strong_similarity: float = Field(default=0.5, ge=0.0, le=1.0)  # without one


def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """`a + b`: both parts anywhere; a part is a phrase whose words match whole words, a trailing `*`
    any ending ("threat*": threats, threatened), else an optional plural or possessive; `a|b`: either
    (`son|wife + safe`, `pay* back|pay* off`: alternatives are whole phrases)."""
    parts = []
    for part in keyword.lower().split(" + "):
        phrases = []
        for phrase in part.split("|"):
            words = []
            for word in phrase.split():
                stem = re.escape(word.rstrip("*"))
                words.append(stem + (r"[\w']*" if word.endswith("*") else r"(?:s|es|'s)?") + r"\b")
            phrases.append(r"\W+".join(words))
        parts.append(r"(?=.*\b(?:" + "|".join(phrases) + "))")
    return re.compile("".join(parts), re.DOTALL)


def is_offer(text: str) -> bool:
    lowered = text.lower()
    return bool(OFFER.search(lowered)) and not ACCOUNT.search(lowered)


def sentences(text: str) -> list[str]:
    return [part for part in SENTENCE_END.split(text.strip()) if part] or [text]


def asks(text: str) -> bool:
    return bool(ASKS.search(text.strip()))


def _lines_by_fact(lines: list[list[str]], embedder: Embedder) -> tuple[np.ndarray, np.ndarray]:
    """Every fact's lines embedded in one call, and the index of the fact that owns each row."""
    flat = [line for fact_lines in lines for line in fact_lines]
    owners = np.array([i for i, fact_lines in enumerate(lines) for _ in fact_lines], dtype=np.int64)
    return (embed_fixed(embedder, flat) if flat else np.zeros((0, 1), dtype=np.float32)), owners


class _Evidence(NamedTuple):
    parts: list[str]  # the utterance's sentences
    cue_sims: np.ndarray  # (cues, 1 + sentences): the whole utterance first
    miss_sims: np.ndarray  # (near misses, 1 + sentences)
    view_sims: np.ndarray  # (facts, 3 views, 1 + sentences)


class TopicIndex:
    """Facts' keywords and meanings, prepared once per session; `scores` decides per turn."""

    def __init__(self, facts: list[Fact], embedder: Embedder, params: TouchParams | None = None,
                 learned: bool = True):
        from simulator.touch_model import shipped_touch_model, touch_encoder

        self.params = params or TouchParams()
        self._embedder = embedder
        self.model = shipped_touch_model(embedder.name) if learned else None
        # the same evidence through the model's touch encoder (simulator.touch_encoder), when it reads one
        self._tuned: TopicIndex | None = None
        if self.model is not None and self.model.encoder is not None:
            tuned = touch_encoder(self.model, embedder)
            if tuned is None:
                self.model = None  # its features need the encoder: the thresholds decide instead
            else:
                self._tuned = TopicIndex(facts, tuned, self.params, learned=False)
        self._cue_texts = [cue for fact in facts for cue in fact.cues]
        self._miss_texts = [miss for fact in facts for miss in fact.near_misses]
        self._keywords = [[keyword_pattern(k) for k in expand(fact.keywords or fact.cues)] for fact in facts]
        self._cues, self._cue_owner = _lines_by_fact([fact.cues for fact in facts], embedder)
        self._misses, self._miss_owner = _lines_by_fact([fact.near_misses for fact in facts], embedder)
        views = [v for fact in facts for v in (fact.topic or fact.cues[0], fact.content, fact.disclosure)]
        self._views = embed_fixed(embedder, views).reshape(len(facts), 3, -1) if facts else None
        self._count = len(facts)

    def similarity(self, text: str, whole: np.ndarray | None = None) -> np.ndarray:
        """Per fact, the closeness in meaning of the utterance's best sentence (see the module doc).
        `whole`: the utterance's embedding when the caller has it (the scorer does), to embed less."""
        if not self._count:
            return np.zeros(0, dtype=np.float32)
        return self._compare(self._evidence(text, whole))[0]

    def _evidence(self, text: str, whole: np.ndarray | None, exclude: Collection[str] = ()) -> _Evidence:
        """Similarities of the whole utterance and of each sentence (a greeting must not dilute the
        question) to every cue, near miss and view. `exclude`: cues and near misses to leave out, so that
        a labelled line does not find itself or its author's other lines (training on the lines the cues
        were written from)."""
        parts = sentences(text)
        if whole is None:
            whole = self._embedder.embed([text])[0]
        vectors = np.asarray([whole], dtype=np.float32)
        if len(parts) > 1:
            vectors = np.vstack([vectors, np.asarray(self._embedder.embed(parts), dtype=np.float32)])
        cue_sims = self._cues @ vectors.T  # (cues, sentences)
        miss_sims = self._misses @ vectors.T if len(self._misses) else np.zeros((0, len(vectors)))
        if exclude:
            cue_sims[[cue in exclude for cue in self._cue_texts]] = -1.0
            miss_sims[[miss in exclude for miss in self._miss_texts]] = -1.0
        return _Evidence(parts, cue_sims, miss_sims, np.einsum("fvd,sd->fvs", self._views, vectors))

    def _best_per_fact(self, sims: np.ndarray, owners: np.ndarray) -> np.ndarray:
        best = np.full((self._count, sims.shape[1]), -1.0, dtype=np.float32)
        np.maximum.at(best, owners, sims)
        return best

    def _per_sentence(self, evidence: _Evidence) -> tuple[np.ndarray, np.ndarray]:
        """(facts, 1 + sentences): each fact's closest cue, and the mean of that cue and the 3 views."""
        best_cue = self._best_per_fact(evidence.cue_sims, self._cue_owner)
        return best_cue, (best_cue + evidence.view_sims.sum(axis=1)) / 4.0

    def _compare(self, evidence: _Evidence) -> tuple[np.ndarray, np.ndarray]:
        """Per fact, the similarity above, and whether a near miss is closer than every cue."""
        best_cue, per_sentence = self._per_sentence(evidence)
        best_miss = self._best_per_fact(evidence.miss_sims, self._miss_owner).max(axis=1)
        vetoed = best_miss > best_cue.max(axis=1) + self.params.near_miss_margin
        return per_sentence.max(axis=1), vetoed

    def keyword_hits(self, text: str) -> np.ndarray:
        """Per fact, whether a keyword occurs within one sentence ("police" and "say" in two do not pair)."""
        parts = [part.lower() for part in sentences(text)]
        return np.array([any(p.search(part) for p in patterns for part in parts)
                         for patterns in self._keywords], dtype=bool)

    def features(self, text: str, whole: np.ndarray | None = None,
                 exclude: Collection[str] = ()) -> np.ndarray:
        """Per fact, the evidence the learned model weighs (FEATURES, in order): how close the utterance
        and its best sentence for that fact come to the fact's cues and views, how far ahead of the
        persona's other facts, its keywords and near misses, and whether that sentence asks at all."""
        if not self._count:
            return np.zeros((0, len(FEATURES)))
        evidence = self._evidence(text, whole, exclude)
        best_cue, per_sentence = self._per_sentence(evidence)
        best_sentence = per_sentence.argmax(axis=1)
        similarity = per_sentence.max(axis=1)
        fact_cue = best_cue.max(axis=1)
        near_miss = self._best_per_fact(evidence.miss_sims, self._miss_owner).max(axis=1)
        keyword = self.keyword_hits(text).astype(float)
        parts = evidence.parts
        asks_sentence = [asks(text if i == 0 or len(parts) == 1 else parts[i - 1]) for i in best_sentence]
        rows = []
        for f in range(self._count):
            others = np.delete(np.arange(self._count), f)
            cues = np.sort(evidence.cue_sims[self._cue_owner == f, best_sentence[f]])[::-1]
            views = evidence.view_sims[f, :, best_sentence[f]]
            rows.append([
                asks_sentence[f], any(asks(part) for part in parts), is_offer(text), len(parts) > 1,
                similarity[f], similarity[f] >= similarity.max(),
                similarity[f] - (similarity[others].max() if len(others) else 0.0),
                fact_cue[f], cues[:3].mean(), fact_cue[f] - (fact_cue[others].max() if len(others) else 0.0),
                *views, keyword[f], keyword[f] * similarity[f], near_miss[f], near_miss[f] - fact_cue[f],
            ])
        return np.asarray(rows, dtype=np.float64)

    def scores(self, text: str, whole: np.ndarray | None = None) -> np.ndarray:
        """Per fact, its similarity where the utterance touches it, else 0."""
        if not self._count or is_offer(text):
            return np.zeros(self._count, dtype=np.float32)
        if self.model is not None:
            features = self.features(text, whole)
            touched = self.model.touches(features if self._tuned is None
                                         else np.hstack([features, self._tuned.features(text)]))
            return np.where(touched, features[:, FEATURES.index("similarity")], 0.0).astype(np.float32)
        similarity, missed = self._compare(self._evidence(text, whole))
        hits = self.keyword_hits(text)
        closest = (similarity == similarity.max()) & (similarity >= self.params.best_similarity)
        strong = similarity >= self.params.strong_similarity
        touched = ((hits & (similarity >= self.params.similarity)) | closest | strong) & ~missed
        return np.where(touched, similarity, 0.0).astype(np.float32)
