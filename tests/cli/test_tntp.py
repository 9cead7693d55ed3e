"""``caravan tntp assign``, in-process with typer's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from caravan.cli import app

SIOUX = Path(__file__).resolve().parents[1] / "data" / "SiouxFalls"
KEYS = {
    "network",
    "algorithm",
    "iterations",
    "relative_gap",
    "tstt",
    "best_known_tstt",
    "tstt_rel_diff",
    "seconds",
}


def _run(*args: str) -> object:
    return CliRunner().invoke(app, ["tntp", "assign", *args])


def test_json_summary_and_flows_file(tmp_path: Path) -> None:
    out = tmp_path / "flows.csv"
    result = _run(str(SIOUX), "--algorithm", "gp", "--gap", "1e-7", "--json", "--out", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary) >= KEYS
    assert summary["network"] == "SiouxFalls" and summary["relative_gap"] <= 1e-7
    assert abs(summary["tstt_rel_diff"]) < 1e-5
    assert out.read_text().splitlines()[0] == "init_node,term_node,volume,time"


def test_table_output_with_a_looser_gap() -> None:
    result = _run(str(SIOUX), "-a", "bfw", "--gap", "1e-3", "--max-iter", "200")
    assert result.exit_code == 0, result.output
    assert "relative_gap" in result.stdout and "SiouxFalls" in result.stdout


def _copy(tmp_path: Path) -> Path:
    d = tmp_path / "net"
    shutil.copytree(SIOUX, d)
    for p in d.iterdir():
        p.chmod(0o644)
    return d


def test_bad_input_gives_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    net = d / "SiouxFalls_net.tntp"
    lines = net.read_text().splitlines()
    net.write_text("\n".join(lines[:30]) + "\n")  # truncated
    result = _run(str(d), "--json")
    assert result.exit_code == 2
    assert "declares 76 links" in result.output and "Traceback" not in result.output

    net.write_text("\n".join(lines).replace("25900.20064", "abc", 1) + "\n")  # non-numeric
    result = _run(str(d))
    assert result.exit_code == 2 and "column 'capacity' is not a number" in result.output

    net.write_text("\n".join(lines) + "\n")
    (d / "SiouxFalls_trips.tntp").unlink()  # missing trips
    result = _run(str(d))
    assert result.exit_code == 2 and "_trips.tntp" in result.output

    result = _run(str(SIOUX), "--algorithm", "magic")
    assert result.exit_code == 2 and "unknown algorithm" in result.output
