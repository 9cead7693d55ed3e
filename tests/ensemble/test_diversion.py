"""Where a project's cargo came from, draw by draw (caravan.ensemble.summary.diversion_draws),
on the route test atlas: the cobalt-link railway, complete in about half the draws, takes
Uzbekistan-Pakistan cargo from the Afghan road and from the route through Iran."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from caravan.ensemble import EnsembleSpec, run_ensemble
from caravan.ensemble.summary import DIVERSION_MEASURES, EnsembleResult
from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas
from caravan.model.scenario import AssignmentSettings, Scenario

ROUTE_ATLAS = Path(__file__).parents[1] / "data" / "route-atlas"
DEMAND = """\
flow_id,origin_node_id,destination_node_id,commodity_id,tonnes_per_year,tonnes_per_year_low,tonnes_per_year_high,year,basis,source_ids
amber-dune,amber,dune,container,1000000,500000,2000000,2025,estimate: test,fixture
"""
SETTINGS = AssignmentSettings(method="sue", k_routes=3, logit_scale_per_usd=0.02, gap=1e-6)
RAIL = Scenario(
    name="rail", description="d", year=2030, open_projects=("cobalt-link",), assignment=SETTINGS
)
BASE = Scenario(name="base", description="d", year=2030, assignment=SETTINGS)
SPEC = EnsembleSpec(draws=30, seed=3, project_completion={"cobalt-link": ((2030, 0.5),)})


@pytest.fixture(scope="module")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> Atlas:
    folder = tmp_path_factory.mktemp("ens-div") / "atlas"
    shutil.copytree(ROUTE_ATLAS, folder)
    (folder / "demand.csv").write_text(DEMAND, encoding="utf-8")
    return load_atlas(folder)


@pytest.fixture(scope="module")
def result(atlas: Atlas) -> EnsembleResult:
    return run_ensemble(RAIL, reference=BASE, spec=SPEC, atlas=atlas, executor="in-process")


def test_a_row_per_draw_complete_when_the_project_is(result: EnsembleResult) -> None:
    d = result.diversion.set_index("draw")
    assert len(d) == result.meta["succeeded"] == SPEC.draws
    built = result.inputs.set_index("draw")["project:cobalt-link"] > 0.5
    assert (d["complete"] == built.reindex(d.index)).all()
    assert 0 < d["complete"].sum() < len(d)
    assert result.meta["focus_projects"] == ["cobalt-link"]


def test_draws_without_the_project_move_nothing(result: EnsembleResult) -> None:
    d = result.diversion
    idle = d.loc[~d["complete"], list(DIVERSION_MEASURES)]
    assert np.abs(idle.to_numpy()).max() < 1e-6


def test_with_the_project_the_cargo_adds_up(result: EnsembleResult) -> None:
    d = result.diversion[result.diversion["complete"]]
    assert (d["project_tonnes"] > 1e4).all()
    assert (d["from_overland_tonnes"] > 0).all() and (d["from_iran_tonnes"] > 0).all()
    moved = d["from_iran_tonnes"] + d["from_sea_tonnes"] + d["from_overland_tonnes"]
    assert (moved + d["new_tonnes"]).to_numpy() == pytest.approx(
        d["onto_project_tonnes"].to_numpy(), rel=1e-9, abs=1e-6
    )


def test_the_summary_conditions_on_completion(result: EnsembleResult) -> None:
    s = result.diversion_summary().set_index("measure")
    d = result.diversion
    iran = d["from_iran_tonnes"].to_numpy()
    done = d.loc[d["complete"], "from_iran_tonnes"].to_numpy()
    assert s.at["from_iran_tonnes", "all_mean"] == pytest.approx(iran.mean())
    assert s.at["from_iran_tonnes", "complete_p50"] == pytest.approx(np.percentile(done, 50))
    assert s.at["from_iran_tonnes", "n_complete"] == len(done)
    # the conditional median is the railway's effect; the unconditional one mixes in zeros
    assert s.at["project_tonnes", "complete_p5"] > 0
    assert s.at["project_tonnes", "all_p5"] == 0
    plain = result.to_dict()["diversion"]
    assert [r["measure"] for r in plain] == list(DIVERSION_MEASURES)


def test_the_process_executor_gives_the_same_diversion(
    atlas: Atlas, result: EnsembleResult
) -> None:
    other = run_ensemble(
        RAIL, reference=BASE, spec=SPEC, atlas=atlas, executor="process", workers=2
    )
    assert other.diversion.equals(result.diversion)


def test_without_a_reference_there_is_no_diversion(atlas: Atlas) -> None:
    alone = run_ensemble(RAIL, spec=SPEC, atlas=atlas, executor="in-process")
    assert alone.diversion.empty
    assert alone.diversion_summary()["n_draws"].eq(0).all()
