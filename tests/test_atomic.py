"""Replacing files at once (simulator.atomic): what every cache and studio save writes through."""

import os
import stat

import pytest

from simulator import atomic


def test_write_text_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "nested" / "head.json"
    atomic.write_text(path, "first")
    atomic.write_text(path, "second ✓")
    assert path.read_text(encoding="utf-8") == "second ✓"
    assert sorted(p.name for p in path.parent.iterdir()) == ["head.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_its_temporary(tmp_path):
    path = tmp_path / "vectors.npy"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic.replacing(path) as temporary:
        temporary.write_text("half")
        raise RuntimeError("disk full")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.npy"]


def test_each_writer_gets_a_temporary_of_its_own(tmp_path):
    path = tmp_path / "cues.json"
    with atomic.replacing(path) as first, atomic.replacing(path) as second:
        assert first != second and first.parent == second.parent == tmp_path
        first.write_text("a")
        second.write_text("b")
    assert path.read_text() == "a"  # the outer block finished last: its file is the one kept


def test_mode_sets_the_new_files_permissions(tmp_path):
    path = tmp_path / "default.yaml"
    atomic.write_text(path, "id: default\n", mode=0o640)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
