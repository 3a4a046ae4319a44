"""The rubric scorer: labels officer utterances from exemplar similarity plus linguistic cues.

Each sentence gets label logits = (mean cosine to its k nearest exemplars of each label) / temperature,
plus the cue evidence from simulator.cues; the utterance's question type is derived from its sentences.
Tone and recommendation come from the learned head (simulator.head) where the rubric has one; certain cues
and the judgements below override it. The trainee reads one plain sentence (simulator.feedback); what
decided each label is named in the evidence, for assessors and the JSON.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from simulator.cues import (
    CLOSING_INVITATION,
    LONG_UTTERANCE_WORDS,
    STRONG,
    Cue,
    find_cues,
    is_summary_check,
    joins_two_questions,
    split_sentences,
    word_count,
)
from simulator.embeddings import CachedEmbedder, Embedder, embed_fixed, yields_cores
from simulator.feedback import plain_why
from simulator.head import Head, tone_label
from simulator.labels import FLAGS, QUESTION_TYPES, TONES, Assessment, SentenceLabel
from simulator.rubric import ClassifierSettings, Criterion, Rubric
from simulator.statement_forms import is_statement_form
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

# Never recommended, whatever the wording: graphic detail belongs to a specialist forensic interview, and
# small talk or talking to the program does not move the account on.
NEVER_RECOMMENDED = ("graphic_detail", "off_topic", "manipulation")
# Not the interview, so not counted as leading questions in the debrief.
NOT_THE_INTERVIEW = ("off_topic", "manipulation")
# The head may call a line the rules read as a question a statement only when at least this sure: always
# keeping the rules' question cost cross-validated macro-F1 2 points. 0.9 once guarded AnnoMI (an earlier
# head lost 2 points there without it); with the shipped head even odds keep AnnoMI (0.764) and read the
# officers' lines better (variant T, bench/RESULTS.md)
SURE_STATEMENT = 0.5
_STATEMENT = QUESTION_TYPES.index("statement")
# Up to this many texts (a live turn: the utterance and its sentences) the frozen and the tuned encoder run
# side by side where both free their cores after a run (ONNX Runtime): 13.8 against 16.3 ms per turn; a batch
# runs them one after the other, which was faster (278 against 255 utterances/s; bench/side_by_side.py).
SIDE_BY_SIDE_TEXTS = 8
_SIDE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tuned-encoder")


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
        return "summary_check" in deciding_flags or (
            tone == "supportive" and "offer_of_choice" in deciding_flags)
    if question_type == "statement":
        return tone == "supportive"
    return True


@dataclass
class Reading:
    """What one exemplar classifier reads in vectors: label logits, and the cosine similarity to each
    exemplar (for naming the nearest), one row per vector."""

    logits: np.ndarray
    similarities: np.ndarray


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

    def read(self, vectors: np.ndarray) -> Reading:
        """Label logits and similarities for a batch's sentences, in one product."""
        similarities = cosine_matrix(vectors, self.vectors)
        scores = top_k_class_scores(similarities, self.label_index, len(self.labels), self.neighbours)
        return Reading(scores / self.temperature + self.bias, similarities)

    def nearest(self, similarities: np.ndarray, label: str) -> str:
        """The exemplar of `label` nearest to one vector, from its row of `read`'s similarities."""
        columns = self._columns[label]
        return self.texts[int(columns[int(similarities[columns].argmax())])]

    @functools.cached_property
    def _columns(self) -> dict[str, np.ndarray]:
        """Each label's exemplar columns (asked for twice per sentence)."""
        return {label: np.flatnonzero(self.label_index == i) for i, label in enumerate(self.labels)}


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
    tone_probabilities: np.ndarray  # exemplars + cues, per TONES
    cue_tone: np.ndarray  # the cues' tone evidence alone, per TONES

    @property
    def tone_confidence(self) -> float:
        return float(self.tone_probabilities.max())


@dataclass
class Analysis:
    """What exemplars and cues say about one utterance, and its features for the learned head."""

    text: str
    verdicts: list[_SentenceVerdict]
    whole: np.ndarray
    question_type: str
    deciding: int  # the sentence that decided the question type
    tone_from: int  # the sentence that decided the exemplar-and-cue tone
    tone: str  # the exemplar-and-cue tone, used when there is no head
    flags: list[str]
    certain_harm: bool  # a strong harmful cue (threat, blame, pressure...) decides the tone, not the head
    features: np.ndarray


def sentences_of(text: str) -> list[str]:
    """The sentences an utterance is read in (the whole stripped text when it has no sentence break)."""
    text = text.strip()
    return split_sentences(text) or [text]


def utterance_features(verdicts: list[_SentenceVerdict], whole: np.ndarray, question_type: str,
                       flags: list[str], words: int) -> np.ndarray:
    """The head's input: the utterance embedding, then the sentences' strongest exemplar-and-cue tone
    evidence, the question type and the flags (layout named by FEATURE_LAYOUT)."""
    tone_probabilities = np.max([v.tone_probabilities for v in verdicts], axis=0)
    cue_tone = np.clip(np.max([v.cue_tone for v in verdicts], axis=0) / STRONG, -1.5, 1.5)
    question = np.array([question_type == label for label in QUESTION_TYPES], dtype=np.float32)
    flagged = np.array([flag in flags for flag in FLAGS], dtype=np.float32)
    size = np.array([np.log1p(len(verdicts)), np.log1p(words)], dtype=np.float32)
    return np.concatenate([whole, tone_probabilities, cue_tone, question, flagged, size]).astype(np.float32)


def prepend_tuned(analyses: list[Analysis], tuned: np.ndarray) -> None:
    """Put each utterance's tuned-encoder embedding (simulator.tuned_encoder) before its features."""
    for analysis, vector in zip(analyses, tuned, strict=True):
        analysis.features = np.concatenate([vector, analysis.features]).astype(np.float32)


FEATURE_LAYOUT = "embedding|tone-probabilities|cue-tone|question-type|flags:" + ",".join(FLAGS) + "|size"


Decision = tuple[str, bool, dict[str, float], str]  # tone, recommended, head probabilities, question type


def decide_many(analyses: list[Analysis], head: Head | None) -> list[Decision]:
    """Tone, recommended, the head's probabilities and the question type of each (see `settle`); the head
    reads the batch's features in one product."""
    if head is None or not analyses:
        return [settle(analysis, None, None, 1.0) for analysis in analyses]
    features = np.stack([analysis.features for analysis in analyses])
    tone_p = head.tone_probabilities(features)
    recommended_p = head.recommended_probability(features)
    type_p = head.question_type_probabilities(features)
    return [settle(analysis, tone_p[i], float(recommended_p[i]), head.harmful_threshold,
                   None if type_p is None else type_p[i]) for i, analysis in enumerate(analyses)]


def settle(analysis: Analysis, tone_p: np.ndarray | None, recommended_p: float | None,
           harmful_threshold: float, type_p: np.ndarray | None = None) -> Decision:
    """The head decides the question type where it has learned one (held out by author it beat the
    exemplar-and-cue rules, which are among its inputs), and the tone unless a strong harmful cue (graphic
    detail among them) is certain; small talk and remarks to the program are at worst neutral, and
    statements (172 of the 189 remarks to the program in sets 3-35 are labelled so, and the small talk of
    every set written to the current brief).
    The recommendation head decides recommendation (cross-validated 0.942 against 0.927 when it only
    overruled the rules at 90 % sure; blind sets 10 and 11: +2 and +3 points), but never for a harmful
    tone or a suggestive question; without a head, the rules on the tone. The never-recommended judgements
    win last."""
    tone, probabilities, question_type = analysis.tone, {}, analysis.question_type
    off_topic = any(flag in analysis.flags for flag in NOT_THE_INTERVIEW)
    certain = certain_type(analysis)
    if certain:
        question_type = settle_type(certain, analysis.flags)
    elif type_p is not None:
        learned = QUESTION_TYPES[int(np.argmax(type_p))]
        # What the rules read as a question stays one unless the head gives "statement" at least even
        # odds (see SURE_STATEMENT).
        if learned != "statement" or question_type == "statement" or type_p[_STATEMENT] >= SURE_STATEMENT:
            question_type = settle_type(learned, analysis.flags)
    read_as = analysis.verdicts[analysis.deciding].label.question_type
    if "threat" in analysis.flags and read_as == "invitation":
        question_type = "directive"  # an invitation backed by a threat is a demand, whatever the head reads
    if off_topic or is_statement_form(analysis.text):
        # small talk, said to the program or to someone else, a reflection: not a question about the account
        question_type = "statement"
    if tone_p is not None and recommended_p is not None:
        probabilities = {**{label: round(float(p), 3) for label, p in zip(TONES, tone_p, strict=True)},
                         "recommended": round(recommended_p, 3)}
        tone = "harmful" if analysis.certain_harm else tone_label(tone_p, harmful_threshold)
    if tone == "harmful" and off_topic and not analysis.certain_harm:
        tone = "neutral"  # small talk or a remark to the program: poor practice, not an attack on the person
    if recommended_p is None:
        deciding = analysis.verdicts[analysis.deciding].label.flags
        summary = [flag for flag in analysis.flags if flag == "summary_check"]
        recommended = is_recommended(question_type, tone, deciding + summary)
    else:
        recommended = (recommended_p >= 0.5 or certain is not None) and tone != "harmful" \
            and question_type != "suggestive"
    if any(flag in analysis.flags for flag in NEVER_RECOMMENDED):
        recommended = False
    return tone, recommended, probabilities, question_type


def certain_type(analysis: Analysis) -> str | None:
    """Two forms whose type the labelled data never disputes once relabelled to one convention (26 of 26,
    39 of 40), though the head, reading the words, did: a summary check of the person's own account is a
    yes/no question, and "Is there anything else you want to tell me?" an invitation. Both are good practice
    unless the tone is harmful."""
    if "summary_check" in analysis.flags:
        return "option_posing"
    if any(cue.name == CLOSING_INVITATION for cue in analysis.verdicts[analysis.deciding].cues):
        return "invitation"
    return None


def settle_type(question_type: str, flags: list[str]) -> str:
    """What the type cannot be whatever the evidence: small talk and remarks to the program are statements
    (the labelling brief of the blind sets says so; they are not questions about the account, so never
    suggestive ones in the debrief); "Tell me everything, or you're going to prison" is a demand, not an
    invitation."""
    if any(flag in flags for flag in NOT_THE_INTERVIEW):
        return "statement"
    if question_type == "invitation" and "threat" in flags:
        return "directive"
    return question_type


class Scorer:
    """Scores utterances against one rubric. Exemplar embeddings come from the disk cache when warm.

    `head` is the rubric's learned head for this embedder (simulator.head_training.head_for); without one,
    tone and recommendation come from exemplars and cues alone.
    """

    def __init__(self, rubric: Rubric, embedder: Embedder, head: Head | None = None):
        if head is not None and head.encoder is not None and head.tuned is None:
            raise ValueError(f"the learned head reads the tuned encoder {head.encoder!r}, which is not "
                             "loaded: get the head from simulator.head_training.head_for")
        self.rubric = rubric
        self.embedder = embedder
        self.head = head
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

    def assess(self, text: str, minor: bool = False) -> Assessment:
        return self.assess_detailed(text, minor)[0]

    def assess_detailed(self, text: str, minor: bool = False) -> tuple[Assessment, np.ndarray]:
        """The assessment and the normalised whole-utterance embedding (reused for fact-cue matching).
        `minor`: the person interviewed is under 18 (the feedback then speaks of a child)."""
        analysis = self.analyse_many([text])[0]
        return self._assessments([analysis], minor)[0], analysis.whole

    def assess_many(self, texts: list[str], rescoring: bool = False, minor: bool = False) -> list[Assessment]:
        """Score a batch. `rescoring=True` (stored transcripts scored again after a rubric edit, or with
        another rubric) takes utterance embeddings from the disk cache: they do not depend on the rubric.
        """
        return self._assessments(self.analyse_many(texts, rescoring), minor)

    def for_person(self, minor: bool) -> _PersonScorer:
        """This scorer for an interview with one person (the engine calls `assess_detailed(text)`)."""
        return _PersonScorer(self, minor)

    def analyse_many(self, texts: list[str], rescoring: bool = False) -> list[Analysis]:
        """Exemplar and cue evidence for each utterance; all utterances and sentences embedded in one call."""
        plans: list[tuple[str, list[str], int]] = []  # text, sentences, row of the whole utterance
        to_embed: list[str] = []
        sentence_rows: list[int] = []
        for text in texts:
            text = text.strip()
            if not text:
                raise ValueError("cannot score an empty utterance")
            sentences = sentences_of(text)
            plans.append((text, sentences, len(to_embed)))
            first = len(to_embed) if len(sentences) == 1 else len(to_embed) + 1  # one sentence: the whole
            sentence_rows.extend(range(first, first + len(sentences)))
            to_embed.extend([text] if len(sentences) == 1 else [text, *sentences])
        if not to_embed:
            return []
        vectors, tuned = self._embed(to_embed, [text for text, _, _ in plans], rescoring)
        verdicts = self._label_sentences([sentence for _, sentences, _ in plans for sentence in sentences],
                                         vectors[sentence_rows])
        results, at = [], 0
        for text, sentences, row in plans:
            results.append(self._analyse(text, verdicts[at:at + len(sentences)], vectors[row]))
            at += len(sentences)
        if tuned is not None:
            prepend_tuned(results, tuned)
        return results

    def _embed(self, texts: list[str], wholes: list[str], rescoring: bool) -> tuple[np.ndarray,
                                                                                  np.ndarray | None]:
        """The frozen vectors of `texts` (utterances and sentences) and the tuned encoder's of the whole
        utterances (None without one). Rescoring reads both from the disk cache: stored utterances' vectors
        depend on the models (named in the cache key), not on the rubric."""
        tuned = self.head.tuned if self.head is not None else None
        if rescoring:
            if tuned is not None and isinstance(self.embedder, CachedEmbedder):
                tuned = CachedEmbedder(tuned, self.embedder.cache_dir)
            return (embed_fixed(self.embedder, texts),
                    None if tuned is None else embed_fixed(tuned, wholes))
        if tuned is None:
            return self.embedder.embed(texts), None
        if len(texts) <= SIDE_BY_SIDE_TEXTS and yields_cores(self.embedder) and yields_cores(tuned):
            beside = _SIDE.submit(tuned.embed, wholes)
            return self.embedder.embed(texts), beside.result()
        return self.embedder.embed(texts), tuned.embed(wholes)

    def _label_sentences(self, sentences: list[str], vectors: np.ndarray) -> list[_SentenceVerdict]:
        """Each sentence's labels from its exemplar logits plus its cues' evidence, the batch's arithmetic
        in whole arrays (a retrain labels 43k sentences)."""
        types, tones = self.question_types.read(vectors), self.tones.read(vectors)
        found = [find_cues(sentence) for sentence in sentences]
        type_bonus = np.stack([cue_bonus(cues, QUESTION_TYPES, "question_type") for cues in found])
        type_logits = types.logits + type_bonus
        cue_tone = np.stack([cue_bonus(cues, TONES, "tone") for cues in found])
        tone_logits = tones.logits + cue_tone
        certain = np.array([any(cue.tone.get("harmful", 0.0) >= STRONG for cue in cues) for cues in found])
        if certain.any():  # a strong harmful cue decides the tone
            tone_logits[certain, _HARMFUL] = np.maximum(tone_logits[certain, _HARMFUL],
                                                        tone_logits[certain].max(axis=1) + STRONG)
        type_confidence = softmax(type_logits).max(axis=1)
        tone_probabilities = softmax(tone_logits)
        verdicts = []
        for i, (sentence, cues) in enumerate(zip(sentences, found, strict=True)):
            question_type = QUESTION_TYPES[int(type_logits[i].argmax())]
            tone = TONES[int(tone_logits[i].argmax())]
            flags = [flag for cue in cues for flag in cue.flags
                     if question_type in _FLAG_NEEDS_TYPE.get(flag, {question_type})]
            label = SentenceLabel(
                text=sentence, question_type=question_type, tone=tone, flags=_ordered(flags),
                nearest=[self.question_types.nearest(types.similarities[i], question_type),
                         self.tones.nearest(tones.similarities[i], tone)],
            )
            verdicts.append(_SentenceVerdict(label, cues, type_confidence=float(type_confidence[i]),
                                             tone_probabilities=tone_probabilities[i], cue_tone=cue_tone[i]))
        return verdicts

    def _analyse(self, text: str, verdicts: list[_SentenceVerdict], whole: np.ndarray) -> Analysis:
        summary = is_summary_check([verdict.label.text for verdict in verdicts])
        if summary:
            # checking a summary of their own account: a yes/no question, and its "right?" is not a tag
            last = verdicts[-1].label
            if last.question_type in ("suggestive", "statement"):
                verdicts[-1].label = last.model_copy(update={
                    "question_type": "option_posing",
                    "flags": [flag for flag in last.flags if flag not in ("leading", "tag_question")]})
        labels = [verdict.label for verdict in verdicts]
        questions = [i for i, label in enumerate(labels) if label.question_type != "statement"]
        suggestive = [i for i in questions if labels[i].question_type == "suggestive"]
        deciding = suggestive[0] if suggestive else (questions[-1] if questions else len(labels) - 1)
        question_type = labels[deciding].question_type
        harmful = [i for i, label in enumerate(labels) if label.tone == "harmful"]
        supportive = [i for i, label in enumerate(labels) if label.tone == "supportive"]
        tone_from = harmful[0] if harmful else (supportive[0] if supportive else deciding)

        flags = [flag for label in labels for flag in label.flags]
        if summary:
            flags.append("summary_check")
        if len(questions) > 1 or any(joins_two_questions(label.text) for label in labels):
            flags.append("multiple_questions")
        if word_count(text) > LONG_UTTERANCE_WORDS or len(labels) > MAX_SENTENCES_BEFORE_TOO_LONG:
            flags.append("too_long")
        flags = _ordered(flags)
        question_type = settle_type(question_type, flags)
        certain_harm = any(cue.tone.get("harmful", 0.0) >= STRONG for v in verdicts for cue in v.cues)
        features = utterance_features(verdicts, whole, question_type, flags, word_count(text))
        return Analysis(text, verdicts, whole, question_type, deciding, tone_from, labels[tone_from].tone,
                        flags, certain_harm, features)

    def _assessments(self, analyses: list[Analysis], minor: bool) -> list[Assessment]:
        decisions = decide_many(analyses, self.head)
        criteria = self._criteria_scores(np.stack([analysis.whole for analysis in analyses]),
                                         [analysis.flags for analysis in analyses]) if analyses else []
        return [self._assessment(*each, minor) for each in zip(analyses, decisions, criteria, strict=True)]

    def _assessment(self, analysis: Analysis, decision: Decision, criteria: dict[str, float],
                    minor: bool) -> Assessment:
        tone, recommended, probabilities, question_type = decision
        labels = [verdict.label for verdict in analysis.verdicts]
        flags = analysis.flags
        return Assessment(
            text=analysis.text, question_type=question_type, tone=tone, recommended=recommended,
            criteria=criteria, flags=flags,
            explanation=plain_why(question_type, tone, recommended, flags, minor, analysis.text),
            suggestion=suggest(labels[analysis.deciding].text, question_type, tone, flags, recommended,
                               analysis.text),
            evidence=_explain(analysis, question_type, tone, probabilities), probabilities=probabilities,
            sentences=labels,
        )

    def _criteria_scores(self, wholes: np.ndarray, flags: list[list[str]]) -> list[dict[str, float]]:
        """Each utterance's criterion scores; one product per criterion for the whole batch."""
        settings = self.rubric.classifier
        scores: list[dict[str, float]] = [{} for _ in flags]
        for criterion, positive, negative in self._criteria:
            near = [np.sort(cosine_matrix(wholes, exemplars), axis=1)[:, -settings.neighbours:].mean(axis=1)
                    for exemplars in (positive, negative)]
            for row, flagged in enumerate(flags):
                scores[row][criterion.id] = criterion_score(
                    float(near[0][row]), float(near[1][row]), settings.criterion_temperature,
                    credited=any(flag in flagged for flag in criterion.credited_by),
                    penalised=any(flag in flagged for flag in criterion.penalised_by),
                )
        return scores


def _ordered(flags: list[str]) -> list[str]:
    present = set(flags)
    return [flag for flag in FLAGS if flag in present]


@dataclass
class _PersonScorer:
    """A scorer bound to one interviewee (a minor or not), as the engine's UtteranceScorer."""

    scorer: Scorer
    minor: bool

    @property
    def embedder(self) -> Embedder:
        return self.scorer.embedder

    def assess_detailed(self, text: str) -> tuple[Assessment, np.ndarray]:
        return self.scorer.assess_detailed(text, self.minor)


def _explain(analysis: Analysis, question_type: str, tone: str, probabilities: dict[str, float]) -> str:
    """The assessor's line: sentence, cues, nearest exemplars and head probabilities behind each label."""
    verdicts, deciding, n_sentences = analysis.verdicts, analysis.deciding, len(analysis.verdicts)

    def where(index: int, confidence: float) -> str:
        sentence = f", sentence {index + 1}" if n_sentences > 1 else ""
        return f" (p={confidence:.2f}{sentence})"

    def reasons(verdict: _SentenceVerdict, dimension: str, label: str, nearest: str) -> str:
        cues = [f"{cue.name} '{cue.match}'" for cue in verdict.cues
                if getattr(cue, dimension).get(label, 0) > 0]
        return "; ".join([*cues, f"like '{nearest}'"])

    typed, toned = verdicts[deciding], verdicts[analysis.tone_from]
    line = (f"{analysis.question_type}{where(deciding, typed.type_confidence)}: "
            f"{reasons(typed, 'question_type', typed.label.question_type, typed.label.nearest[0])}. "
            f"Exemplars and cues: tone {toned.label.tone}{where(analysis.tone_from, toned.tone_confidence)}: "
            f"{reasons(toned, 'tone', toned.label.tone, toned.label.nearest[1])}.")
    if question_type != analysis.question_type:
        line += f" Question type {question_type} (the learned head)."
    if probabilities:
        decided = "a certain cue" if analysis.certain_harm else "the learned head"
        line += (f" Tone {tone} ({decided}; head p(harmful)={probabilities['harmful']:.2f}, "
                 f"p(supportive)={probabilities['supportive']:.2f}, "
                 f"p(recommended)={probabilities['recommended']:.2f}).")
    judged = [flag for flag in analysis.flags if flag in NEVER_RECOMMENDED]
    if judged:
        line += f" Never recommended: {', '.join(judged)}."
    return line
