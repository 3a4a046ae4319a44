"""How well a rubric labels utterances: the held-out calibration set, cross-validation over the
rubric's own exemplars, and (optionally) the open/closed therapist questions of AnnoMI.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from simulator.cues import split_sentences
from simulator.datafiles import DataFileError, StrictModel, load_model
from simulator.embeddings import Embedder, embed_fixed
from simulator.labels import QUESTION_TYPES, TONES, QuestionType, Tone
from simulator.rubric import Rubric
from simulator.scoring import Scorer

ANNOMI_FILE = "AnnoMI-full.csv"
OPEN_TYPES = ("invitation", "directive")
CLOSED_TYPES = ("option_posing", "suggestive")


class CalibrationItem(StrictModel):
    """One labelled utterance; a set may leave the question type out (it then teaches tone and
    recommendation only, so its authors' question-type convention does not move the scorer)."""

    text: str = Field(min_length=1)
    question_type: QuestionType | None = None
    tone: Tone
    recommended: bool


class CalibrationSet(StrictModel):
    id: str
    description: str
    items: list[CalibrationItem] = Field(min_length=1)


class LabelMetrics(BaseModel):
    """Accuracy, macro-F1, per-class recall and the confusion matrix (rows: truth, columns: predicted)."""

    classes: list[str]
    n: int
    accuracy: float
    macro_f1: float
    recall: dict[str, float]
    confusion: list[list[int]]


class AnnomiResult(BaseModel):
    n: int
    n_open: int
    n_closed: int
    balanced_accuracy: float
    recall_open: float
    recall_closed: float
    predicted_statement: int  # counted as wrong


class Evaluation(BaseModel):
    rubric_id: str
    rubric_hash: str
    calibration: dict[str, LabelMetrics]
    cross_validation: dict[str, LabelMetrics]
    folds: int
    annomi: AnnomiResult | None = None


def comparable_text(text: str) -> str:
    """A text as repeats are found: lower case, words only (the held-out check and the converter agree)."""
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def load_calibration(path: Path | str) -> CalibrationSet:
    return load_model(path, CalibrationSet)


def label_metrics(classes: Sequence[str], truth: Sequence[str], predicted: Sequence[str]) -> LabelMetrics:
    """Pure metric maths; a class absent from both truth and predictions is left out of macro-F1."""
    index = {label: i for i, label in enumerate(classes)}
    confusion = np.zeros((len(classes), len(classes)), dtype=int)
    for want, got in zip(truth, predicted, strict=True):
        confusion[index[want], index[got]] += 1
    true_positive = np.diag(confusion).astype(float)
    support, predicted_count = confusion.sum(axis=1), confusion.sum(axis=0)
    recall = np.divide(true_positive, support, out=np.zeros_like(true_positive), where=support > 0)
    precision = np.divide(true_positive, predicted_count, out=np.zeros_like(true_positive),
                          where=predicted_count > 0)
    denominator = precision + recall
    f1 = np.divide(2 * precision * recall, denominator, out=np.zeros_like(denominator), where=denominator > 0)
    present = (support + predicted_count) > 0
    n = int(confusion.sum())
    return LabelMetrics(
        classes=list(classes), n=n,
        accuracy=round(float(true_positive.sum() / n), 4) if n else 0.0,
        macro_f1=round(float(f1[present].mean()), 4) if present.any() else 0.0,
        recall={label: round(float(recall[i]), 4) for i, label in enumerate(classes) if support[i] > 0},
        confusion=confusion.tolist(),
    )


def evaluate_calibration(scorer: Scorer, items: list[CalibrationItem]) -> dict[str, LabelMetrics]:
    assessments = scorer.assess_many([item.text for item in items])
    typed = [(i.question_type, a.question_type) for i, a in zip(items, assessments, strict=True)
             if i.question_type is not None]
    return {
        "question_type": label_metrics(QUESTION_TYPES, [t for t, _ in typed], [p for _, p in typed]),
        "tone": label_metrics(TONES, [i.tone for i in items], [a.tone for a in assessments]),
        "recommended": label_metrics(("true", "false"), [str(i.recommended).lower() for i in items],
                                     [str(a.recommended).lower() for a in assessments]),
    }


class _LookupEmbedder:
    """Serves precomputed exemplar vectors, so cross-validation folds never call the model again."""

    def __init__(self, name: str, vectors: dict[str, np.ndarray]):
        self.name = name
        self._vectors = vectors

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vectors[text] for text in texts])


def cross_validate(rubric: Rubric, embedder: Embedder, folds: int = 5) -> dict[str, LabelMetrics]:
    """Label each exemplar with a scorer built from the other folds (cues included, fold = every k-th)."""
    texts = rubric.exemplar_texts()
    lookup = _LookupEmbedder(embedder.name, dict(zip(texts, embed_fixed(embedder, texts), strict=True)))
    results = {}
    for dimension, classes in (("question_type", QUESTION_TYPES), ("tone", TONES)):
        exemplars: dict[str, list[str]] = getattr(rubric.labels, dimension)
        truth: list[str] = []
        predicted: list[str] = []
        for fold in range(folds):
            kept = {label: [t for i, t in enumerate(items) if i % folds != fold]
                    for label, items in exemplars.items()}
            held = [(label, t) for label, items in exemplars.items()
                    for i, t in enumerate(items) if i % folds == fold]
            labels = rubric.labels.model_copy(update={dimension: kept})
            scorer = Scorer(rubric.model_copy(update={"labels": labels}), lookup)
            for (label, _), assessment in zip(held, scorer.assess_many([t for _, t in held]), strict=True):
                truth.append(label)
                predicted.append(getattr(assessment, dimension))
        results[dimension] = label_metrics(classes, truth, predicted)
    return results


def load_annomi_questions(folder: Path | str) -> list[tuple[str, str]]:
    """(text, 'open'|'closed') for one-sentence therapist questions on whose subtype all annotators agree."""
    path = Path(folder) / ANNOMI_FILE
    subtypes: dict[tuple[str, str], set[str]] = defaultdict(set)
    texts: dict[tuple[str, str], str] = {}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("interlocutor") != "therapist" or row.get("question_exists") != "True":
                    continue
                key = (row["transcript_id"], row["utterance_id"])
                subtypes[key].add(row["question_subtype"])
                texts[key] = row["utterance_text"].strip()
    except OSError as exc:
        raise DataFileError(path, f"cannot read ({exc.strerror}); pass the folder of {ANNOMI_FILE}") from None
    except KeyError as exc:
        raise DataFileError(path, f"missing column {exc}; is this AnnoMI-full.csv?") from None
    return [
        (texts[key], next(iter(found))) for key, found in subtypes.items()
        if len(found) == 1 and found <= {"open", "closed"} and len(split_sentences(texts[key])) == 1
    ]


def evaluate_annomi(scorer: Scorer, questions: list[tuple[str, str]]) -> AnnomiResult:
    """Open = invitation or directive, closed = option-posing or suggestive; statements are errors."""
    assessments = scorer.assess_many([text for text, _ in questions])
    hits = {"open": 0, "closed": 0}
    totals = {"open": 0, "closed": 0}
    statements = 0
    for (_, subtype), assessment in zip(questions, assessments, strict=True):
        totals[subtype] += 1
        statements += assessment.question_type == "statement"
        wanted = OPEN_TYPES if subtype == "open" else CLOSED_TYPES
        hits[subtype] += assessment.question_type in wanted
    recall = {k: hits[k] / totals[k] if totals[k] else 0.0 for k in hits}
    return AnnomiResult(
        n=len(questions), n_open=totals["open"], n_closed=totals["closed"],
        balanced_accuracy=round((recall["open"] + recall["closed"]) / 2, 4),
        recall_open=round(recall["open"], 4), recall_closed=round(recall["closed"], 4),
        predicted_statement=statements,
    )


def evaluate(scorer: Scorer, calibration: CalibrationSet, folds: int = 5,
             annomi_folder: Path | None = None) -> Evaluation:
    return Evaluation(
        rubric_id=scorer.rubric.id, rubric_hash=scorer.rubric.content_hash(),
        calibration=evaluate_calibration(scorer, calibration.items),
        cross_validation=cross_validate(scorer.rubric, scorer.embedder, folds), folds=folds,
        annomi=evaluate_annomi(scorer, load_annomi_questions(annomi_folder)) if annomi_folder else None,
    )
