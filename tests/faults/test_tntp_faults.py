"""Planted faults in a copy of tests/data/SiouxFalls: each is a clear error naming file and line.

The 1e300 demand cell once crashed the default solver (gp) with a segmentation fault inside its
compiled kernel; that case runs ``caravan tntp assign`` in a subprocess so a crash would show as
exit code 139 instead of killing the test run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caravan.cli import app

SIOUX = Path(__file__).parents[1] / "data" / "SiouxFalls"
NET = "SiouxFalls_net.tntp"
TRIPS = "SiouxFalls_trips.tntp"
FLOW = "SiouxFalls_flow.tntp"
_MAIN = "import sys; from caravan.cli import main; sys.argv[0] = 'caravan'; main()"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "SiouxFalls"
    shutil.copytree(SIOUX, target)
    return target


def _replace(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _net_row(folder: Path, column: int, value: str) -> None:
    """Set one column of the net file's first link row (line 11)."""
    path = folder / NET
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = lines[10].split("\t")
    fields[column + 1] = value  # the row starts with a tab
    lines[10] = "\t".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("value", ["1e300", "1e308"])
def test_huge_demand_cell_is_an_error_not_a_segfault(tmp_path: Path, value: str) -> None:
    folder = _copy(tmp_path)
    _replace(folder, TRIPS, "2 :    100.0;", f"2 :   {value};")
    done = subprocess.run(
        [sys.executable, "-c", _MAIN, "tntp", "assign", str(folder), "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert f"{TRIPS}, line 7" in done.stderr and "trips must be between" in done.stderr
    assert "Traceback" not in done.stderr


Plant = Callable[[Path], None]

CASES: list[tuple[str, Plant, str]] = [
    (
        "zones-negative",
        lambda f: _replace(f, NET, "<NUMBER OF ZONES> 24", "<NUMBER OF ZONES> -5"),
        "<NUMBER OF ZONES> must be between 1 and",
    ),
    (
        "zones-million",
        lambda f: _replace(f, NET, "<NUMBER OF ZONES> 24", "<NUMBER OF ZONES> 1000000"),
        "<NUMBER OF ZONES> must be between 1 and",
    ),
    (
        "nodes-billion",
        lambda f: _replace(f, NET, "<NUMBER OF NODES> 24", "<NUMBER OF NODES> 1000000000"),
        "the links use node ids up to 24",
    ),
    (
        "zones-and-nodes-million",
        lambda f: _replace(
            f,
            NET,
            "<NUMBER OF ZONES> 24\t\t\t\t\t\t\t\t\t\t\t\n<NUMBER OF NODES> 24",
            "<NUMBER OF ZONES> 1000000\n<NUMBER OF NODES> 1000000",
        ),
        "need about 16,000.0 GB",
    ),
    (
        "nodes-float",
        lambda f: _replace(f, NET, "<NUMBER OF NODES> 24", "<NUMBER OF NODES> 1e9"),
        "<NUMBER OF NODES>' is not a number",
    ),
    ("fft-1e308", lambda f: _net_row(f, 4, "1e308"), f"{NET}, line 11: free_flow_time"),
    ("fft-nan", lambda f: _net_row(f, 4, "nan"), f"{NET}, line 11: column 'free_flow_time'"),
    ("capacity-zero", lambda f: _net_row(f, 2, "0"), f"{NET}, line 11: capacity"),
    ("capacity-inf", lambda f: _net_row(f, 2, "inf"), f"{NET}, line 11: column 'capacity'"),
    ("b-negative", lambda f: _net_row(f, 5, "-1"), f"{NET}, line 11: b must be"),
    ("power-1e9", lambda f: _net_row(f, 6, "1e9"), f"{NET}, line 11: power must be"),
    ("toll-negative", lambda f: _net_row(f, 8, "-3"), f"{NET}, line 11: toll must be"),
    ("length-arabic", lambda f: _net_row(f, 3, "٣"), f"{NET}, line 11: column 'length'"),
    (
        "trips-zones-differ",
        lambda f: _replace(f, TRIPS, "<NUMBER OF ZONES> 24", "<NUMBER OF ZONES> 30"),
        "<NUMBER OF ZONES> is 30 but the net file has 24",
    ),
    (
        "trips-negative",
        lambda f: _replace(f, TRIPS, "2 :    100.0;", "2 :   -100.0;"),
        f"{TRIPS}, line 7: trips must be",
    ),
    (
        "trips-nan",
        lambda f: _replace(f, TRIPS, "2 :    100.0;", "2 :   NaN;"),
        f"{TRIPS}, line 7: column 'trips'",
    ),
    (
        "flow-nan",
        lambda f: _replace(f, FLOW, "4494.6576464564205", "NaN"),
        f"{FLOW}, line 2: column 'volume'",
    ),
    (
        "flow-inf-cost",
        lambda f: _replace(f, FLOW, "6.0008162373543197", "1e400"),
        f"{FLOW}, line 2: column 'cost'",
    ),
    ("nul-byte", lambda f: _replace(f, NET, "<END OF METADATA>", "<END OF\0 METADATA>"), "NUL"),
]


@pytest.mark.parametrize(("plant", "fragment"), [pytest.param(p, m, id=i) for i, p, m in CASES])
def test_tntp_fault_is_a_clear_error(tmp_path: Path, plant: Plant, fragment: str) -> None:
    folder = _copy(tmp_path)
    plant(folder)
    result = CliRunner().invoke(
        app, ["tntp", "assign", str(folder), "--json", "--max-iter", "2"], env={"COLUMNS": "400"}
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 2, result.output
    assert fragment in " ".join(result.stderr.split()), result.stderr


def test_json_out_is_strict(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["tntp", "assign", str(SIOUX), "--json", "--max-iter", "3"])
    assert result.exit_code == 0, result.output
    json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
