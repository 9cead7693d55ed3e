"""Fixtures of the web tests: a small atlas with demand and scenarios, and apps over it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from caravan.web import create_app
from tests._edits import atlas_copy

ROUTE_ATLAS = Path(__file__).parents[1] / "data" / "route-atlas"

DEMAND = """\
flow_id,origin_node_id,destination_node_id,commodity_id,tonnes_per_year,year,basis,source_ids
amber-dune,amber,dune,container,1000000,2025,estimate: test,fixture
amber-harbor,amber,harbor,container,300000,2025,estimate: test,fixture
"""

SCENARIOS = {
    "base": "name: base\ntitle: As is\ndescription: as is\nyear: 2030\n"
    "assignment: {method: sue, k_routes: 3, logit_scale_per_usd: 0.2, max_iter: 200, gap: 1e-4}\n",
    "rail": "name: rail\ntitle: Railway\ndescription: open the railway\nbase: base\n"
    "open_projects: [cobalt-link]\n",
    "no-afg-border": "name: no-afg-border\ndescription: close it\nbase: base\n"
    "close: {borders: [bolt-cobalt]}\n",
}


@pytest.fixture(scope="session")
def web_atlas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The route test atlas plus a demand table and three scenarios (a scratch copy)."""
    folder = tmp_path_factory.mktemp("web") / "atlas"
    atlas_copy(ROUTE_ATLAS, folder, files={"demand.csv": DEMAND}, scenarios=SCENARIOS)
    # A file next to the atlas that no scenario name may reach.
    (folder.parent / "secret.yaml").write_text("name: secret\ndescription: no\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def client(web_atlas: Path) -> TestClient:
    """An in-process client of an app on loopback, without a token."""
    return TestClient(create_app(atlas_path=web_atlas), base_url="http://127.0.0.1")
