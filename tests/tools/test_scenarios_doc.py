"""The read-with-care notes and the projects column of ``tools/scenarios_doc.py``.

The generator's numbers come from ``caravan compare``; these tests feed its note functions a
comparison made by hand, with the figures the page printed without comment on 2026-12-07:
Afghan transit +0.10 Mt with revenue -9.5 US$ m (kabul-corridor), Afghan coal for Pakistan
at eight times its cost still moving half its tonnes (afpak-border-closure), and
chabahar-zahedan listed with no transit change while its line carries 1.57 Mt.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pandas as pd
import pytest

TOOL = Path(__file__).parents[2] / "tools" / "scenarios_doc.py"


@pytest.fixture(scope="module")
def doc() -> ModuleType:
    spec = importlib.util.spec_from_file_location("scenarios_doc", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _comparison(*, elasticity: float | None = -0.5) -> SimpleNamespace:
    countries = pd.DataFrame(
        {
            "country_iso3": ["UZB", "AFG", "TKM"],
            "delta_transit_tonnes": [0.20e6, 0.10e6, -0.02e6],
            "delta_transit_revenue_usd": [3.0e6, -9.5e6, -0.4e6],
        }
    )
    flows = pd.DataFrame(
        {
            "flow_id": ["afg-pak-coal", "pak-afg-cement", "uzb-pak"],
            "expected_cost_usd_per_t_a": [22.0, 23.0, 97.0],
            "expected_cost_usd_per_t_b": [176.0, 184.0, 118.0],
        }
    )
    served = pd.DataFrame(
        {"flow_id": flows["flow_id"], "served_tonnes_per_year": [1.032e6, 1.327e6, 0.626e6]}
    )
    kept = served.assign(served_tonnes_per_year=[0.537e6, 0.005e6, 0.602e6])
    corridors = pd.DataFrame(
        {
            "project_id": ["chabahar-zahedan", "khaf-herat"],
            "max_link_tonnes_a": [0.0, 0.35e6],
            "max_link_tonnes_b": [1.57e6, 0.41e6],
        }
    )
    meta = {} if elasticity is None else {"calibration": {"elasticity": {"value": elasticity}}}
    return SimpleNamespace(
        countries=countries,
        flows=flows,
        corridors=corridors,
        a=SimpleNamespace(flows=served),
        b=SimpleNamespace(flows=kept, atlas=SimpleNamespace(meta=meta)),
    )


def test_revenue_that_moves_against_tonnes_is_named(doc: ModuleType) -> None:
    (line,) = doc.revenue_against_tonnes(_comparison())
    assert "AFG +0.10 Mt, -9.5 US$ m" in line
    assert "UZB" not in line  # tonnes and revenue both rise
    assert "TKM" not in line  # -0.4 US$ m is below the revenue shown


def test_flows_priced_out_yet_moving_are_named(doc: ModuleType) -> None:
    (line,) = doc.priced_out(_comparison())
    # coal 8x its cost and still 0.54 Mt; cement 8x but 5 kt (below the tonnes shown); the
    # Uzbek flow only 1.2x
    assert line.startswith("- 1 flows pay at least 3 times")
    assert "afg-pak-coal 22 → 176 US$/t keeps 0.54 of 1.03 Mt" in line
    assert "pak-afg-cement" not in line and "uzb-pak" not in line
    assert "(-0.5, calibration.yaml)" in line and "58%" in line
    (fixed,) = doc.priced_out(_comparison(elasticity=None))
    assert "Demand is fixed" in fixed


def test_nothing_to_say_says_nothing(doc: ModuleType) -> None:
    calm = _comparison()
    calm.countries["delta_transit_revenue_usd"] = [3.0e6, 9.5e6, -0.4e6]
    calm.flows["expected_cost_usd_per_t_b"] = [30.0, 30.0, 100.0]
    assert doc.read_with_care(calm) == []
    assert doc.read_with_care(_comparison())[0] == "Read with care:"


def test_the_projects_column_shows_what_a_line_carries(doc: ModuleType) -> None:
    cmp = _comparison()
    cell = doc.projects_cell(cmp, ["chabahar-zahedan", "not-in-the-comparison"])
    assert cell == "chabahar-zahedan 0.00 → 1.57"
    assert doc.projects_cell(cmp, []) == "—"
    scenario = SimpleNamespace(open_projects=("khaf-herat", "x"), close_projects=("suez",))
    baseline = SimpleNamespace(open_projects=("x",), close_projects=())
    assert doc.own_projects(scenario, baseline) == (["khaf-herat"], ["suez"])
