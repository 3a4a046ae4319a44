import copy
from pathlib import Path

import pytest
import yaml

from simulator.datafiles import DataFileError
from simulator.rubric import load_rubric, load_rubrics

RUBRICS = Path(__file__).resolve().parent.parent / "rubrics"


def _default_data() -> dict:
    return yaml.safe_load((RUBRICS / "default.yaml").read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict, name: str = "r.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_default_rubric_loads_with_every_label_and_criteria():
    rubric = load_rubric(RUBRICS / "default.yaml")
    assert rubric.id == "default"
    assert all(len(texts) >= 20 for texts in rubric.labels.question_type.values())
    assert all(len(texts) >= 20 for texts in rubric.labels.tone.values())
    assert {c.id for c in rubric.criteria} >= {"open_questioning", "non_leading", "non_judgmental"}


def test_registry_skips_calibration_folder():
    registry = load_rubrics(RUBRICS)
    assert registry.names() == ["default"]
    assert not registry.errors


def test_content_hash_changes_with_an_exemplar(tmp_path):
    data = _default_data()
    before = load_rubric(_write(tmp_path, data)).content_hash()
    data["labels"]["tone"]["neutral"].append("Which bus did you take?")
    after = load_rubric(_write(tmp_path, data, "other.yaml")).content_hash()
    assert before != after and len(before) == 16


@pytest.mark.parametrize(("edit", "field"), [
    (lambda d: d["labels"]["question_type"].pop("directive"), "labels.question_type"),
    (lambda d: d["labels"]["tone"].update(angry=["a", "b", "c"]), "labels.tone"),
    (lambda d: d["criteria"][0].update(penalised_by=["rude"]), "criteria.0.penalised_by"),
    (lambda d: d["criteria"][0].update(weight=-1), "criteria.0.weight"),
    (lambda d: d.update(colour="red"), "colour"),
    (lambda d: d.update(id="../etc"), "id"),
    (lambda d: d["classifier"]["bias"].update(calm=1.0), "classifier.bias"),
])
def test_bad_rubric_names_file_and_field(tmp_path, edit, field):
    data = _default_data()
    edit(data)
    path = _write(tmp_path, data)
    with pytest.raises(DataFileError) as error:
        load_rubric(path)
    assert str(path) in str(error.value) and f"field '{field}'" in str(error.value)


def test_duplicate_criterion_is_rejected(tmp_path):
    data = _default_data()
    data["criteria"].append(copy.deepcopy(data["criteria"][0]))
    with pytest.raises(DataFileError, match="duplicate criterion id 'open_questioning'"):
        load_rubric(_write(tmp_path, data))


def test_bad_file_lands_in_registry_errors(tmp_path):
    _write(tmp_path, _default_data(), "good.yaml")
    (tmp_path / "broken.yaml").write_text("id: [", encoding="utf-8")
    registry = load_rubrics(tmp_path)
    assert registry.names() == ["default"]
    assert list(registry.errors) == [str(tmp_path / "broken.yaml")]
