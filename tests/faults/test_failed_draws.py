"""An ensemble whose draws fail says so in its summary line and exits 1 above the allowed share."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caravan.cli import app

ROUTE_ATLAS = Path(__file__).parents[1] / "data" / "route-atlas"
DEMAND = """\
flow_id,origin_node_id,destination_node_id,commodity_id,tonnes_per_year,tonnes_per_year_low,tonnes_per_year_high,year,basis,source_ids
amber-dune,amber,dune,container,1000000,500000,2000000,2025,estimate: test,fixture
amber-garnet,amber,garnet,container,1000,,,2025,estimate: test,fixture
"""
# Garnet is reached only by the proposed Garnet road: a draw without it fails (about half).
SCENARIO = """\
name: garnet
description: the Garnet road, built in 2032 with probability 0.5
year: 2033
open_projects: [garnet-road]
assignment: {method: aon, k_routes: 3}
ensemble:
  draws: 30
  seed: 5
  project_completion:
    garnet-road: {2032: 0.5}
"""


@pytest.fixture(scope="module")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("failed") / "atlas"
    shutil.copytree(ROUTE_ATLAS, folder)
    (folder / "demand.csv").write_text(DEMAND, encoding="utf-8")
    (folder / "scenarios").mkdir(exist_ok=True)
    (folder / "scenarios" / "garnet.yaml").write_text(SCENARIO, encoding="utf-8")
    return folder


def _ensemble(atlas: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        ["ensemble", "garnet", "--atlas", str(atlas), "--in-process", *extra],
        env={"COLUMNS": "400"},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.exit_code, result.stdout + result.stderr


def test_many_failed_draws_exit_1_and_say_so(atlas: Path) -> None:
    code, output = _ensemble(atlas)
    assert code == 1, output
    assert "failed (" in output.splitlines()[0]
    assert "above the allowed 10% (--max-failed-share)" in output


def test_a_higher_allowed_share_exits_0_but_still_says_so(atlas: Path) -> None:
    code, output = _ensemble(atlas, "--max-failed-share", "0.9")
    assert code == 0, output
    first = output.splitlines()[0]
    assert "of 30 draws succeeded" in first and "failed (" in first


def test_json_states_the_share(atlas: Path) -> None:
    code, output = _ensemble(atlas, "--json")
    payload = json.loads(output.splitlines()[-1] if code else output)
    assert code == 1
    assert payload["failed"] == len(payload["failures"]) > 0
    assert payload["failed_share"] == payload["failed"] / 30
    assert payload["max_failed_share"] == 0.1
