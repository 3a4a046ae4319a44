"""Training the learned head: examples from the rubric's tone exemplars and the calibration sets, features
that never see their own label, seeded cross-validation, and the file beside the rubric.

`interview-sim rubric train` rebuilds `<rubrics>/heads/<rubric>.<embedder>.json` (with `--encoder`, first
the tuned encoder in `<rubric>.<embedder>.encoder/`, simulator.tuned_encoder); when an instructor saves a
rubric, and when a stale file (rubric or calibration sets changed) is loaded, the head is refitted from its
weights (`refreshed_head`; the stale one into the cache folder). The encoder is only retrained by the
command (minutes, not seconds).
Cross-validated figures are what the studio shows: never the score on the texts the head was fitted to.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from simulator import cue_memory, harm_nets
from simulator.calibration import LabelMetrics, label_metrics, load_calibration
from simulator.cues import cues_digest
from simulator.embeddings import Embedder, embed_fixed
from simulator.head import (
    ITERATIONS,
    L2,
    Head,
    Regression,
    balanced_weights,
    fit_logistic,
    fit_logistic_jointly,
    load_head,
    predict_logistic,
    rounded,
    save_head,
)
from simulator.labels import QUESTION_TYPES, TONES
from simulator.rubric import Rubric
from simulator.scoring import FEATURE_LAYOUT, Analysis, Scorer, prepend_tuned, sentences_of, settle
from simulator.tuned_encoder import TunedEncoder, cache_of, load_encoder

log = logging.getLogger(__name__)

SEED = 0
STUDIO_SAMPLE = 3000  # calibration utterances in the studio's saved-vs-edited comparison (studio_sample)
FOLDS = 5
REFIT_ITERATIONS = 60  # steps of each regression when a studio save continues the saved head (refit_head)
MAX_FALSE_ALARMS = 0.04  # the harmful threshold is the lowest whose cross-validated false alarms stay within
# a step of 0.05 moved cross-validated harmful recall by about 3 points, and the lowest threshold within
# the limit had been the grid's top; finer and higher
THRESHOLDS = tuple(round(0.2 + 0.025 * i, 3) for i in range(31))  # 0.200 ... 0.950


class Example(BaseModel):
    model_config = ConfigDict(frozen=True)  # calibration sets' examples are shared (_set_examples)

    text: str
    tone: str
    recommended: bool | None  # None for tone exemplars, which carry no recommendation
    question_type: str | None
    source: str


class CrossValidation(BaseModel):
    """Out-of-fold figures: every example scored by a head that never saw it."""

    folds: int
    harmful_threshold: float
    tone: LabelMetrics
    recommended: LabelMetrics
    question_type: LabelMetrics | None = None
    harmful_recall: float
    harmful_precision: float
    false_alarms: float  # share of supportive or neutral examples called harmful
    by_source: dict[str, dict[str, float]]  # per set: tone accuracy, harmful recall, recommended accuracy


def head_path(rubrics_dir: Path, rubric_id: str, embedder_name: str) -> Path:
    return Path(rubrics_dir) / "heads" / f"{rubric_id}.{embedder_name}.json"


def encoder_path(rubrics_dir: Path, rubric_id: str, embedder_name: str) -> Path:
    return Path(rubrics_dir) / "heads" / f"{rubric_id}.{embedder_name}.encoder"


def shipped_encoder(rubrics_dir: Path, rubric_id: str, embedder: Embedder) -> TunedEncoder | None:
    """The tuned encoder beside the rubric's head, when one was trained."""
    folder = encoder_path(rubrics_dir, rubric_id, embedder.name)
    return load_encoder(folder, embedder) if folder.is_dir() else None


def training_examples(rubric: Rubric, calibration_dir: Path) -> list[Example]:
    """The rubric's tone exemplars, then every calibration set's items (files in name order)."""
    return exemplar_examples(rubric) + calibration_examples(calibration_dir)


def exemplar_examples(rubric: Rubric) -> list[Example]:
    return [Example(text=text, tone=tone, recommended=None, question_type=None, source="exemplars")
            for tone in TONES for text in rubric.labels.tone[tone]]


def calibration_examples(calibration_dir: Path) -> list[Example]:
    """Every calibration set's items, files in name order: the same for every rubric, so the studio reads
    them once for the saved and the edited one."""
    return [example for path in sorted(Path(calibration_dir).glob("*.yaml"))
            for example in _set_examples(path)]


_PARSED: dict[Path, tuple[str, list[Example]]] = {}  # path -> (hash of its bytes, its examples)


def _set_examples(path: Path) -> list[Example]:
    """One calibration set's items, parsed once per content in this process: parsing the 27k items takes
    about 2 s, and a studio save reads them more than once."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if _PARSED.get(path, ("",))[0] == digest:
        return _PARSED[path][1]
    calibration = load_calibration(path)
    examples = [Example(text=item.text, tone=item.tone, recommended=item.recommended,
                        question_type=item.question_type, source=calibration.id)
                for item in calibration.items]
    if hashlib.sha256(path.read_bytes()).hexdigest() == digest:  # not edited while it was parsed
        _PARSED[path] = digest, examples
    return examples


def studio_sample(examples: list[Example], size: int = STUDIO_SAMPLE) -> list[Example]:
    """Every tone exemplar and a fixed sample of `size` calibration utterances (the lowest hashes of their
    text), so the saved and the edited rubric are compared on the same utterances, click after click.
    Why: cross-validating on every calibration set took about 15 minutes per rubric on 2 cores once the
    sets reached 27k utterances (bench/RESULTS.md, "The studio's comparison"); a button must answer sooner."""
    exemplars = [e for e in examples if e.source == "exemplars"]
    utterances = [e for e in examples if e.source != "exemplars"]
    if len(utterances) > size:
        utterances = sorted(utterances, key=_sample_key)[:size]
    return exemplars + utterances


def _sample_key(example: Example) -> str:
    return hashlib.sha256(f"{example.source}\x1f{example.text}".encode()).hexdigest()


def fingerprint(rubric: Rubric, examples: list[Example], embedder_name: str,
                encoder: TunedEncoder | None = None) -> str:
    payload = json.dumps([feature_inputs(rubric), embedder_name, FEATURE_LAYOUT, L2, ITERATIONS, SEED, FOLDS,
                          MAX_FALSE_ALARMS, THRESHOLDS, "question-type head",
                          harm_nets.settings(), cues_digest(),
                          [e.model_dump() for e in examples]],
                         sort_keys=True)
    if encoder is not None:
        payload += encoder.digest
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def feature_inputs(rubric: Rubric) -> dict:
    """What of a rubric the head's features depend on: its label exemplars and the exemplar classifier's
    settings. Its name, version, description and criteria (with their temperature) are not among them,
    so a save that edits only those keeps the head."""
    return rubric.model_dump(mode="json", include={
        "labels": True, "classifier": {"neighbours", "temperature", "bias"}})


class _MemoEmbedder:
    """Embeds each text once per training run (folds rebuild scorers from the same texts)."""

    def __init__(self, inner: Embedder):
        self.name = inner.name
        self._inner = inner
        self._vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, embed_fixed(self._inner, missing), strict=True))
        return np.stack([self._vectors[text] for text in texts])


def analyse_examples(rubric: Rubric, embedder: Embedder, examples: list[Example]) -> list[Analysis]:
    """Exemplar-and-cue analyses; a tone exemplar is analysed by a scorer built without its fold, so its
    exemplar-similarity features do not contain itself."""
    memo = _MemoEmbedder(embedder)
    cue_memory.recall([sentence for e in examples for sentence in sentences_of(e.text)], cache_of(embedder))
    analyses: list[Analysis | None] = [None] * len(examples)
    others = [i for i, e in enumerate(examples) if e.source != "exemplars"]
    for i, analysis in zip(others, Scorer(rubric, memo).analyse_many([examples[i].text for i in others]),
                           strict=True):
        analyses[i] = analysis
    for fold in range(FOLDS):
        kept = {tone: [t for j, t in enumerate(texts) if j % FOLDS != fold]
                for tone, texts in rubric.labels.tone.items()}
        held = {text for texts in rubric.labels.tone.values()
                for j, text in enumerate(texts) if j % FOLDS == fold}
        index = [i for i, e in enumerate(examples) if e.source == "exemplars" and e.text in held]
        labels = rubric.labels.model_copy(update={"tone": kept})
        scorer = Scorer(rubric.model_copy(update={"labels": labels}), memo)
        for i, analysis in zip(index, scorer.analyse_many([examples[i].text for i in index]), strict=True):
            analyses[i] = analysis
    return [analysis for analysis in analyses if analysis is not None]


def add_tuned(analyses: list[Analysis], encoder: TunedEncoder | None) -> list[Analysis]:
    """Put each example's tuned embedding, from the adapter that never saw it, before its features."""
    if encoder is not None:
        prepend_tuned(analyses, encoder.embed_held_out([analysis.text for analysis in analyses]))
    return analyses


def _fit(features: np.ndarray, examples: list[Example], rows: np.ndarray) -> tuple:
    """Standardisation, the three regressions and the harm networks from the examples in `rows`."""
    x = features[rows]
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    chosen = [examples[i] for i in rows]
    weights = [fit_logistic(z[kept], y, n, balanced_weights(y, n)) for kept, y, n in _labels(chosen)]
    nets = harm_nets.fit_harm_nets(z, np.array([e.tone == "harmful" for e in chosen]))
    return mean, scale, *weights, nets


def _labels(examples: list[Example]) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """For tone, recommendation and question type in turn: which examples carry the label, their classes'
    indices, and how many classes there are."""
    recommended = np.array([e.recommended is not None for e in examples])
    typed = np.array([e.question_type is not None for e in examples])
    return [
        (np.ones(len(examples), dtype=bool), np.array([TONES.index(e.tone) for e in examples]), len(TONES)),
        (recommended, np.array([int(bool(e.recommended)) for e in examples])[recommended], 2),
        (typed, np.array([QUESTION_TYPES.index(e.question_type) for e in examples
                          if e.question_type is not None]), len(QUESTION_TYPES)),
    ]


def _head(embedder_name: str, print_: str, mean, scale, tone_w, rec_w, type_w, nets, threshold: float,
          examples: list[Example], encoder: TunedEncoder | None) -> Head:
    sources: dict[str, int] = {}
    for example in examples:
        sources[example.source] = sources.get(example.source, 0) + 1
    return Head(embedder=embedder_name, fingerprint=print_, n_features=len(mean), mean=rounded(mean),
                scale=rounded(scale), tone=rounded(tone_w), recommended=rounded(rec_w),
                question_type=rounded(type_w), harm_nets=nets,
                harmful_threshold=threshold, trained_on=sources,
                encoder=encoder.folder.name if encoder is not None else None)


def _folds(n: int) -> np.ndarray:
    return np.random.default_rng(SEED).permutation(n) % FOLDS


def cross_validate_head(rubric: Rubric, embedder: Embedder, examples: list[Example],
                        analyses: list[Analysis] | None = None,
                        encoder: TunedEncoder | None = None) -> CrossValidation:
    """Seeded k-fold: each example labelled by a head trained on the other folds; the harmful threshold is
    the lowest whose out-of-fold false-alarm rate stays within MAX_FALSE_ALARMS. `analyses` already carry
    the tuned features when given; else they are made here, with `encoder`'s."""
    analyses = analyses or add_tuned(analyse_examples(rubric, embedder, examples), encoder)
    features = np.stack([a.features for a in analyses])
    fold_of = _folds(len(examples))
    tone_p = np.zeros((len(examples), len(TONES)))
    recommended_p = np.zeros(len(examples))
    type_p = np.zeros((len(examples), len(QUESTION_TYPES)))
    for fold in range(FOLDS):
        mean, scale, tone_w, rec_w, type_w, nets = _fit(features, examples, np.flatnonzero(fold_of != fold))
        held = np.flatnonzero(fold_of == fold)
        z = (features[held] - mean) / scale
        tone_p[held] = harm_nets.with_harm(predict_logistic(z, tone_w), nets, z)
        recommended_p[held] = predict_logistic(z, rec_w)[:, 1]
        type_p[held] = predict_logistic(z, type_w)
    outcomes = {threshold: [settle(a, tone_p[i], float(recommended_p[i]), threshold, type_p[i])
                            for i, a in enumerate(analyses)] for threshold in THRESHOLDS}
    tone_truth = [e.tone for e in examples]

    def false_alarms(decided) -> float:
        calm = [i for i, t in enumerate(tone_truth) if t != "harmful"]
        return sum(decided[i][0] == "harmful" for i in calm) / max(1, len(calm))

    threshold = next((t for t in THRESHOLDS if false_alarms(outcomes[t]) <= MAX_FALSE_ALARMS), THRESHOLDS[-1])
    return _report(examples, outcomes[threshold], threshold, false_alarms(outcomes[threshold]))


def _report(examples: list[Example], decided: list[tuple], threshold: float,
            alarms: float) -> CrossValidation:
    tones = [d[0] for d in decided]
    truth = [e.tone for e in examples]
    rec_rows = [i for i, e in enumerate(examples) if e.recommended is not None]
    type_rows = [i for i, e in enumerate(examples) if e.question_type is not None]
    harmful_true = [i for i, t in enumerate(truth) if t == "harmful"]
    harmful_said = [i for i, t in enumerate(tones) if t == "harmful"]
    hits = sum(tones[i] == "harmful" for i in harmful_true)
    by_source: dict[str, dict[str, float]] = {}
    for source in dict.fromkeys(e.source for e in examples):
        rows = [i for i, e in enumerate(examples) if e.source == source]
        harmful = [i for i in rows if truth[i] == "harmful"]
        labelled = [i for i in rows if examples[i].recommended is not None]
        by_source[source] = {
            "n": len(rows), "tone_accuracy": round(sum(tones[i] == truth[i] for i in rows) / len(rows), 4),
            "harmful_recall": (round(sum(tones[i] == "harmful" for i in harmful) / len(harmful), 4)
                               if harmful else 1.0),
            **({"recommended_accuracy": round(sum(decided[i][1] == examples[i].recommended for i in labelled)
                                              / len(labelled), 4)} if labelled else {}),
        }
    return CrossValidation(
        folds=FOLDS, harmful_threshold=threshold, tone=label_metrics(TONES, truth, tones),
        recommended=label_metrics(("true", "false"), [str(examples[i].recommended).lower() for i in rec_rows],
                                  [str(decided[i][1]).lower() for i in rec_rows]),
        question_type=label_metrics(QUESTION_TYPES, [examples[i].question_type for i in type_rows],
                                    [decided[i][3] for i in type_rows]),
        harmful_recall=round(hits / max(1, len(harmful_true)), 4),
        harmful_precision=round(hits / max(1, len(harmful_said)), 4), false_alarms=round(alarms, 4),
        by_source=by_source)


def train_head(rubric: Rubric, embedder: Embedder, calibration_dir: Path,
               encoder: TunedEncoder | None = None) -> tuple[Head, CrossValidation]:
    """Cross-validate (which also picks the harmful threshold), then fit on every example. With `encoder`,
    the tuned embedding comes first in the features and the head names the encoder's folder."""
    examples = training_examples(rubric, calibration_dir)
    analyses = add_tuned(analyse_examples(rubric, embedder, examples), encoder)
    validation = cross_validate_head(rubric, embedder, examples, analyses)
    features = np.stack([a.features for a in analyses])
    fitted = _fit(features, examples, np.arange(len(examples)))
    head = _head(embedder.name, fingerprint(rubric, examples, embedder.name, encoder), *fitted,
                 validation.harmful_threshold, examples, encoder)
    if encoder is not None:
        head.attach(encoder)
    return head, validation


def refit_head(rubric: Rubric, embedder: Embedder, calibration_dir: Path, saved: Head,
               encoder: TunedEncoder | None = None) -> Head:
    """`saved` continued on the edited rubric's examples: what a studio save does, in under a minute where
    `train_head` takes about 8 (2 cores, bench/RESULTS.md). The features are made afresh (the edited exemplars
    move every example's exemplar-similarity features, and new tone exemplars are examples); the three
    regressions continue from the saved weights for REFIT_ITERATIONS steps and the harm networks for
    harm_nets.REFIT_EPOCHS passes; the standardisation and the cross-validated harmful threshold are
    kept. `interview-sim rubric train` rebuilds from nothing, with cross-validation."""
    examples = training_examples(rubric, calibration_dir)
    current = fingerprint(rubric, examples, embedder.name, encoder)
    return _continued(rubric, embedder, examples, current, saved, encoder)


def _continued(rubric: Rubric, embedder: Embedder, examples: list[Example], current: str, saved: Head,
               encoder: TunedEncoder | None) -> Head:
    """`refit_head` on examples already read, whose fingerprint is `current`."""
    analyses = add_tuned(analyse_examples(rubric, embedder, examples), encoder)
    features = np.stack([a.features for a in analyses])
    if features.shape[1] != saved.n_features or saved.question_type is None:
        raise ValueError(f"the saved head ({saved.n_features} features"
                         f"{'' if saved.question_type else ', no question-type regression'}) cannot be "
                         f"continued on these examples ({features.shape[1]} features): rebuild it with "
                         "`interview-sim rubric train`")
    mean, scale = np.array(saved.mean), np.array(saved.scale)
    z = (features - mean) / scale
    starts = (saved.tone, saved.recommended, saved.question_type)
    regressions = [Regression(kept, y, n, balanced_weights(y, n), start)
                   for (kept, y, n), start in zip(_labels(examples), starts, strict=True)]
    weights = [w.astype(np.float64)
               for w in fit_logistic_jointly(z, regressions, iterations=REFIT_ITERATIONS, dtype=np.float32)]
    harmful = np.array([e.tone == "harmful" for e in examples])
    nets = harm_nets.continue_harm_nets(saved.harm_nets, z, harmful)
    head = _head(embedder.name, current, mean, scale, *weights, nets, saved.harmful_threshold, examples,
                 encoder)
    head.refitted_from = saved.refitted_from or saved.fingerprint  # the head whose threshold was validated
    if encoder is not None:
        head.attach(encoder)
    return head


def prepare_caches(rubric: Rubric, embedder: Embedder, calibration_dir: Path,
                   encoder: TunedEncoder | None = None) -> int:
    """Analyse every example once, so the disk caches hold what a refit reads again (frozen vectors, the
    tuned encoder's held-out vectors, the cues); returns how many examples. Why: on a fresh install the
    first studio save embeds the 27k calibration utterances first (about 5 minutes on 2 cores, where a
    save with warm caches takes seconds)."""
    examples = training_examples(rubric, calibration_dir)
    add_tuned(analyse_examples(rubric, embedder, examples), encoder)
    return len(examples)


def refreshed_head(rubric: Rubric, embedder: Embedder, calibration_dir: Path, saved: Head | None,
                   encoder: TunedEncoder | None = None) -> Head:
    """A head for the edited rubric or calibration sets: `saved` itself when what its features depend on
    is unchanged (`feature_inputs`: a save that edits only criteria, name or version); `saved` refitted
    (seconds) when it can be continued; else trained from nothing (about 8 minutes): no readable head,
    or its features changed."""
    if saved is not None:
        examples = training_examples(rubric, calibration_dir)
        current = fingerprint(rubric, examples, embedder.name, encoder)
        if saved.fingerprint == current:
            return saved
        try:
            return _continued(rubric, embedder, examples, current, saved, encoder)
        except ValueError as exc:
            log.info("training the head from nothing: %s", exc)
    return train_head(rubric, embedder, calibration_dir, encoder)[0]


def head_for(rubric: Rubric, embedder: Embedder, rubrics_dir: Path, cache_dir: Path) -> Head | None:
    """The rubric's head for this embedder: the file beside the rubric when it is current; refitted from it
    into the cache when the rubric or calibration sets changed since (`refreshed_head`); None when no head
    was ever built for the pair."""
    shipped = load_head(head_path(rubrics_dir, rubric.id, embedder.name))
    if shipped is None:
        return None
    encoder = None
    if shipped.encoder is not None:
        encoder = load_encoder(Path(rubrics_dir) / "heads" / shipped.encoder, embedder)
        if encoder is None:
            return None  # its features need the encoder; the scorer runs on exemplars and cues instead
    calibration_dir = Path(rubrics_dir) / "calibration"
    current = fingerprint(rubric, training_examples(rubric, calibration_dir), embedder.name, encoder)
    cached_path = Path(cache_dir) / "heads" / f"{rubric.id}.{current}.json"  # clones may share features
    head = shipped if shipped.fingerprint == current else load_head(cached_path)
    if head is not None:
        if encoder is not None:
            head.attach(encoder)
        return head
    log.info("refitting the learned head for rubric %s (%s): rubric or calibration sets changed",
             rubric.id, embedder.name)
    head = refreshed_head(rubric, embedder, calibration_dir, shipped, encoder)
    try:
        save_head(head, cached_path)
    except OSError:
        pass  # a read-only cache only costs the retraining next time
    return head

