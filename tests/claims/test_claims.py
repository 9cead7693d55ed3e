"""Claims as checks on a hand-made network whose verdicts were worked out by hand.

The route atlas: Amber (UZB) -> Bolt -> Cobalt (AFG) -> Dune (PAK) is 200 + 20 + 300 = 520 km;
the way round through Iran (Amber -> Ember -> Fjord -> Harbor -> Dune) is 500 + 400 + 1000 +
100 = 2000 km. Garnet is reached only by the proposed Garnet road.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from caravan.claims import Verdict, check_claims
from caravan.claims.parse import read_claims
from caravan.cli import app
from caravan.errors import AtlasValidationError
from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas
from tests._edits import atlas_copy

ROUTE_ATLAS = Path(__file__).parents[1] / "data" / "route-atlas"
DEMAND = """\
flow_id,origin_node_id,destination_node_id,commodity_id,tonnes_per_year,year,basis,source_ids
amber-dune,amber,dune,container,1000000,2025,estimate: test,fixture
"""
SCENARIOS = {
    "baseline-2025": "name: baseline-2025\ndescription: as is\nyear: 2030\n"
    "assignment: {method: aon, k_routes: 3}\n",
    "rail": "name: rail\ndescription: open the railway\nbase: baseline-2025\n"
    "open_projects: [cobalt-link]\nensemble: {project_completion: {cobalt-link: {2030: 0.5}}}\n",
    "no-afg": "name: no-afg\ndescription: close the border\nbase: baseline-2025\n"
    "close: {borders: [bolt-cobalt]}\n",
    "garnet": "name: garnet\ndescription: build the road\nbase: baseline-2025\nyear: 2033\n"
    "open_projects: [garnet-road]\n",
}
CLAIMS = """\
- claim_id: via-afghanistan
  quote: "The best route from Amber to Dune runs through Afghanistan, not Iran."
  source_ids: [fixture]
  checks:
    - {type: route, route: {from: Amber, to: Dune}, passes: [AFG, Cobalt], avoids: [IRN]}
- claim_id: avoids-afghanistan
  quote: "Cargo from Amber to Dune avoids Afghanistan."
  source_ids: [fixture]
  checks:
    - {type: route, route: {from: Amber, to: Dune}, avoids: [AFG]}
- claim_id: much-shorter
  quote: "The Afghan route is less than half as long as the way round through Iran."
  source_ids: [fixture]
  checks:
    - type: compare
      route: {from: Amber, to: Dune, by: distance}
      other: {from: Amber, to: Dune, by: distance, avoid_countries: [AFG]}
      expect: shorter
      by_at_least: 0.5
- claim_id: far-shorter
  quote: "The Afghan route is five times shorter."
  source_ids: [fixture]
  checks:
    - type: compare
      route: {from: Amber, to: Dune, by: distance}
      other: {from: Amber, to: Dune, by: distance, via: [Fjord]}
      expect: shorter
      by_at_least: 0.8
- claim_id: closure-hurts-afghanistan
  quote: "Closing the border would cost Afghanistan its transit."
  source_ids: [fixture]
  checks:
    - {type: flow, country: AFG, from_scenario: baseline-2025, to_scenario: no-afg,
       direction: falls}
- claim_id: closure-helps-afghanistan
  quote: "Closing the border would raise Afghan transit."
  source_ids: [fixture]
  checks:
    - {type: flow, country: AFG, from_scenario: baseline-2025, to_scenario: no-afg,
       direction: rises}
- claim_id: garnet-cut-off
  quote: "Garnet cannot be reached today."
  source_ids: [fixture]
  checks:
    - {type: reachability, route: {from: Amber, to: Garnet}, exists: false}
    - {type: reachability, route: {from: Amber, to: Garnet, scenario: garnet}, exists: true}
"""


@pytest.fixture(scope="module")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> Atlas:
    folder = tmp_path_factory.mktemp("claims") / "atlas"
    files = {"demand.csv": DEMAND, "claims.yaml": CLAIMS}
    atlas_copy(ROUTE_ATLAS, folder, files=files, scenarios=SCENARIOS)
    return load_atlas(folder)


def test_verdicts_by_hand(atlas: Atlas) -> None:
    claims = read_claims(Path(str(atlas.path)) / "claims.yaml", atlas)
    results = {r.claim.claim_id: r for r in check_claims(claims, atlas)}
    expected = {
        "via-afghanistan": Verdict.SUPPORTED,
        "avoids-afghanistan": Verdict.REFUTED,
        "much-shorter": Verdict.SUPPORTED,  # 520 vs 2000 km: 74% shorter
        "far-shorter": Verdict.REFUTED,  # 74% < 80%
        "closure-hurts-afghanistan": Verdict.SUPPORTED,
        "closure-helps-afghanistan": Verdict.REFUTED,
        "garnet-cut-off": Verdict.SUPPORTED,
    }
    assert {k: r.verdict for k, r in results.items()} == expected
    compare = results["much-shorter"].checks[0]
    assert compare.evidence["route_1"]["length_km"] == pytest.approx(520)
    assert compare.evidence["route_2"]["length_km"] == pytest.approx(2000)
    assert compare.evidence["saving"] == pytest.approx(1 - 520 / 2000)
    flow = results["closure-hurts-afghanistan"].checks[0]
    assert flow.evidence["before"] == pytest.approx(1e6) and flow.evidence["after"] == 0
    # No draw opens or closes a link: reachability's P is 1 or 0, and the evidence says why.
    reach = results["garnet-cut-off"].checks[0]
    assert reach.probability == 1.0
    assert "deterministic" in reach.evidence["probability_basis"]


def test_scenarios_settled_on_workers_equal_those_settled_here(tmp_path: Path) -> None:
    # Flow checks' scenarios settled on forked workers (the default) give the very numbers
    # settled in this process: the same drawn values, the same settlements.
    demand = DEMAND.replace(
        "tonnes_per_year,year", "tonnes_per_year,tonnes_per_year_low,tonnes_per_year_high,year"
    ).replace("1000000,2025", "1000000,500000,2000000,2025")
    folder = tmp_path / "atlas"
    atlas_copy(
        ROUTE_ATLAS,
        folder,
        files={"demand.csv": demand, "claims.yaml": CLAIMS},
        scenarios=SCENARIOS,
    )
    ranged = load_atlas(folder)
    claims = read_claims(folder / "claims.yaml", ranged)
    here = check_claims(claims, ranged, ensemble_draws=12, executor="in-process")
    forked = check_claims(claims, ranged, ensemble_draws=12, executor="process")
    assert [r.to_dict() for r in here] == [r.to_dict() for r in forked]
    assert any(c.kind.value == "flow" and c.band for r in here for c in r.checks)


def test_a_margin_inside_the_demand_spread_is_inconclusive(tmp_path: Path) -> None:
    # Demand drawn triangular on 0.5-2 Mt (mode 1 Mt). Closing the border takes all of it off
    # Afghanistan: "at least 0.9 Mt" holds centrally (margin +0.1 Mt) but in only about 79% of
    # the draws (P(x < 0.9) = 0.4**2 / (1.5 * 0.5) = 0.21), with a band far wider than the
    # margin: inconclusive. "At least 0.3 Mt" holds in every draw: supported.
    demand = DEMAND.replace(
        "tonnes_per_year,year", "tonnes_per_year,tonnes_per_year_low,tonnes_per_year_high,year"
    ).replace("1000000,2025", "1000000,500000,2000000,2025")
    text = """\
- claim_id: near-threshold
  quote: "Closing the border costs Afghanistan at least 0.9 Mt of transit."
  source_ids: [fixture]
  checks:
    - {type: flow, country: AFG, from_scenario: baseline-2025, to_scenario: no-afg,
       direction: falls, by_at_least: 900000}
- claim_id: far-from-threshold
  quote: "Closing the border costs Afghanistan at least 0.3 Mt of transit."
  source_ids: [fixture]
  checks:
    - {type: flow, country: AFG, from_scenario: baseline-2025, to_scenario: no-afg,
       direction: falls, by_at_least: 300000}
"""
    folder = tmp_path / "atlas"
    atlas_copy(
        ROUTE_ATLAS, folder, files={"demand.csv": demand, "claims.yaml": text}, scenarios=SCENARIOS
    )
    ranged = load_atlas(folder)
    claims = read_claims(folder / "claims.yaml", ranged)
    near, far = check_claims(claims, ranged, ensemble_draws=200)
    check = near.checks[0]
    assert check.margin == pytest.approx(100_000, rel=1e-6)
    assert check.probability is not None and 0.65 < check.probability < 0.9
    assert check.band is not None and check.band > check.margin
    assert near.verdict is Verdict.INCONCLUSIVE
    assert far.verdict is Verdict.SUPPORTED and far.probability == 1.0
    assert far.to_dict()["band"] > 0


def test_a_route_check_finds_the_claims_side_its_candidates_missed(tmp_path: Path) -> None:
    # Through Bolt, the one candidate (a route through stops is a single route) crosses
    # Afghanistan (Amber-Bolt-Cobalt-Dune, 520 km). The route on the claim's side, back through
    # Amber and round by Iran, was never among the candidates, so the check read "no
    # alternative on the other side" with no margin. It is now searched with Afghanistan
    # closed, and the margin says how much dearer the claim's side is.
    text = """\
- claim_id: via-bolt-avoids-afghanistan
  quote: "Cargo from Amber to Dune by way of Bolt avoids Afghanistan."
  source_ids: [fixture]
  checks:
    - {type: route, route: {from: Amber, to: Dune, via: [Bolt], by: distance}, avoids: [AFG]}
"""
    folder = tmp_path / "atlas"
    atlas_copy(ROUTE_ATLAS, folder, files={"demand.csv": DEMAND, "claims.yaml": text},
               scenarios=SCENARIOS)  # fmt: skip
    ranged = load_atlas(folder)
    (result,) = check_claims(read_claims(folder / "claims.yaml", ranged), ranged)
    check = result.checks[0]
    assert result.verdict is Verdict.REFUTED
    other = check.evidence["best_other_side"]
    assert "AFG" not in other["countries"] and "IRN" in other["countries"]
    # 520 km against 200 + 200 + 500 + 400 + 1000 + 100 = 2400 km: (520 - 2400) / 520
    assert check.margin == pytest.approx((520 - 2400) / 520, rel=1e-6)
    assert "no alternative" not in check.summary


def test_not_testable_and_facts(atlas: Atlas, tmp_path: Path) -> None:
    text = """\
- claim_id: forecast
  quote: "Up to 50 Mt a year will use the railway."
  source_ids: [fixture]
  checks:
    - {type: not_testable, reason: forecast, note: a projection}
- claim_id: wrong-sponsor
  quote: "Iran is building the Cobalt-Dune railway, 300 km long."
  source_ids: [fixture]
  checks:
    - {type: facts, project: cobalt-link, facts: {financier: AFG, status: operational}}
- claim_id: right-facts
  quote: "Afghanistan and Pakistan are building the Cobalt-Dune railway."
  source_ids: [fixture]
  checks:
    - {type: facts, project: cobalt-link, facts: {financier: PAK, status: under_construction}}
    - {type: route, route: {from: Amber, to: Dune}, passes: [AFG]}
"""
    path = tmp_path / "claims.yaml"
    path.write_text(text, encoding="utf-8")
    results = {r.claim.claim_id: r for r in check_claims(read_claims(path, atlas), atlas)}
    forecast = results["forecast"].to_dict()
    assert forecast["verdict"] == "not testable" and forecast["reason"] == "forecast"
    assert forecast["probability"] is None
    wrong = results["wrong-sponsor"]
    assert wrong.verdict is Verdict.REFUTED  # the status differs
    rows = {f["fact"]: f for f in wrong.checks[0].evidence["facts"]}
    assert rows["status"]["outcome"] == "differs" and rows["financier"]["outcome"] == "matches"
    assert "fixture" in rows["status"]["sources"][0]
    assert results["right-facts"].verdict is Verdict.SUPPORTED


def test_a_route_through_stops_is_one_route_with_its_transfers(atlas: Atlas) -> None:
    # Through Cobalt (on the way anyway) the route is the best route itself: same cost, same
    # transfers, handling only at the two ends (legs joined end to end paid handling twice at
    # Cobalt and lost the transfer there).
    from caravan.claims import ClaimEvaluator, RouteSpec

    evaluator = ClaimEvaluator(atlas, ensemble_draws=2)
    direct = evaluator.best_route(RouteSpec("amber", "dune"))
    through = evaluator.best_route(RouteSpec("amber", "dune", via=("cobalt",)))
    assert through.node_ids == direct.node_ids
    assert through.cost_usd_per_t == pytest.approx(direct.cost_usd_per_t)
    assert [t.node_id for t in through.transfers] == [t.node_id for t in direct.transfers]
    assert through.transfers  # the route atlas's Amber-Dune route changes mode once
    by_sea = evaluator.best_route(RouteSpec("amber", "dune", via=("fjord",)))
    assert "fjord" in by_sea.node_ids and by_sea.length_km == pytest.approx(2000)


def test_bad_claims_file_lists_every_problem(atlas: Atlas, tmp_path: Path) -> None:
    bad = """\
- claim_id: bad
  quote: "x"
  source_ids: [nowhere]
  checks:
    - {type: route, route: {from: Atlantis, to: Dune, scenario: utopia}, passes: [Cobalt, Kobolt]}
    - {type: flow, country: AFG, to_scenario: rail, direction: sideways}
    - {type: teleport}
"""
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(AtlasValidationError) as info:
        read_claims(path, atlas)
    text = str(info.value)
    for fragment in (
        "unknown source 'nowhere'",
        "unknown place 'Atlantis'",
        "unknown scenario 'utopia'",
        "expected rises or falls",
        "from_scenario",
        "unknown check type 'teleport'",
    ):
        assert fragment in text, fragment


def test_cli_check_json_and_report(atlas: Atlas, tmp_path: Path) -> None:
    out = tmp_path / "claims.html"
    result = CliRunner().invoke(
        app, ["claims", "check", "--atlas", str(atlas.path), "--json", "--report", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert '"verdict": "supported"' in result.output
    page = out.read_text(encoding="utf-8")
    assert "data-verdict='refuted'" in page and "<blockquote>" in page


def test_cli_bad_file_is_a_clean_error(atlas: Atlas, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["claims", "check", str(tmp_path / "missing.yaml"), "--atlas", str(atlas.path)]
    )
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert "Traceback" not in result.output


def test_a_named_size_is_a_range(atlas: Atlas, tmp_path: Path) -> None:
    # The Afghan route is 74% shorter than the way round (520 vs 2000 km): "about three
    # quarters shorter" (70-80%) holds; "about half" (40-60%) does not, though "at least 40%"
    # would.
    text = """\
- claim_id: three-quarters
  quote: "About three quarters shorter."
  source_ids: [fixture]
  checks:
    - {type: compare, route: {from: Amber, to: Dune, by: distance},
       other: {from: Amber, to: Dune, by: distance, avoid_countries: [AFG]},
       expect: shorter, by_at_least: 0.7, by_at_most: 0.8}
- claim_id: half
  quote: "About half as long."
  source_ids: [fixture]
  checks:
    - {type: compare, route: {from: Amber, to: Dune, by: distance},
       other: {from: Amber, to: Dune, by: distance, avoid_countries: [AFG]},
       expect: shorter, by_at_least: 0.4, by_at_most: 0.6}
"""
    path = tmp_path / "claims.yaml"
    path.write_text(text, encoding="utf-8")
    near, half = check_claims(read_claims(path, atlas), atlas, ensemble_draws=5)
    assert near.verdict is Verdict.SUPPORTED
    assert near.checks[0].margin == pytest.approx(min(0.74 - 0.7, 0.8 - 0.74))
    assert half.verdict is Verdict.REFUTED
    assert half.checks[0].margin == pytest.approx(0.6 - 0.74)
