"""The rubric scorer: labels officer utterances from exemplar similarity plus linguistic cues.

Each sentence gets label logits = (mean cosine to its k nearest exemplars of each label) / temperature,
plus the cue evidence from simulator.cues; the utterance label is then derived from its sentences.
Everything that decides a label is named in the explanation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.cues import (
    LONG_UTTERANCE_WORDS,
    STRONG,
    Cue,
    find_cues,
    joins_two_questions,
    split_sentences,
    word_count,
)
from simulator.embeddings import Embedder, embed_fixed
from simulator.labels import FLAGS, QUESTION_TYPES, TONES, Assessment, SentenceLabel
from simulator.rubric import ClassifierSettings, Criterion, Rubric
from simulator.suggestions import suggest

CREDIT_FACTOR = 0.25  # a crediting flag removes 75% of the distance to 1
PENALTY_FACTOR = 0.25  # a penalising flag keeps 25% of the score
MAX_SENTENCES_BEFORE_TOO_LONG = 4

# A strong harmful cue (blame, threat, disbelief, pressure, contempt) decides the tone on its own, however
# near the sentence is to neutral exemplars: a missed harm costs more in training feedback than a false alarm.
_HARMFUL = TONES.index("harmful")

# Flags that only make sense for some labels: a yes/no opening that the exemplars overrule is not yes/no.
_FLAG_NEEDS_TYPE = {"yes_no": {"option_posing", "suggestive"}, "leading": {"suggestive"},
                    "tag_question": {"suggestive"}, "either_or": {"option_posing", "suggestive"}}


def cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarities between rows of a and rows of b (both already L2-normalised)."""
    return np.asarray(a, dtype=np.float32) @ np.asarray(b, dtype=np.float32).T


def top_k_class_scores(similarities: np.ndarray, label_index: np.ndarray, n_labels: int,
                       k: int) -> np.ndarray:
    """Per row, the mean of the k highest similarities among each label's exemplars."""
    scores = np.empty((similarities.shape[0], n_labels), dtype=np.float32)
    for label in range(n_labels):
        columns = similarities[:, label_index == label]
        take = min(k, columns.shape[1])
        scores[:, label] = np.sort(columns, axis=1)[:, -take:].mean(axis=1)
    return scores


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=-1, keepdims=True)


def sigmoid(value: float) -> float:
    return float(1.0 / (1.0 + np.exp(-value)))


def criterion_score(positive: float, negative: float, temperature: float, credited: bool,
                    penalised: bool) -> float:
    """Closer to the positive than the negative exemplars → above 0.5; flags then lift or sink it."""
    score = sigmoid((positive - negative) / temperature)
    if credited:
        score = 1.0 - (1.0 - score) * CREDIT_FACTOR
    if penalised:
        score *= PENALTY_FACTOR
    return round(score, 3)


def is_recommended(question_type: str, tone: str, deciding_flags: list[str]) -> bool:
    """Invitations and wh-questions are; supportive statements and supportive offers of choice are too."""
    if tone == "harmful" or question_type == "suggestive":
        return False
    if question_type == "option_posing":
        return tone == "supportive" and "offer_of_choice" in deciding_flags
    if question_type == "statement":
        return tone == "supportive"
    return True


@dataclass
class ExemplarClassifier:
    """Top-k exemplar similarity for one label dimension (question type or tone)."""

    labels: tuple[str, ...]
    texts: list[str]
    vectors: np.ndarray
    label_index: np.ndarray
    neighbours: int
    temperature: float
    bias: np.ndarray

    @classmethod
    def build(cls, labels: tuple[str, ...], exemplars: dict[str, list[str]], lookup: dict[str, np.ndarray],
              settings: ClassifierSettings) -> ExemplarClassifier:
        texts = [text for label in labels for text in exemplars[label]]
        index = np.array([i for i, label in enumerate(labels) for _ in exemplars[label]])
        bias = np.array([settings.bias.get(label, 0.0) for label in labels], dtype=np.float32)
        return cls(labels, texts, np.stack([lookup[text] for text in texts]), index, settings.neighbours,
                   settings.temperature, bias)

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        similarities = cosine_matrix(vectors, self.vectors)
        scores = top_k_class_scores(similarities, self.label_index, len(self.labels), self.neighbours)
        return scores / self.temperature + self.bias

    def nearest(self, vector: np.ndarray, label: str) -> str:
        mask = self.label_index == self.labels.index(label)
        similarities = cosine_matrix(vector[None, :], self.vectors[mask])[0]
        return [text for text, keep in zip(self.texts, mask, strict=True) if keep][int(similarities.argmax())]


def cue_bonus(cues: list[Cue], labels: tuple[str, ...], dimension: str) -> np.ndarray:
    bonus = np.zeros(len(labels), dtype=np.float32)
    for cue in cues:
        for label, weight in getattr(cue, dimension).items():
            bonus[labels.index(label)] += weight
    return bonus


@dataclass
class _SentenceVerdict:
    label: SentenceLabel
    cues: list[Cue]
    type_confidence: float  # softmax probability of the chosen label
    tone_confidence: float


class Scorer:
    """Scores utterances against one rubric. Exemplar embeddings come from the disk cache when warm."""

    def __init__(self, rubric: Rubric, embedder: Embedder):
        self.rubric = rubric
        self.embedder = embedder
        texts = rubric.exemplar_texts()
        lookup = dict(zip(texts, embed_fixed(embedder, texts), strict=True))
        self.question_types = ExemplarClassifier.build(
            QUESTION_TYPES, rubric.labels.question_type, lookup, rubric.classifier)
        self.tones = ExemplarClassifier.build(TONES, rubric.labels.tone, lookup, rubric.classifier)
        self._criteria: list[tuple[Criterion, np.ndarray, np.ndarray]] = [
            (criterion, np.stack([lookup[t] for t in criterion.positive]),
             np.stack([lookup[t] for t in criterion.negative]))
            for criterion in rubric.criteria
        ]

    @property
    def weights(self) -> dict[str, float]:
        """Criterion weights, for `session_report(..., weights=scorer.weights)`."""
        return {criterion.id: criterion.weight for criterion in self.rubric.criteria}

    def assess(self, text: str) -> Assessment:
        return self.assess_detailed(text)[0]

    def assess_detailed(self, text: str) -> tuple[Assessment, np.ndarray]:
        """The assessment and the normalised whole-utterance embedding (reused for fact-cue matching)."""
        return self._assess_batch([text])[0]

    def assess_many(self, texts: list[str], rescoring: bool = False) -> list[Assessment]:
        """Score a batch. `rescoring=True` (stored transcripts scored again after a rubric edit, or with
        another rubric) takes utterance embeddings from the disk cache: they do not depend on the rubric.
        """
        return [assessment for assessment, _ in self._assess_batch(texts, rescoring)]

    def _assess_batch(self, texts: list[str], rescoring: bool = False) -> list[tuple[Assessment, np.ndarray]]:
        """All utterances and their sentences are embedded in one call."""
        plans: list[tuple[str, list[str], int]] = []  # text, sentences, row of the whole utterance
        to_embed: list[str] = []
        for text in texts:
            text = text.strip()
            if not text:
                raise ValueError("cannot score an empty utterance")
            sentences = split_sentences(text) or [text]
            plans.append((text, sentences, len(to_embed)))
            to_embed.extend([text] if len(sentences) == 1 else [text, *sentences])
        if not to_embed:
            vectors = np.zeros((0, 0), dtype=np.float32)
        elif rescoring:
            vectors = embed_fixed(self.embedder, to_embed)
        else:
            vectors = self.embedder.embed(to_embed)
        results = []
        for text, sentences, row in plans:
            whole = vectors[row]
            first = row if len(sentences) == 1 else row + 1
            sentence_vectors = vectors[first:first + len(sentences)]
            verdicts = [self._label_sentence(s, v) for s, v in zip(sentences, sentence_vectors, strict=True)]
            results.append((self._combine(text, verdicts, whole), whole))
        return results

    def _label_sentence(self, sentence: str, vector: np.ndarray) -> _SentenceVerdict:
        cues = find_cues(sentence)
        row = vector[None, :]
        type_logits = self.question_types.logits(row)[0] + cue_bonus(cues, QUESTION_TYPES, "question_type")
        tone_logits = self.tones.logits(row)[0] + cue_bonus(cues, TONES, "tone")
        if any(cue.tone.get("harmful", 0.0) >= STRONG for cue in cues):
            tone_logits[_HARMFUL] = max(tone_logits[_HARMFUL], tone_logits.max() + STRONG)
        question_type = QUESTION_TYPES[int(type_logits.argmax())]
        tone = TONES[int(tone_logits.argmax())]
        flags = [flag for cue in cues for flag in cue.flags
                 if question_type in _FLAG_NEEDS_TYPE.get(flag, {question_type})]
        label = SentenceLabel(
            text=sentence, question_type=question_type, tone=tone, flags=_ordered(flags),
            nearest=[self.question_types.nearest(vector, question_type), self.tones.nearest(vector, tone)],
        )
        return _SentenceVerdict(label, cues, type_confidence=float(softmax(type_logits).max()),
                                tone_confidence=float(softmax(tone_logits).max()))

    def _combine(self, text: str, verdicts: list[_SentenceVerdict], whole: np.ndarray) -> Assessment:
        labels = [verdict.label for verdict in verdicts]
        questions = [i for i, label in enumerate(labels) if label.question_type != "statement"]
        suggestive = [i for i in questions if labels[i].question_type == "suggestive"]
        deciding = suggestive[0] if suggestive else (questions[-1] if questions else len(labels) - 1)
        question_type = labels[deciding].question_type
        harmful = [i for i, label in enumerate(labels) if label.tone == "harmful"]
        supportive = [i for i, label in enumerate(labels) if label.tone == "supportive"]
        tone_from = harmful[0] if harmful else (supportive[0] if supportive else deciding)
        tone = labels[tone_from].tone

        flags = [flag for label in labels for flag in label.flags]
        if len(questions) > 1 or any(joins_two_questions(label.text) for label in labels):
            flags.append("multiple_questions")
        if word_count(text) > LONG_UTTERANCE_WORDS or len(labels) > MAX_SENTENCES_BEFORE_TOO_LONG:
            flags.append("too_long")
        flags = _ordered(flags)
        criteria = self._criteria_scores(whole, flags)
        recommended = is_recommended(question_type, tone, labels[deciding].flags)
        explanation = _explain(verdicts, deciding, tone_from, len(labels))
        return Assessment(
            text=text, question_type=question_type, tone=tone, recommended=recommended, criteria=criteria,
            flags=flags, explanation=explanation,
            suggestion=suggest(labels[deciding].text, question_type, tone, flags, recommended),
            sentences=labels,
        )

    def _criteria_scores(self, whole: np.ndarray, flags: list[str]) -> dict[str, float]:
        settings = self.rubric.classifier
        scores = {}
        for criterion, positive, negative in self._criteria:
            pos = float(np.sort(cosine_matrix(whole[None, :], positive)[0])[-settings.neighbours:].mean())
            neg = float(np.sort(cosine_matrix(whole[None, :], negative)[0])[-settings.neighbours:].mean())
            scores[criterion.id] = criterion_score(
                pos, neg, settings.criterion_temperature,
                credited=any(flag in flags for flag in criterion.credited_by),
                penalised=any(flag in flags for flag in criterion.penalised_by),
            )
        return scores


def _ordered(flags: list[str]) -> list[str]:
    present = set(flags)
    return [flag for flag in FLAGS if flag in present]


def _explain(verdicts: list[_SentenceVerdict], deciding: int, tone_from: int, n_sentences: int) -> str:
    """One line naming the sentence, cues and nearest exemplars behind each label."""
    def where(index: int, confidence: float) -> str:
        sentence = f", sentence {index + 1}" if n_sentences > 1 else ""
        return f" (p={confidence:.2f}{sentence})"

    def reasons(verdict: _SentenceVerdict, dimension: str, label: str, nearest: str) -> str:
        cues = [f"{cue.name} '{cue.match}'" for cue in verdict.cues
                if getattr(cue, dimension).get(label, 0) > 0]
        return "; ".join([*cues, f"like '{nearest}'"])

    typed, toned = verdicts[deciding], verdicts[tone_from]
    return (
        f"{typed.label.question_type}{where(deciding, typed.type_confidence)}: "
        f"{reasons(typed, 'question_type', typed.label.question_type, typed.label.nearest[0])}. "
        f"Tone {toned.label.tone}{where(tone_from, toned.tone_confidence)}: "
        f"{reasons(toned, 'tone', toned.label.tone, toned.label.nearest[1])}."
    )
