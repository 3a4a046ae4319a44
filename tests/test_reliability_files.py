"""Bad persona and rubric files: each gets an error naming file and field, never stops the good ones
from loading, and no user-supplied id ever reads or writes a file outside personas/ or rubrics/."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml

from simulator.datafiles import MAX_FILE_BYTES, DataFileError, parse_yaml
from simulator.embeddings import HashingEmbedder
from simulator.llm.fake import FakeChatModel
from simulator.personas import load_personas
from simulator.registry import path_for_id
from simulator.rubric import load_rubrics
from simulator.services import Services
from simulator.settings import Settings
from simulator.storage import Store

REPO = Path(__file__).resolve().parent.parent
GOOD_PERSONA = REPO / "tests" / "fixtures" / "persona_small.yaml"
GOOD_ID = yaml.safe_load(GOOD_PERSONA.read_text())["id"]
ESCAPING_IDS = ["../../etc/passwd", "..", "../x", "/etc/passwd", "a/b", "a\\b", "x/../../y", "", ".hidden",
                "UPPER", "a" * 65, "nul\x00byte", "tab\tid", "~root", "c:evil"]


def good_text(**changes) -> str:
    data = yaml.safe_load(GOOD_PERSONA.read_text())
    data.update(changes)
    return yaml.safe_dump(data, allow_unicode=True)


def billion_laughs(levels: int = 7) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        previous = "a" if level == 1 else f"l{level - 1}"
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*{previous}"] * 10) + "]")
    return "\n".join(lines) + f"\nfears: *l{levels - 1}\n"


BAD_PERSONAS = {
    "malformed.yaml": ("id: broken\nname: [unclosed\n", "malformed YAML at line"),
    "wrong-type.yaml": (good_text(id="wrong-type", age="old"), "field 'age'"),
    "missing.yaml": (good_text(id="missing", facts=None).replace("facts: null\n", ""), "'facts': missing"),
    "unknown-key.yaml": (good_text(id="unknown-key", secret_level=3), "field 'secret_level': unknown key"),
    "duplicate.yaml": (good_text(), f"duplicate persona id '{GOOD_ID}'"),
    "bad-id.yaml": (good_text(id="../../etc/passwd"), "invalid persona id"),
    "list.yaml": ("- just\n- a list\n", "expected a mapping"),
    "empty.yaml": ("", "expected a mapping"),
    "latin1.yaml": ("id: caf\xe9\n".encode("latin-1"), "not valid UTF-8"),
    "huge.yaml": ("background: " + "x" * (MAX_FILE_BYTES + 10) + "\n", "too large"),
    "bomb.yaml": (billion_laughs(), "aliases"),
}


def write_folder(folder: Path, files: dict[str, tuple[str | bytes, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (content, _) in files.items():
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())


@pytest.fixture
def personas_dir(tmp_path) -> Path:
    folder = tmp_path / "personas"
    folder.mkdir()
    shutil.copy(GOOD_PERSONA, folder / "a-good.yaml")  # sorts first, so the duplicate is the later file
    write_folder(folder, BAD_PERSONAS)
    return folder


def test_every_bad_persona_file_is_reported_by_name_and_field_and_the_good_one_loads(personas_dir):
    started = time.perf_counter()
    registry = load_personas(personas_dir)
    assert time.perf_counter() - started < 10, "a small hostile file must not stall loading"
    assert registry.names() == [GOOD_ID]
    for name, (_, expected) in BAD_PERSONAS.items():
        message = registry.errors[str(personas_dir / name)]
        assert name in message and expected in message, message


def test_yaml_aliases_are_refused_before_they_can_expand():
    started = time.perf_counter()
    with pytest.raises(DataFileError, match="aliases"):
        parse_yaml(billion_laughs(levels=9), "bomb.yaml")
    assert time.perf_counter() - started < 1


def test_a_key_given_twice_is_refused_with_its_line():
    """Plain YAML keeps the last of two equal keys and loses the first without a word."""
    with pytest.raises(DataFileError, match="key 'violence' appears twice") as caught:
        parse_yaml("phone: [a]\nviolence: [b]\nviolence: [c]\n", "words.yaml")
    assert "line 3" in str(caught.value) and "words.yaml" in str(caught.value)
    assert parse_yaml("a: {x: 1}\nb: {x: 2}\n") == {"a": {"x": 1}, "b": {"x": 2}}  # same key, two mappings


def test_bad_rubric_files_are_reported_and_the_default_still_loads(tmp_path):
    folder = tmp_path / "rubrics"
    folder.mkdir()
    shutil.copy(REPO / "rubrics" / "default.yaml", folder)
    default = yaml.safe_load((REPO / "rubrics" / "default.yaml").read_text())
    bad = {
        "malformed.yaml": ("id: x\nexemplars: {unclosed\n", "malformed YAML"),
        "wrong-type.yaml": (yaml.safe_dump({**default, "id": "wrong-type", "criteria": "many"}), "criteria"),
        "duplicate.yaml": (yaml.safe_dump(default), "duplicate rubric id 'default'"),
        "escape.yaml": (yaml.safe_dump({**default, "id": "../escape"}), "invalid rubric id"),
        "bomb.yaml": (billion_laughs(), "aliases"),
    }
    write_folder(folder, bad)
    registry = load_rubrics(folder)
    assert registry.names() == ["default"]
    for name, (_, expected) in bad.items():
        assert expected in registry.errors[str(folder / name)], registry.errors[str(folder / name)]


@pytest.mark.parametrize("item_id", ESCAPING_IDS)
def test_path_for_id_rejects_ids_that_could_escape_the_folder(tmp_path, item_id):
    with pytest.raises(ValueError, match="invalid persona id"):
        path_for_id(tmp_path, item_id, "persona")


def test_path_for_id_keeps_safe_ids_inside_the_folder(tmp_path):
    assert path_for_id(tmp_path, "lan-nail_2", "persona") == (tmp_path / "lan-nail_2.yaml").resolve()


# -- the app --

@pytest.fixture
def services(tmp_path, personas_dir):
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    shutil.copy(REPO / "rubrics" / "default.yaml", rubrics)
    (rubrics / "broken.yaml").write_text("id: [\n")
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    settings = Settings(personas_dir=personas_dir, rubrics_dir=rubrics, data_dir=tmp_path / "data")
    yield Services(settings, chat_model=FakeChatModel(), embedder=HashingEmbedder(), store=store)
    store.close()


def test_the_app_starts_with_the_good_files_and_the_studio_lists_the_bad(services):
    from simulator.ui.practice import PracticeHandlers
    from simulator.ui.studio import StudioHandlers

    assert [card["id"] for card in PracticeHandlers(services).persona_cards()] == [GOOD_ID]
    names, errors = StudioHandlers(services).persona_ids()
    assert names == [GOOD_ID] and {Path(path).name for path in errors} == set(BAD_PERSONAS)
    assert services.rubrics().names() == ["default"] and services.rubrics().errors


def snapshot_tree(root: Path) -> dict[str, bytes]:
    """Every file's bytes, except the database's own (reads touch SQLite's shared-memory file)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.startswith("db.sqlite")}


@pytest.mark.parametrize("item_id", ["../../etc/passwd", "../outside", "/tmp/evil", "a/../../b"])
def test_studio_never_reads_or_writes_outside_its_folders(services, tmp_path, item_id):
    from simulator.ui.studio import StudioHandlers

    studio = StudioHandlers(services)
    (tmp_path / "outside.yaml").write_text("id: outside\n")
    before = snapshot_tree(tmp_path)
    for attempt in (lambda: studio.load(item_id), lambda: studio.load_rubric(item_id),
                    lambda: studio.save(good_text(id=item_id)),
                    lambda: studio.save_rubric(yaml.safe_dump({
                        **yaml.safe_load((REPO / "rubrics" / "default.yaml").read_text()), "id": item_id})),
                    lambda: studio.clone(GOOD_ID, item_id) and studio.save(studio.clone(GOOD_ID, item_id))):
        with pytest.raises(ValueError, match="invalid (persona|rubric) id"):
            attempt()
    assert snapshot_tree(tmp_path) == before
