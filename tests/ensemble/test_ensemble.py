"""Ensembles: reproducible across executors, failures recorded, summaries right by hand."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caravan.ensemble import EnsembleSpec, run_ensemble
from caravan.ensemble.spec import Distribution, draw_uniforms, inverse_cdf, spec_from_mapping
from caravan.errors import AtlasValidationError
from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas
from caravan.model.scenario import AssignmentSettings, Scenario
from caravan.results.runs import run_scenario

ROUTE_ATLAS = Path(__file__).parents[1] / "data" / "route-atlas"
DEMAND = """\
flow_id,origin_node_id,destination_node_id,commodity_id,tonnes_per_year,tonnes_per_year_low,tonnes_per_year_high,year,basis,source_ids
amber-dune,amber,dune,container,1000000,500000,2000000,2025,estimate: test,fixture
"""
SETTINGS = AssignmentSettings(method="aon", k_routes=3)
RAIL = Scenario(
    name="rail", description="d", year=2030, open_projects=("cobalt-link",), assignment=SETTINGS
)
BASE = Scenario(name="base", description="d", year=2030, assignment=SETTINGS)


@pytest.fixture(scope="module")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> Atlas:
    folder = tmp_path_factory.mktemp("ens") / "atlas"
    shutil.copytree(ROUTE_ATLAS, folder)
    (folder / "demand.csv").write_text(DEMAND, encoding="utf-8")
    return load_atlas(folder)


def test_same_seed_same_tables_whatever_the_executor(atlas: Atlas) -> None:
    spec = EnsembleSpec(draws=40, seed=11, project_completion={"cobalt-link": ((2030, 0.5),)})
    results = {
        ex: run_ensemble(RAIL, reference=BASE, spec=spec, atlas=atlas, executor=ex, workers=2)
        for ex in ("in-process", "process", "dask")
    }
    ref = results["in-process"]
    for ex, res in results.items():
        assert res.draws.equals(ref.draws), ex
        assert res.inputs.equals(ref.inputs), ex
        assert res.countries.equals(ref.countries), ex


def test_a_failing_draw_is_recorded_and_the_rest_go_on(atlas: Atlas) -> None:
    # Garnet is reached only by the proposed Garnet road; when it is not built in a draw the
    # flow has no route: that draw fails with its reason, the others succeed.
    flow = Scenario(
        name="garnet",
        description="d",
        year=2033,
        open_projects=("garnet-road",),
        assignment=SETTINGS,
    )
    folder = Path(str(atlas.path))
    extra = "amber-garnet,amber,garnet,container,1000,,,2025,estimate: test,fixture\n"
    copy = folder.parent / "atlas-garnet"
    if not copy.exists():
        shutil.copytree(folder, copy)
        with (copy / "demand.csv").open("a", encoding="utf-8") as fh:
            fh.write(extra)
    spec = EnsembleSpec(draws=30, seed=5, project_completion={"garnet-road": ((2032, 0.5),)})
    res = run_ensemble(flow, spec=spec, atlas=load_atlas(copy), executor="in-process")
    u = np.array([draw_uniforms(5, i, len(res.inputs.columns) - 1)[-1] for i in range(30)])
    expected_failures = int((u >= 0.5).sum())
    assert 0 < expected_failures < 30
    assert len(res.failures) == expected_failures
    assert res.failures["reason"].str.contains("no route left for amber-garnet").all()
    assert res.failures["reason"].str.contains("garnet-road").all()
    assert res.meta["succeeded"] == 30 - expected_failures


def test_summaries_by_hand(atlas: Atlas) -> None:
    # Only the railway's completion is uncertain (demand fixed, no ranged links). With
    # all-or-nothing loading each draw takes one of two outcomes, which deterministic runs give.
    spec = EnsembleSpec(
        draws=50,
        seed=2,
        distributions={"demand_tonnes_per_year": Distribution.FIXED},
        project_completion={"cobalt-link": ((2030, 0.3),)},
    )
    res = run_ensemble(RAIL, reference=BASE, spec=spec, atlas=atlas, executor="in-process")
    project_col = "project:cobalt-link"
    open_draws = res.inputs[project_col].to_numpy() > 0.5
    u = np.array([draw_uniforms(2, i, len(res.inputs.columns) - 1)[-1] for i in range(50)])
    assert (open_draws == (u < 0.3)).all()
    with_rail = run_scenario(RAIL, atlas=atlas).country_transit.set_index("country_iso3")
    without = run_scenario(BASE, atlas=atlas).country_transit.set_index("country_iso3")
    table = res.countries.set_index("country_iso3")
    for iso3 in ("AFG", "IRN"):
        delta_open = with_rail.at[iso3, "transit_tonnes"] - without.at[iso3, "transit_tonnes"]
        expected_mean = open_draws.mean() * delta_open
        assert table.at[iso3, "delta_transit_tonnes_mean"] == pytest.approx(expected_mean, abs=1e-3)
        if delta_open > 1:
            assert table.at[iso3, "p_gain"] == pytest.approx(open_draws.mean())
        elif delta_open < -1:
            assert table.at[iso3, "p_loss"] == pytest.approx(open_draws.mean())


@settings(deadline=None)
@given(
    u=st.floats(0.001, 0.999),
    low=st.floats(1, 100),
    span=st.floats(1, 100),
    share=st.floats(0.01, 0.99),
)
def test_draws_stay_in_their_range(u: float, low: float, span: float, share: float) -> None:
    high = low + span
    value = low + share * span
    for dist in (Distribution.UNIFORM, Distribution.TRIANGULAR):
        x = inverse_cdf(u, value, low, high, dist)
        assert low - 1e-9 <= x <= high + 1e-9


def test_triangular_median_by_hand() -> None:
    # Symmetric triangle on [0, 2] with mode 1: the median is 1, the 12.5th percentile 0.5.
    assert inverse_cdf(0.5, 1, 0, 2, Distribution.TRIANGULAR) == pytest.approx(1.0)
    assert inverse_cdf(0.125, 1, 0, 2, Distribution.TRIANGULAR) == pytest.approx(0.5)


def test_bad_spec_lists_every_problem() -> None:
    with pytest.raises(AtlasValidationError) as info:
        spec_from_mapping(
            {
                "draws": 0,
                "distributions": {"link_length_km": "gaussian", "speed": "uniform"},
                "project_completion": {"p": {2030: 1.5}, "q": {2030: 0.8, 2035: 0.2}},
                "colour": 1,
            }
        )
    text = str(info.value)
    for fragment in (
        "draws",
        "unknown distribution 'gaussian'",
        "unknown range kind",
        "is not a year and a probability",
        "must not fall",
        "unknown key",
    ):
        assert fragment in text


def test_draws_keep_the_scenarios_own_demand_changes(atlas: Atlas) -> None:
    # The scenario doubles the flow; each draw multiplies the scenario's tonnes by the drawn
    # ratio (draw / chosen value), so B carries twice A's tonnes in every draw.
    from caravan.model.scenario import DemandScale

    double = Scenario(
        name="double",
        description="d",
        year=2030,
        assignment=SETTINGS,
        demand_scale=(DemandScale(factor=2.0),),
    )
    spec = EnsembleSpec(draws=10, seed=4)
    res = run_ensemble(double, reference=BASE, spec=spec, atlas=atlas, executor="in-process")
    afg = res.draws[res.draws["country_iso3"] == "AFG"]
    b, a = afg["transit_tonnes"].to_numpy(), afg["transit_tonnes_reference"].to_numpy()
    assert b == pytest.approx(2 * a)
    assert (afg["transit_tonnes_reference"] > 0).all()
    assert res.meta["project_completion"] == {}
    # the draws do not split the year into seasons, and say so
    assert res.meta["seasons"].startswith("not applied: every draw settles the year as one")
    assert res.to_dict()["seasons"] == res.meta["seasons"]


def test_a_project_never_complete_changes_nothing(atlas: Atlas) -> None:
    # Each draw runs the scenario with exactly the projects complete in it: with the railway
    # never complete the scenario is the reference, draw after draw.
    spec = EnsembleSpec(draws=10, seed=8, project_completion={"cobalt-link": ((2030, 0.0),)})
    res = run_ensemble(RAIL, reference=BASE, spec=spec, atlas=atlas, executor="in-process")
    assert res.draws["delta_transit_tonnes"].abs().max() == pytest.approx(0.0, abs=1e-6)


def test_a_draw_at_the_chosen_values_is_the_run() -> None:
    # Every input at its chosen value: the draw settles exactly as the run does (risk,
    # surcharges, lane fees and elastic demand included), so draws scatter around the run. On
    # the shipped atlas, where routes carry all of these.
    from caravan.ensemble.compile import compile_ensemble
    from caravan.ensemble.evaluate import central_values, settle_scenario
    from caravan.pipeline import Pipeline

    # Draws settle the year as one season (docs/capacity.md): compare with a run of the
    # atlas without its seasonal events, which a run also settles as one season.
    shipped = load_atlas()
    yearly = dataclasses.replace(
        shipped, status_events=tuple(e for e in shipped.status_events if not e.every_year)
    )
    pipeline = Pipeline(yearly)
    scenario = pipeline.scenario("baseline-2025")
    inputs = compile_ensemble(pipeline.atlas, scenario, spec=EnsembleSpec(draws=1))
    drawn = settle_scenario(inputs, inputs.scenarios[0].full, central_values(inputs))
    run = pipeline.run(scenario).country_transit.set_index("country_iso3")
    for j, iso3 in enumerate(inputs.countries):
        want = run.at[iso3, "transit_tonnes"] if iso3 in run.index else 0.0
        assert drawn.transit[j, 0] == pytest.approx(want, rel=1e-6, abs=1.0), iso3


def test_calibrated_demand_responds_to_cost_in_every_draw(atlas: Atlas) -> None:
    # On a calibrated atlas a draw's tonnes follow T_drawn (C / C0) ** e, as in a run, with the
    # elasticity e drawn from its range. C0 is set to half the base cost: every draw carries
    # less than the same draw without a calibration, by a share that varies with e.
    from caravan.model.calibration import Calibration, DemandElasticity, apply_calibration

    cost = float(run_scenario(BASE, atlas=atlas).flows["cost_usd_per_t"].iloc[0])
    cal = Calibration(
        method="m",
        reference="r",
        scenario="base",
        created_utc="2026-01-01T00:00:00+00:00",
        caravan_version="0",
        prior_digest="x",
        logit_scale_per_usd=0.03,
        constants=(),
        holdout_count_ids=(),
        flow_tonnes={"amber-dune": 1_000_000.0},
        flow_base_cost_usd_per_t={"amber-dune": cost / 2},
        elasticity=DemandElasticity(value=-0.5, low=-1.0, high=-0.2, basis="test"),
    )
    spec = EnsembleSpec(draws=12, seed=3)
    fixed = run_ensemble(BASE, spec=spec, atlas=atlas, executor="in-process")
    elastic = run_ensemble(
        BASE, spec=spec, atlas=apply_calibration(atlas, cal), executor="in-process"
    )
    assert "demand:elasticity" in elastic.inputs.columns
    pick = fixed.draws["country_iso3"] == "AFG"
    ratio = (
        elastic.draws.loc[elastic.draws["country_iso3"] == "AFG", "transit_tonnes"].to_numpy()
        / fixed.draws.loc[pick, "transit_tonnes"].to_numpy()
    )
    assert (ratio > 0.3).all() and (ratio < 0.95).all()
    assert ratio.std() > 0.01
