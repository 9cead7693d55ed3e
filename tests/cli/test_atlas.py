"""``caravan atlas validate|show|export`` in-process: exit codes, output, never a traceback."""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyogrio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from caravan.cli import app

from .._edits import edit_csv
from ..conftest import TINY_ATLAS

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}")
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output
    return result.exit_code, output


def test_validate_clean(tiny_path: Path) -> None:
    code, out = _run("atlas", "validate", str(tiny_path))
    assert code == 0
    assert "✓ Tiny test atlas: 8 nodes, 9 links" in out and "no problems" in out


def test_validate_with_problems(tiny_copy: Path) -> None:
    edit_csv(tiny_copy, "links.csv", "r-zaranj-delaram", "gauge_mm", "")
    edit_csv(tiny_copy, "nodes.csv", "herat", "notes", "x")
    edit_csv(tiny_copy, "nodes.csv", "herat", "source_ids", "nowhere")
    code, out = _run("atlas", "validate", str(tiny_copy))
    assert code == 1
    assert "2 problem(s)" in out
    assert "links.csv" in out and "gauge_mm" in out and "nowhere" in out


def test_validate_json(tiny_copy: Path) -> None:
    edit_csv(tiny_copy, "links.csv", "r-zaranj-delaram", "gauge_mm", "")
    code, out = _run("atlas", "validate", str(tiny_copy), "--json")
    assert code == 1
    payload = json.loads(out)
    assert payload["ok"] is False and payload["path"] == str(tiny_copy)
    assert payload["problems"] == [
        {
            "file": "links.csv",
            "row": 8,
            "field": "gauge_mm",
            "message": "rail link 'r-zaranj-delaram' has no gauge",
            "fix": "fill in gauge_mm: 1435, 1520 or 1676",
        }
    ]


def test_validate_json_clean(tiny_path: Path) -> None:
    code, out = _run("atlas", "validate", str(tiny_path), "--json")
    assert code == 0 and json.loads(out) == {"path": str(tiny_path), "ok": True, "problems": []}


def test_validate_missing_path(tmp_path: Path) -> None:
    code, out = _run("atlas", "validate", str(tmp_path / "nowhere"))
    assert code == 2
    assert "does not exist" in out


def test_validate_unreadable_file_is_not_a_traceback(tiny_copy: Path) -> None:
    (tiny_copy / "nodes.csv").unlink()
    (tiny_copy / "nodes.csv").mkdir()  # a folder where a file should be
    code, _ = _run("atlas", "validate", str(tiny_copy))
    assert code in (1, 2)


def test_show_tables(tiny_path: Path) -> None:
    code, out = _run("atlas", "show", str(tiny_path))
    assert code == 0
    for text in ("Links by mode", "Links by status", "Nodes by country", "Projects", "AFG"):
        assert text in out
    assert "chabahar-zahedan" in out and "1,560.0" in out


def test_show_projects_read_at_80_columns() -> None:
    from rich.console import Console

    from caravan.cli._atlas import print_summary
    from caravan.io.atlas import load_atlas

    projects = load_atlas().summary()["projects"]
    out = Console(width=80, soft_wrap=True, color_system=None)
    with out.capture() as captured:
        print_summary(out, load_atlas().summary())
    lines = [line for line in captured.get().splitlines() if line[:1] in "┏┃┡│└"]
    assert (
        max(len(line) for line in lines) <= 80
    )  # the tables (prose lines wrap as the terminal does)
    for p in projects:  # every id whole on a line of its own; the name under it, at words
        assert any(line.startswith(f"│ {p['project_id']} ") for line in lines), p["project_id"]
    words = {w for line in lines for w in line.strip("│ ").split()}
    assert "Baku-Tbilisi-Kars" in words and "Hairatan-Mazar-i-Sharif" in words
    # the old layout gave the names 14 columns beside the longest id and cut words there
    assert "Baku-Tbilisi-K" not in words


def test_show_json(tiny_path: Path) -> None:
    code, out = _run("atlas", "show", str(tiny_path), "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["n_nodes"] == 8 and summary["links_by_mode"]["road"] == 6


def test_show_invalid_atlas(tiny_copy: Path) -> None:
    edit_csv(tiny_copy, "links.csv", "r-zaranj-delaram", "gauge_mm", "")
    code, out = _run("atlas", "show", str(tiny_copy))
    assert code == 2 and "has no gauge" in out


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "gmns"])
def test_export(tiny_path: Path, tmp_path: Path, fmt: str) -> None:
    out_path = tmp_path / ("out.gpkg" if fmt == "gpkg" else "out")
    code, out = _run("atlas", "export", "--format", fmt, str(out_path), "--atlas", str(tiny_path))
    assert code == 0 and "wrote" in out
    if fmt == "gpkg":
        assert len(pyogrio.read_dataframe(out_path, layer="links")) == 9
    elif fmt == "geojson":
        assert (out_path / "nodes.geojson").is_file()
    else:
        assert (out_path / "node.csv").is_file() and (out_path / "link.csv").is_file()


def test_export_unknown_format(tiny_path: Path, tmp_path: Path) -> None:
    code, out = _run("atlas", "export", "-f", "shp", str(tmp_path), "--atlas", str(tiny_path))
    assert code == 2 and "'shp' is not one of" in out and "geojson" in out


def test_export_unwritable(tiny_path: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    code, out = _run(
        "atlas", "export", "-f", "gmns", str(blocker / "sub"), "--atlas", str(tiny_path)
    )
    assert code == 2 and "cannot write" in out


def test_help_lists_commands() -> None:
    code, out = _run("atlas", "--help")
    assert code == 0
    assert "validate" in out and "show" in out and "export" in out


# -- fuzzing the command ----------------------------------------------------------------------

_FILES = sorted(p.name for p in TINY_ATLAS.iterdir())
_ORIGINAL = {name: (TINY_ATLAS / name).read_bytes() for name in _FILES}


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "atlas"
        shutil.copytree(TINY_ATLAS, target)
        yield target


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.sampled_from(_FILES), seed=st.integers(0, 2**32 - 1), cut=st.booleans())
def test_fuzzed_validate_exits_cleanly(scratch: Path, name: str, seed: int, cut: bool) -> None:
    rng = random.Random(seed)
    data = _ORIGINAL[name]
    where = rng.randrange(len(data))
    mutated = (
        data[:where] if cut else data[:where] + bytes([rng.randrange(256)]) + data[where + 1 :]
    )
    try:
        (scratch / name).write_bytes(mutated)
        code, _ = _run("atlas", "validate", str(scratch))
        assert code in (0, 1)
    finally:
        (scratch / name).write_bytes(data)
