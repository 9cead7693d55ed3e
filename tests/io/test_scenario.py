"""Scenario files: reading, checking against the atlas, inheritance, and applying them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from caravan.errors import AtlasValidationError, NotFoundError
from caravan.io.atlas import load_atlas
from caravan.io.scenario import list_scenarios, load_scenario
from caravan.model.atlas import Atlas
from caravan.model.scenario import ChangeOp, ChangeTarget, apply_scenario

TINY = Path(__file__).parents[1] / "data" / "tiny-atlas"

BASE = """\
name: base
title: Base
description: The tiny atlas as it is.
base: atlas
year: 2025
source_ids: [umarova-2025-chabahar-gwadar]
assignment: {method: sue, k_routes: 3, seed: 7}
"""

CHILD = """\
name: child
description: Open the railway and cut the border fee.
base: base
year: 2030
open_projects: [chabahar-zahedan]
close:
  borders: []
changes:
  - {target: border, ids: [milak-zaranj], field: fee_usd_per_t, scale: 0.5}
  - {target: link, ids: [d-zaranj-delaram], field: tariff_usd_per_tkm, set: 0.1}
risk:
  - {zone_id: afg-nimroz, risk: 0.9, basis: test}
"""


@pytest.fixture()
def atlas_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "atlas"
    shutil.copytree(TINY, folder)
    (folder / "scenarios").mkdir()
    (folder / "scenarios" / "base.yaml").write_text(BASE, encoding="utf-8")
    (folder / "scenarios" / "child.yaml").write_text(CHILD, encoding="utf-8")
    return folder


@pytest.fixture()
def atlas(atlas_dir: Path) -> Atlas:
    return load_atlas(atlas_dir)


def test_inheritance_merges_lists_and_overrides_scalars(atlas: Atlas) -> None:
    s = load_scenario("child", atlas)
    assert s.year == 2030
    assert s.lineage == ("base", "child")
    assert s.title == "Base"  # inherited
    assert s.open_projects == ("chabahar-zahedan",)
    assert s.source_ids == ("umarova-2025-chabahar-gwadar",)
    assert s.assignment.k_routes == 3 and s.assignment.seed == 7
    assert [(c.target, c.op, c.value) for c in s.changes] == [
        (ChangeTarget.BORDER, ChangeOp.SCALE, 0.5),
        (ChangeTarget.LINK, ChangeOp.SET, 0.1),
    ]
    assert len(s.digest) == 64


def test_list_scenarios(atlas: Atlas) -> None:
    names = [s["name"] for s in list_scenarios(atlas)]
    assert names == ["base", "child"]


def test_unknown_name_suggests(atlas: Atlas) -> None:
    with pytest.raises(NotFoundError, match="did you mean child"):
        load_scenario("chld", atlas)


def test_cycle_is_reported(atlas_dir: Path) -> None:
    (atlas_dir / "scenarios" / "base.yaml").write_text(
        BASE.replace("base: atlas", "base: child"), encoding="utf-8"
    )
    with pytest.raises(AtlasValidationError) as info:
        load_scenario("child", load_atlas(atlas_dir))
    assert any(
        "inheritance cycle: child -> base -> child" in p.message for p in info.value.problems
    )


def test_every_problem_at_once(atlas_dir: Path) -> None:
    bad = """\
name: wrong-name
description: Several mistakes.
year: 1800
open_projects: [chabahar-zahedn]
close: {borders: [nowhere], countries: [XXX]}
changes:
  - {target: link, ids: [d-zaranj-delaram], field: colour, scale: 2}
  - {target: border, ids: [milak-zaranj], field: dwell_h}
unknown_key: 1
"""
    (atlas_dir / "scenarios" / "bad.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(AtlasValidationError) as info:
        load_scenario("bad", load_atlas(atlas_dir))
    text = str(info.value)
    for fragment in (
        "field 'name'",
        "field 'year'",
        "unknown project 'chabahar-zahedn'",
        "did you mean chabahar-zahedan",
        "unknown border 'nowhere'",
        "unknown country 'XXX'",
        "'colour' cannot be changed on a link",
        "needs exactly one of set, scale, add",
        "field 'unknown_key'",
    ):
        assert fragment in text, fragment
    assert all(p.file == "bad.yaml" for p in info.value.problems)
    # Each problem names its line in the file.
    line_of = {p.field: p.row for p in info.value.problems}
    assert line_of["name"] == 1 and line_of["year"] == 3 and line_of["unknown_key"] == 9
    assert line_of["open_projects"] == 4 and line_of["close.borders"] == 5
    assert line_of["changes[1].field"] == 7 and line_of["changes[2]"] == 8


def test_a_change_that_breaks_bounds_names_its_line(atlas_dir: Path) -> None:
    text = CHILD.replace("set: 0.1}", "set: -1}")
    (atlas_dir / "scenarios" / "child.yaml").write_text(text, encoding="utf-8")
    atlas = load_atlas(atlas_dir)
    with pytest.raises(AtlasValidationError) as info:
        apply_scenario(atlas, load_scenario("child", atlas))
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.field) == ("child.yaml", 10, "changes[2]")


def test_malformed_yaml_names_the_line(atlas_dir: Path) -> None:
    (atlas_dir / "scenarios" / "broken.yaml").write_text(
        "name: broken\ndescription: [unclosed\n", encoding="utf-8"
    )
    with pytest.raises(AtlasValidationError) as info:
        load_scenario("broken", load_atlas(atlas_dir))
    assert info.value.problems[0].message.startswith("malformed YAML")
    assert info.value.problems[0].row is not None


def test_apply_makes_a_new_atlas(atlas: Atlas) -> None:
    s = load_scenario("child", atlas)
    before = atlas.links.set_index("link_id")
    after_atlas = apply_scenario(atlas, s)
    after = after_atlas.links.set_index("link_id")
    # The railway opens in its expected year (2026 <= 2030).
    assert before.at["r-chabahar-zahedan", "status"] == "under_construction"
    assert after.at["r-chabahar-zahedan", "status"] == "operational"
    assert after.at["r-chabahar-zahedan", "open_year"] == 2026
    assert after.at["d-zaranj-delaram", "tariff_usd_per_tkm"] == pytest.approx(0.1)
    borders = after_atlas.borders.set_index("border_id")
    assert borders.at["milak-zaranj", "fee_usd_per_t_ab"] == pytest.approx(6.0)
    assert borders.at["milak-zaranj", "fee_usd_per_t_ba"] == pytest.approx(7.5)
    zones = {z.zone_id: z.risk for z in after_atlas.zones}
    assert zones["afg-nimroz"] == pytest.approx(0.9)
    # The original is untouched.
    assert atlas.links.set_index("link_id").at["r-chabahar-zahedan", "status"] == (
        "under_construction"
    )
    assert {z.zone_id: z.risk for z in atlas.zones}["afg-nimroz"] == pytest.approx(0.4)
    assert after_atlas.meta["scenario"] == "child"


def test_closing_a_country_closes_its_links(atlas_dir: Path) -> None:
    (atlas_dir / "scenarios" / "no-afg.yaml").write_text(
        "name: no-afg\ndescription: d\nyear: 2025\nclose: {countries: [AFG]}\n", encoding="utf-8"
    )
    atlas = load_atlas(atlas_dir)
    out = apply_scenario(atlas, load_scenario("no-afg", atlas)).links.set_index("link_id")
    assert out.at["d-milak-zaranj", "status"] == "closed"  # touches Zaranj (AFG)
    assert out.at["d-chabahar-zahedan", "status"] == "operational"


def test_demand_changes(atlas_dir: Path) -> None:
    atlas = load_atlas(atlas_dir)
    flow = atlas.demand.iloc[0]
    text = f"""\
name: more
description: d
year: 2025
demand:
  scale:
    - {{flow_ids: [{flow["flow_id"]}], factor: 2}}
  add:
    - {{flow_id: new-flow, origin_node_id: zaranj, destination_node_id: chabahar,
        commodity_id: {flow["commodity_id"]}, tonnes_per_year: 1000, basis: test,
        source_ids: [umarova-2025-chabahar-gwadar]}}
"""
    (atlas_dir / "scenarios" / "more.yaml").write_text(text, encoding="utf-8")
    out = apply_scenario(atlas, load_scenario("more", atlas)).demand.set_index("flow_id")
    assert out.at[flow["flow_id"], "tonnes_per_year"] == pytest.approx(2 * flow["tonnes_per_year"])
    assert out.at["new-flow", "tonnes_per_year"] == 1000
