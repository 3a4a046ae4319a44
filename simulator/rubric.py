"""Rubric files: the label exemplars and weighted criteria that the scorer compares utterances with.

Instructors tune a rubric by editing exemplars, cue-free and in plain sentences; the content hash
lets caches and saved sessions tell which version of a rubric scored them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from simulator.datafiles import StrictModel, check_id, load_model
from simulator.labels import FLAGS, QUESTION_TYPES, TONES
from simulator.registry import Registry

MIN_EXEMPLARS_PER_LABEL = 3


def _check_flags(values: list[str]) -> list[str]:
    unknown = [flag for flag in values if flag not in FLAGS]
    if unknown:
        raise ValueError(f"unknown flag(s) {', '.join(unknown)}; known: {', '.join(FLAGS)}")
    return values


def _check_texts(values: list[str]) -> list[str]:
    if any(not text.strip() for text in values):
        raise ValueError("exemplars must not be empty")
    return [text.strip() for text in values]


class LabelExemplars(StrictModel):
    """Example sentences for every label of both label dimensions."""

    question_type: dict[str, list[str]]
    tone: dict[str, list[str]]

    @field_validator("question_type")
    @classmethod
    def _all_question_types(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return _check_label_map(value, QUESTION_TYPES)

    @field_validator("tone")
    @classmethod
    def _all_tones(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return _check_label_map(value, TONES)


def _check_label_map(value: dict[str, list[str]], labels: tuple[str, ...]) -> dict[str, list[str]]:
    unknown = sorted(set(value) - set(labels))
    if unknown:
        raise ValueError(f"unknown label(s) {', '.join(unknown)}; expected {', '.join(labels)}")
    missing = [label for label in labels if label not in value]
    if missing:
        raise ValueError(f"missing label(s) {', '.join(missing)}")
    for label, texts in value.items():
        if len(texts) < MIN_EXEMPLARS_PER_LABEL:
            raise ValueError(f"label '{label}' needs at least {MIN_EXEMPLARS_PER_LABEL} exemplars")
        _check_texts(texts)
    return {label: [text.strip() for text in value[label]] for label in labels}


class Criterion(StrictModel):
    """One quality the scorer rates in [0, 1]: by similarity to its exemplars, then adjusted by flags."""

    id: str
    name: str
    description: str
    weight: float = Field(gt=0.0, le=10.0)
    positive: list[str] = Field(min_length=MIN_EXEMPLARS_PER_LABEL)
    negative: list[str] = Field(min_length=MIN_EXEMPLARS_PER_LABEL)
    credited_by: list[str] = Field(default_factory=list)  # flags that lift the score
    penalised_by: list[str] = Field(default_factory=list)  # flags that sink it
    praise: str  # shown when the criterion is met
    feedback: str  # shown when it is not
    tips: list[str] = Field(min_length=1)

    _id = field_validator("id")(lambda value: check_id(value, "criterion id"))
    _flags = field_validator("credited_by", "penalised_by")(_check_flags)
    _texts = field_validator("positive", "negative")(_check_texts)


class ClassifierSettings(StrictModel):
    """How exemplar similarity becomes label evidence (see docs/rubric-tuning.md)."""

    neighbours: int = Field(default=3, ge=1, le=20)  # top-k exemplars averaged per label
    temperature: float = Field(default=0.05, gt=0.0, le=1.0)  # cosine units per logit
    criterion_temperature: float = Field(default=0.05, gt=0.0, le=1.0)
    bias: dict[str, float] = Field(default_factory=dict)  # prior evidence per label, in logits

    @field_validator("bias")
    @classmethod
    def _known_labels(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(QUESTION_TYPES) - set(TONES))
        if unknown:
            raise ValueError(f"unknown label(s) {', '.join(unknown)}")
        return value


class Rubric(StrictModel):
    id: str
    name: str
    version: int = Field(ge=1)
    description: str
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)
    labels: LabelExemplars
    criteria: list[Criterion] = Field(min_length=1)

    _id = field_validator("id")(lambda value: check_id(value, "rubric id"))

    @model_validator(mode="after")
    def _unique_criteria(self) -> Rubric:
        seen: set[str] = set()
        for criterion in self.criteria:
            if criterion.id in seen:
                raise ValueError(f"duplicate criterion id '{criterion.id}'")
            seen.add(criterion.id)
        return self

    def content_hash(self) -> str:
        """A short hash of everything that changes scores; equal rubrics hash equally."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def exemplar_texts(self) -> list[str]:
        """Every exemplar once, in a stable order (the unit the embedding cache stores)."""
        texts: list[str] = []
        for group in (self.labels.question_type, self.labels.tone):
            for exemplars in group.values():
                texts.extend(exemplars)
        for criterion in self.criteria:
            texts.extend(criterion.positive + criterion.negative)
        return list(dict.fromkeys(texts))


def load_rubric(path: Path | str) -> Rubric:
    return load_model(path, Rubric)


def load_rubrics(folder: Path | str) -> Registry[Rubric]:
    """All rubrics in `folder` (*.yaml, not sub-folders such as calibration/); bad files land in errors."""
    return Registry.from_folder("rubric", Path(folder), load_rubric, lambda rubric: rubric.id)
