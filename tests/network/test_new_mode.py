"""A new mode is data: a modes.yaml row and links that use it, no Python."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from caravan.io.atlas import load_atlas
from caravan.results.routes import route
from tests._edits import atlas_copy

ROUTE_ATLAS = Path(__file__).parents[1] / "data" / "route-atlas"

PIPELINE_MODE = """\
- mode: pipeline
  speed_kmh: 40
  tariff_usd_per_tkm: 0.005
  layer: land
  gauge: none
  transit: true
  colour: "#7d3c98"
  basis: round test figure
  source_ids: [fixture]
"""
PIPELINE_LINK = (
    "p-amber-bolt,amber,bolt,pipeline,,195,sourced,,,,operational,2000,,,fixture,a pipeline\n"
)
PIPELINE_TRANSFER = ",pipeline,,rail,1520,2,1,fixture,pipeline terminal\n"


@pytest.fixture(scope="module")
def atlas_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = ROUTE_ATLAS
    folder = tmp_path_factory.mktemp("new-mode") / "atlas"
    files = {
        "modes.yaml": (source / "modes.yaml").read_text(encoding="utf-8") + PIPELINE_MODE,
        "links.csv": (source / "links.csv").read_text(encoding="utf-8") + PIPELINE_LINK,
        "transfers.csv": (source / "transfers.csv").read_text(encoding="utf-8") + PIPELINE_TRANSFER,
    }
    return atlas_copy(source, folder, files=files)


def test_a_pipeline_mode_routes_without_touching_python(atlas_folder: Path) -> None:
    atlas = load_atlas(atlas_folder)  # validates: the new mode is known from its row
    assert atlas.mode_traits["pipeline"].colour == "#7d3c98"
    best = route(atlas, "Amber", "Dune", year=2025)[0]
    assert best.link_ids[0] == "p-amber-bolt"
    first = best.legs[0]
    assert first.from_layer == "pipeline"
    assert first.run_time_h == pytest.approx(195 / 40)
    assert first.tariff_usd_per_t == pytest.approx(195 * 0.005)
    stop = best.transfers[0]
    assert (stop.from_mode, stop.to_mode, stop.kind) == ("pipeline", "rail", "mode change")


def test_an_unknown_mode_is_reported_with_the_fix(tmp_path: Path) -> None:
    from caravan.errors import AtlasValidationError

    folder = tmp_path / "atlas"
    links = (ROUTE_ATLAS / "links.csv").read_text(encoding="utf-8") + PIPELINE_LINK
    atlas_copy(ROUTE_ATLAS, folder, files={"links.csv": links})
    with pytest.raises(AtlasValidationError) as err:
        load_atlas(folder)
    text = str(err.value)
    assert "unknown mode 'pipeline'" in text
    assert "add a 'pipeline' row to modes.yaml" in text


def _claim(mode: str) -> list[dict[str, object]]:
    route = {"from": "Amber", "to": "Dune", "mode": mode}
    return [
        {
            "claim_id": "by-pipe",
            "quote": "x",
            "source_ids": ["fixture"],
            "checks": [{"type": "route", "route": route, "passes": ["Bolt"]}],
        }
    ]


def test_a_claim_may_name_the_new_mode(atlas_folder: Path) -> None:
    from caravan.claims.parse import parse_claims
    from caravan.errors import AtlasValidationError

    with_pipeline = load_atlas(atlas_folder)
    for mode in ("pipeline", "pipeline+rail", "overland"):
        claims = parse_claims(
            _claim(mode), with_pipeline, file="c.yaml", scenarios={"baseline-2025"}
        )
        assert claims[0].claim_id == "by-pipe"
    with pytest.raises(AtlasValidationError) as err:
        parse_claims(
            _claim("pipeline"), load_atlas(ROUTE_ATLAS), file="c.yaml", scenarios={"baseline-2025"}
        )
    assert "unknown mode 'pipeline'" in str(err.value)
    assert "use: overland, sea, rail" in str(err.value)


def test_a_new_water_mode_is_booked_to_the_water_not_the_ports() -> None:
    from caravan.model.modes import GaugeRule, ModeLayer, ModeTraits
    from caravan.results.legs import Leg, by_country, water_area

    modes = {
        "barge": ModeTraits(ModeLayer.WATER, GaugeRule.NONE, True),
        "tanker": ModeTraits(ModeLayer.WATER, GaugeRule.NONE, False),
        "pipeline": ModeTraits(),
    }
    costs = [100.0, 2.0, 0.0, 2.0, 5.0, 0.0, 0.0, 5.0, 0.0, 5.0]
    ends = ("b", "x", "y", "AZE", "KAZ", "barge", "barge")
    barge = Leg(0, "link", *ends, *costs, None, None, (), ())
    assert water_area(barge, modes) == "caspian"
    tanker = dataclasses.replace(barge, from_layer="tanker", to_layer="tanker")
    assert water_area(tanker, modes) == "sea"
    pipe = dataclasses.replace(barge, from_layer="pipeline", to_layer="pipeline")
    assert water_area(pipe, modes) is None
    assert [s.iso3 for s in by_country([tanker], modes)] == ["sea"]
    assert [s.iso3 for s in by_country([pipe], modes)] == ["AZE", "KAZ"]


def test_a_border_shuttle_mode_gets_no_default_transfer_at_a_border_post(tmp_path: Path) -> None:
    # The pipeline ends at Bolt, a border post: as a land mode that is no shuttle its default
    # row to rail applies (above); marked a border shuttle (as road is), it does not.
    source = ROUTE_ATLAS
    shuttle = PIPELINE_MODE.replace(
        "  transit: true\n", "  transit: true\n  border_shuttle: true\n"
    )
    files = {
        "modes.yaml": (source / "modes.yaml").read_text(encoding="utf-8") + shuttle,
        "links.csv": (source / "links.csv").read_text(encoding="utf-8") + PIPELINE_LINK,
        "transfers.csv": (source / "transfers.csv").read_text(encoding="utf-8") + PIPELINE_TRANSFER,
    }
    atlas = load_atlas(atlas_copy(source, tmp_path / "atlas", files=files))
    assert atlas.mode_traits["pipeline"].border_shuttle
    best = route(atlas, "Amber", "Dune", year=2025)[0]
    assert "p-amber-bolt" not in best.link_ids
