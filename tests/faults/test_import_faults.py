"""Planted faults in GMNS folders and OpenStreetMap files given to ``caravan atlas import``.

The import readers apply the input limits of every other reader: file size, rows, UTF-8
without NUL bytes, files inside the folder, and numbers only in plain decimal digits. Each fault
is a clear error naming the file (and for a cell its line and column), in the library and on the
command line (exit code 2, no traceback); OSM tags with numbers in other digits are not read as
numbers.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caravan.cli import app
from caravan.errors import AtlasValidationError, CaravanError
from caravan.io.atlas import load_atlas
from caravan.io.atlas_import import import_atlas
from caravan.io.export import export_atlas
from caravan.io.osm import read_osm

from ..io.test_osm import NODES, WAYS, write_fixture

TINY = Path(__file__).parents[1] / "data" / "tiny-atlas"
runner = CliRunner()


@pytest.fixture(scope="module")
def gmns_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gmns") / "gmns"
    export_atlas(load_atlas(TINY), folder, fmt="gmns")
    return folder


def _copy(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    for path in source.rglob("*"):
        if path.is_file():
            out = target / path.relative_to(source)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(path.read_bytes())
    return target


def _set_cell(
    column: str, value: str, *, file: str = "link.csv", row: int = 0
) -> Callable[[Path], None]:
    def plant(folder: Path) -> None:
        path = folder / file
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        rows[1 + row][rows[0].index(column)] = value
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")

    return plant


def _bytes(file: str, make: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def plant(folder: Path) -> None:
        path = folder / file
        path.write_bytes(make(path.read_bytes()))

    return plant


def _link_outside(folder: Path) -> None:
    secret = folder.parent / "secret.csv"
    secret.write_text("node_id,x_coord,y_coord\nsecret-line,1,2\n", encoding="utf-8")
    (folder / "node.csv").unlink()
    os.symlink(secret, folder / "node.csv")


#: fault id: (plant, environment, fragments the message must hold)
GMNS_FAULTS: dict[str, tuple[Callable[[Path], None], dict[str, str], tuple[str, ...]]] = {
    "nul-byte": (_bytes("node.csv", lambda b: b[:40] + b"\0" + b[40:]), {}, ("node.csv", "NUL")),
    "bad-utf8": (_bytes("link.csv", lambda b: b[:60] + b"\xff\xfe" + b[60:]), {}, ("UTF-8",)),
    "too-large": (lambda f: None, {"CARAVAN_MAX_FILE_MB": "0.001"}, ("above the limit",)),
    "too-many-rows": (lambda f: None, {"CARAVAN_MAX_ROWS": "3"}, ("more than 3 rows",)),
    "length-underscore": (_set_cell("length", "1_000"), {}, ("link.csv", "length", "1_000")),
    "length-hex": (_set_cell("length", "0x10"), {}, ("link.csv", "length", "plain decimal")),
    "speed-arabic-digit": (_set_cell("free_speed", "٣"), {}, ("free_speed", "plain decimal")),
    "x-coord-400-digits": (
        _set_cell("x_coord", "9" * 400, file="node.csv"),
        {},
        ("node.csv", "x_coord", "too long"),
    ),
    "y-coord-overflow": (
        _set_cell("y_coord", "1e999", file="node.csv"),
        {},
        ("node.csv", "y_coord"),
    ),
    "dir-flag-fraction": (_set_cell("dir_flag", "1.5"), {}, ("dir_flag", "whole number")),
    "geometry-not-wkt": (_set_cell("geometry", "LINESTRING (1 2,"), {}, ("geometry", "WKT")),
    "ragged-row": (_bytes("link.csv", lambda b: b + b"1,2\n"), {}, ("link.csv", "cells")),
    "link-outside": (_link_outside, {}, ("outside",)),
}


@pytest.mark.parametrize("fault_id", sorted(GMNS_FAULTS))
def test_gmns_fault_is_a_clear_error(
    fault_id: str, gmns_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant, env, fragments = GMNS_FAULTS[fault_id]
    folder = _copy(gmns_folder, tmp_path / "gmns")
    plant(folder)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(CaravanError) as caught:
        import_atlas(folder, tmp_path / "out", fmt="gmns")
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    assert len(message) < 2_000
    assert "secret-line" not in message
    if isinstance(caught.value, AtlasValidationError):  # a cell: its line and column
        problem = caught.value.problems[0]
        assert problem.row is not None and problem.row >= 2 and problem.field
    result = runner.invoke(
        app, ["atlas", "import", "--from", "gmns", str(folder), str(tmp_path / "cli")]
    )
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 2, output
    assert isinstance(result.exception, SystemExit | None)
    assert "Traceback" not in output and fragments[-1] in " ".join(output.split())


def test_the_untouched_gmns_export_imports(gmns_folder: Path, tmp_path: Path) -> None:
    result = import_atlas(gmns_folder, tmp_path / "out", fmt="gmns")
    assert result.n_links > 0


def _osm(tmp_path: Path, *, way_tags: dict[int, dict[str, str]] = {}) -> Path:  # noqa: B006
    ways = {wid: (refs, {**tags, **way_tags.get(wid, {})}) for wid, (refs, tags) in WAYS.items()}
    return write_fixture(tmp_path / "faults.osm.pbf", NODES, ways)


@pytest.mark.parametrize("char", ["\x01", "\t", "\x7f"])
def test_osm_control_character_in_a_kept_tag_is_refused(tmp_path: Path, char: str) -> None:
    pbf = _osm(tmp_path, way_tags={104: {"name": f"Aktau{char}Baku"}})
    with pytest.raises(AtlasValidationError) as caught:
        read_osm(pbf)
    problem = caught.value.problems[0]
    assert problem.field == "way 104: name" and "control character" in problem.message


def test_osm_numbers_in_other_digits_are_not_read_as_numbers(tmp_path: Path) -> None:
    tags = {
        100: {"gauge": "١٤٣٥", "start_date": "١٩٩٠"},
        105: {"maxspeed": "٨٠"},
    }
    tables = read_osm(_osm(tmp_path, way_tags=tags), use_maxspeed=True).tables
    links = {row["link_id"].rsplit("-", 1)[0]: row for row in tables.csv["links.csv"]}
    rail, road = links["osm-w100"], links["osm-w105"]
    assert rail["gauge_mm"] is None and "is not one the atlas models" in rail["notes"]
    assert rail["open_year"] is None
    assert road["speed_kmh"] is None and "not km/h in digits 0-9" in road["notes"]


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"CARAVAN_MAX_OSM_MB": "0.0001"}, "above the limit"),
        ({"CARAVAN_MAX_ROWS": "2"}, "more than 2 ways"),
    ],
)
def test_osm_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], fragment: str
) -> None:
    pbf = _osm(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(CaravanError, match=fragment):
        read_osm(pbf)
    result = runner.invoke(app, ["atlas", "import", "--from", "osm", str(pbf), str(tmp_path / "o")])
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 2 and "Traceback" not in output and fragment in output
