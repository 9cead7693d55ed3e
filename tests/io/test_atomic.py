"""Atomic writes: whole or not at all, and a clear error for a path that cannot be a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from caravan.errors import InputError
from caravan.io._atomic import atomic_path, write_text_atomic


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "flows.csv"
    out.write_text("old")

    class BoomError(Exception):
        pass

    def explode() -> str:
        raise BoomError

    with pytest.raises(BoomError), atomic_path(out) as tmp:
        tmp.write_text(explode())
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flows.csv"]


def test_a_folder_given_as_the_file_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder, not a file to write"):
        write_text_atomic("x", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_file_in_the_way_of_the_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "runs").write_text("not a folder")
    with pytest.raises(InputError, match=r"runs is a file, not a folder"):
        write_text_atomic("x", tmp_path / "runs" / "a" / "flows.csv")
