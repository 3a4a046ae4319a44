"""find_cues' findings kept on disk between runs (simulator.cue_memory)."""

import json

import pytest

from simulator import cue_memory, cues

SENTENCES = ["Did he take your passport?", "Tell me about the kitchen.", "You must have known, right?",
             "Just say yes or no: did he hit you?"]


@pytest.fixture
def searches(monkeypatch):
    """Counts the pattern searches find_cues makes, starting from an empty memory."""
    cues.forget_sentences()
    made = []
    search = cues._search
    monkeypatch.setattr(cues, "_search", lambda sentence: made.append(sentence) or search(sentence))
    yield made
    cues.forget_sentences()


def _file(cache_dir):
    [path] = (cache_dir / "cues").glob("*.json")
    return path


def test_a_later_run_reads_the_cues_back_instead_of_searching(tmp_path, searches):
    expected = {sentence: cues.find_cues(sentence) for sentence in SENTENCES}
    searches.clear()
    cues.forget_sentences()
    cue_memory.recall(SENTENCES, tmp_path)
    assert sorted(searches) == sorted(SENTENCES)  # the first run searches and writes the file
    cues.forget_sentences()  # as a new process starts
    searches.clear()
    cue_memory.recall(SENTENCES + SENTENCES[:1], tmp_path)
    assert searches == []
    assert {sentence: cues.find_cues(sentence) for sentence in SENTENCES} == expected
    assert searches == []


def test_the_file_holds_hashes_not_the_sentences(tmp_path, searches):
    cue_memory.recall(SENTENCES, tmp_path)
    text = _file(tmp_path).read_text(encoding="utf-8")
    assert len(json.loads(text)) == len(SENTENCES)
    assert not any(sentence in text for sentence in SENTENCES)


def test_new_sentences_are_added_and_a_damaged_file_is_searched_again(tmp_path, searches):
    cue_memory.recall(SENTENCES[:2], tmp_path)
    cue_memory.recall(SENTENCES, tmp_path)
    assert len(json.loads(_file(tmp_path).read_text(encoding="utf-8"))) == len(SENTENCES)
    saved = json.loads(_file(tmp_path).read_text(encoding="utf-8"))
    first, second, third = list(saved)[:3]
    saved[first] = [["only", "two"]]  # damaged entries: a wrong shape, an unknown label, a weight as text
    saved[second] = [["opening", "Did", [], {"yes_no": 2.0}, {}]]
    saved[third] = [["opening", "Tell", [], {"invitation": "4"}, {}]]
    _file(tmp_path).write_text(json.dumps(saved), encoding="utf-8")
    cues.forget_sentences()
    searches.clear()
    cue_memory.recall(SENTENCES, tmp_path)
    assert len(searches) == 3
    _file(tmp_path).write_text("{not json", encoding="utf-8")
    cues.forget_sentences()
    searches.clear()
    cue_memory.recall(SENTENCES, tmp_path)
    assert sorted(searches) == sorted(SENTENCES)
    assert len(json.loads(_file(tmp_path).read_text(encoding="utf-8"))) == len(SENTENCES)


def test_an_edited_cue_module_starts_a_new_file(tmp_path, searches, monkeypatch):
    cue_memory.recall(SENTENCES, tmp_path)
    monkeypatch.setattr(cue_memory, "_VERSION", "edited")
    cues.forget_sentences()
    searches.clear()
    cue_memory.recall(SENTENCES, tmp_path)
    assert sorted(searches) == sorted(SENTENCES)
    assert len(list((tmp_path / "cues").glob("*.json"))) == 2


def test_without_a_cache_folder_or_a_readable_cue_module_nothing_is_kept(tmp_path, searches, monkeypatch):
    cue_memory.recall(SENTENCES, None)
    monkeypatch.setattr(cue_memory, "_VERSION", None)  # cues.py's source could not be read
    cue_memory.recall(SENTENCES, tmp_path)
    assert searches == [] and not (tmp_path / "cues").exists()  # searched later, when the scorer asks
    assert cues.remembered(SENTENCES[0]) is None


def test_cues_remembered_in_the_process_are_written_without_searching_again(tmp_path, searches):
    for sentence in SENTENCES:
        cues.find_cues(sentence)
    searches.clear()
    cue_memory.recall(SENTENCES, tmp_path)
    assert searches == [] and len(json.loads(_file(tmp_path).read_text(encoding="utf-8"))) == len(SENTENCES)


def test_the_memory_is_emptied_when_full(monkeypatch, searches):
    monkeypatch.setattr(cues, "MEMORY_LIMIT", 2)
    for sentence in SENTENCES[:3]:
        cues.find_cues(sentence)
    assert cues.remembered(SENTENCES[0]) is None and cues.remembered(SENTENCES[2]) is not None


def test_a_later_recall_in_the_same_process_leaves_the_file_alone(tmp_path, searches):
    """A second save or comparison in a running app: every sentence is remembered and known to be in the
    file, so the file (5 MB for the calibration sets) is neither read nor written again."""
    cue_memory.recall(SENTENCES[:3], tmp_path)
    _file(tmp_path).unlink()
    searches.clear()
    cue_memory.recall(SENTENCES[:3], tmp_path)
    assert searches == [] and not list((tmp_path / "cues").glob("*.json"))
    cue_memory.recall(SENTENCES, tmp_path)  # one new sentence: searched, and the file written again
    assert searches == SENTENCES[3:]
    assert len(json.loads(_file(tmp_path).read_text(encoding="utf-8"))) == len(SENTENCES)


def test_a_file_that_could_not_be_written_is_tried_again(tmp_path, searches, monkeypatch):
    monkeypatch.setattr(cue_memory, "_write", lambda path, saved: False)  # a full disk, say
    cue_memory.recall(SENTENCES, tmp_path)
    monkeypatch.undo()
    monkeypatch.setattr(cues, "_search", lambda sentence: searches.append(sentence) or ())
    searches.clear()
    cue_memory.recall(SENTENCES, tmp_path)  # everything remembered, but not yet on disk: written now
    assert searches == [] and len(json.loads(_file(tmp_path).read_text(encoding="utf-8"))) == len(SENTENCES)
