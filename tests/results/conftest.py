"""Shared fixtures of the results tests: the route test atlas with a module's own demand and
scenarios, and a run of each scenario.

A test module that uses them names its demand table ``DEMAND`` (the text of ``demand.csv``) and
its scenarios ``SCENARIOS`` (name -> YAML text); a module that defines its own ``atlas`` or
``runs`` fixture uses that instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from caravan.io.atlas import load_atlas
from caravan.io.scenario import load_scenario
from caravan.model.atlas import Atlas
from caravan.results.runs import RunResult, run_scenario
from tests._edits import atlas_copy

ROUTE_ATLAS = Path(__file__).parents[1] / "data" / "route-atlas"


@pytest.fixture(scope="module")
def atlas(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Atlas:
    """The route test atlas with the module's ``DEMAND`` and ``SCENARIOS`` (a scratch copy)."""
    module = request.module
    folder = tmp_path_factory.mktemp(module.__name__.rpartition(".")[2]) / "atlas"
    files = {"demand.csv": module.DEMAND}
    atlas_copy(ROUTE_ATLAS, folder, files=files, scenarios=module.SCENARIOS)
    return load_atlas(folder)


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest, atlas: Atlas) -> dict[str, RunResult]:
    """A run of each of the module's ``SCENARIOS``, by name."""
    names = request.module.SCENARIOS
    return {name: run_scenario(load_scenario(name, atlas), atlas=atlas) for name in names}
