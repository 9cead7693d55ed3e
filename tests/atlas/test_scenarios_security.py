"""``pakistan-insecurity`` and ``iran-disruption`` take their zone risks from the security layer."""

from __future__ import annotations

import pytest

from caravan.errors import InputError
from caravan.io.atlas import load_atlas
from caravan.io.scenario import load_scenario
from caravan.results.runs import scenario_world
from caravan.security.files import atlas_events
from caravan.security.risk import security_atlas


@pytest.mark.parametrize(
    ("name", "zone_id"),
    [
        ("pakistan-insecurity", "pak-khyber-pakhtunkhwa"),
        ("pakistan-insecurity", "pak-balochistan"),
        ("iran-disruption", "irn"),
    ],
)
def test_zone_risk_comes_from_the_events(name: str, zone_id: str) -> None:
    atlas = load_atlas()
    scenario = load_scenario(name, atlas)
    assert scenario.security_as_of is not None
    world = scenario_world(atlas, scenario, events=atlas_events(atlas))
    layer = security_atlas(atlas, as_of=scenario.security_as_of, events=atlas_events(atlas))
    risk = {z.zone_id: z for z in world.zones}[zone_id]
    expected = {z.zone_id: z for z in layer.zones}[zone_id]
    analysts = {z.zone_id: z.risk for z in atlas.zones}[zone_id]
    assert risk.risk == pytest.approx(expected.risk)
    assert risk.risk > analysts  # the events raise it above the analysts' floor
    assert world.meta["security_as_of"] == scenario.security_as_of


def test_a_world_that_needs_the_events_says_so_without_them() -> None:
    atlas = load_atlas()
    scenario = load_scenario("iran-disruption", atlas)
    with pytest.raises(InputError, match="takes its zone risks from the security layer"):
        scenario_world(atlas, scenario)


def test_the_iran_war_surcharge_is_paid_on_the_way_into_iran_only() -> None:
    """The description says cargo entering Iran pays US$20/t more at the border. A border's fee
    counts as revenue of the country entered (``results.legs.by_country``), so a surcharge on
    both directions credited Iran's neighbours with war surcharges on cargo leaving Iran
    (docs/scenarios.md showed Turkmen transit -0.85 Mt but its revenue +3.9 M USD)."""
    atlas = load_atlas()
    scenario = load_scenario("iran-disruption", atlas)
    world = scenario_world(atlas, scenario, events=atlas_events(atlas))
    before = atlas.borders_frame.set_index("border_id")
    after = world.borders_frame.set_index("border_id")
    touches_iran = (before["country_a_iso3"] == "IRN") | (before["country_b_iso3"] == "IRN")
    raised = 0
    for border_id in before.index[touches_iran]:
        into, out_of = (
            ("fee_usd_per_t_ab", "fee_usd_per_t_ba")
            if before.at[border_id, "country_b_iso3"] == "IRN"
            else ("fee_usd_per_t_ba", "fee_usd_per_t_ab")
        )
        assert after.at[border_id, out_of] == before.at[border_id, out_of], border_id
        if after.at[border_id, into] != before.at[border_id, into]:
            assert after.at[border_id, into] == pytest.approx(before.at[border_id, into] + 20.0)
            raised += 1
    assert raised >= 15  # every open crossing into Iran (rail, road and Caspian ferry)
