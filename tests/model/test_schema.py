"""``docs/atlas-format.md`` and ``model/schema.py`` describe the same files and fields."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from caravan.model.records import LinkStatus, Mode, NodeKind
from caravan.model.schema import CSV_FILES, YAML_LIST_FILES, vocabulary

DOC = Path(__file__).parents[2] / "docs" / "atlas-format.md"


def _sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## `([^`]+)`.*$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


@pytest.mark.parametrize("file", [*CSV_FILES, *YAML_LIST_FILES])
def test_every_file_is_documented(file: str) -> None:
    assert file in _sections(), f"docs/atlas-format.md has no section for {file}"


@pytest.mark.parametrize("file", list(CSV_FILES))
def test_every_csv_column_is_documented(file: str) -> None:
    section = _sections().get(file)
    if section is None:
        pytest.skip(f"{file} has no section (reported by test_every_file_is_documented)")
    for field in CSV_FILES[file]:
        assert f"`{field.name}`" in section, f"{file}: column {field.name} is not documented"


def test_vocabularies_are_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for enum_type in (NodeKind, Mode, LinkStatus):
        for value in vocabulary(enum_type):
            assert f"`{value}`" in text
