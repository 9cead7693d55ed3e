"""Planted faults in an ACLED export: each bad row is reported by line and never written.

``caravan security import FILE --into COPY`` must not write formula or markup cells into
``security/events.csv``, must refuse impossible dates, non-ASCII digits and huge counts, must
report a repeated ``event_id_cnty`` and must turn a ``²`` country code into a clear problem.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caravan.cli import app
from caravan.io.atlas import shipped_atlas_path

SAMPLE = Path(__file__).parents[1] / "security" / "data" / "acled-sample.csv"


def _rows() -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8"), newline="")))
    return rows[0], rows[1:]


def _export(tmp_path: Path, column: str, value: str, *, row: int = 0) -> Path:
    header, body = _rows()
    body[row][header.index(column)] = value
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows([header, *body])
    path = tmp_path / "export.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _import(tmp_path: Path, export: Path) -> tuple[int, str, str]:
    target = tmp_path / "copy"
    if not target.exists():
        shutil.copytree(shipped_atlas_path(), target)
    result = CliRunner().invoke(
        app, ["security", "import", str(export), "--into", str(target)], env={"COLUMNS": "400"}
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    events = (target / "security" / "events.csv").read_text(encoding="utf-8")
    return result.exit_code, result.stdout + result.stderr, events


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("actor1", "=cmd|' /C calc'!A0", "spreadsheet formula"),
        ("actor2", "+SUM(A1:A9)", "spreadsheet formula"),
        ("notes", '@HYPERLINK("http://x")', "spreadsheet formula"),
        ("location", "-2+3", "spreadsheet formula"),
        ("notes", "<script>alert(1)</script>", "markup"),
        ("admin1", "<img src=x onerror=alert(1)>", "markup"),
        ("source", "=1+1", "spreadsheet formula"),
        ("event_id_cnty", "=HYPERLINK()", "spreadsheet formula"),
        ("event_date", "9999-12-31", "outside 1900-01-01 .. today"),
        ("event_date", "0001-01-01", "outside 1900-01-01 .. today"),
        ("event_date", "2025-02-30", "is not a date"),
        ("fatalities", "٣", "digits 0-9"),
        ("fatalities", "1e9", "digits 0-9"),
        ("fatalities", "1000000000", "fatalities must be between 0 and 100000"),
        ("latitude", "٣٢.٥", "digits 0-9"),
        ("iso", "²", "digits 0-9"),
    ],
)
def test_bad_cell_is_reported_and_not_written(
    tmp_path: Path, column: str, value: str, fragment: str
) -> None:
    code, output, events = _import(tmp_path, _export(tmp_path, column, value))
    assert code == 1, output
    assert "line 2" in output and fragment in output, output
    if value not in {"0001-01-01"}:
        assert value not in events


def test_duplicate_event_id_is_reported(tmp_path: Path) -> None:
    header, body = _rows()
    body[1][header.index("event_id_cnty")] = body[0][header.index("event_id_cnty")]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows([header, *body])
    export = tmp_path / "export.csv"
    export.write_text(buffer.getvalue(), encoding="utf-8")
    code, output, _ = _import(tmp_path, export)
    assert code == 1
    assert "line 3" in output and "duplicate event id 'AFG1001' (first at line 2)" in output


def test_good_rows_of_the_sample_still_import(tmp_path: Path) -> None:
    code, output, events = _import(tmp_path, SAMPLE)  # the sample has 5 bad rows on purpose
    assert code == 1 and "3 good, 5 bad; 3 added" in output, output
    assert "AFG1001" in events and "PAK2002" in events
