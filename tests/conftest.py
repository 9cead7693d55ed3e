"""Shared fixtures: the tiny test atlas, read-only or as a scratch copy to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas

TINY_ATLAS = Path(__file__).parent / "data" / "tiny-atlas"


@pytest.fixture(scope="session")
def tiny_path() -> Path:
    """The tiny atlas folder (do not modify; use ``tiny_copy``)."""
    return TINY_ATLAS


@pytest.fixture(scope="session")
def tiny_atlas() -> Atlas:
    """The tiny atlas, loaded once."""
    return load_atlas(TINY_ATLAS)


@pytest.fixture
def tiny_copy(tmp_path: Path) -> Path:
    """A scratch copy of the tiny atlas."""
    target = tmp_path / "atlas"
    shutil.copytree(TINY_ATLAS, target)
    return target
