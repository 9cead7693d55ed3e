"""build_network on the hand-checked route atlas (tests/data/route-atlas, numbers worked on paper).

Mode defaults there: rail 50 km/h, 0.05 USD/tkm; road 40 km/h, 0.10; sea 25 km/h, 0.01.
Risk = mean zone risk of the two ends x exposure km x value x aversion x 2e-6 (sea: at most
100 km); for containers (USD 10,000/t) that is 0.02 USD/t per km at zone risk 1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from caravan.errors import InputError, NotFoundError
from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas
from caravan.model.records import Mode
from caravan.network import (
    ArcKind,
    Layer,
    Network,
    build_network,
    cargo_arcs,
    usable_links,
)

ROUTE_ATLAS = Path(__file__).parents[1] / "data" / "route-atlas"


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return load_atlas(ROUTE_ATLAS)


@pytest.fixture(scope="module")
def net(atlas: Atlas) -> Network:
    return build_network(atlas, year=2025, commodity="container")


def _arcs_of(net: Network, link_id: str) -> dict[bool, int]:
    li = net.link_ids.index(link_id)
    idx = np.flatnonzero(net.arc_link_idx == li)
    return {bool(net.arc_forward[a]): int(a) for a in idx}


def _layers_at(net: Network, place_id: str) -> set[Layer]:
    return {net.layers[int(net.vnode_layer_idx[v])] for v in net.vnodes_of(place_id)}


def test_links_by_status_and_year(atlas: Atlas) -> None:
    ids = list(atlas.links_frame["link_id"])

    def usable(year: int, opened: tuple[str, ...] = ()) -> set[str]:
        mask = usable_links(atlas, year=year, open_project_ids=opened)
        return {i for i, ok in zip(ids, mask, strict=True) if ok}

    # r-bolt-cobalt opened 2011, r-amber-ember 2012.
    assert "r-bolt-cobalt" not in usable(2010) and "r-bolt-cobalt" in usable(2011)
    assert "r-amber-ember" not in usable(2011)
    # Under construction, expected 2028: only when opened, and only from 2028.
    assert "r-cobalt-dune" not in usable(2030)
    assert "r-cobalt-dune" not in usable(2027, ("cobalt-link",))
    assert "r-cobalt-dune" in usable(2028, ("cobalt-link",))
    assert len(usable(2025)) == 9  # all but the two unbuilt links


def test_layers_split_places_by_mode_and_gauge(atlas: Atlas, net: Network) -> None:
    assert _layers_at(net, "cobalt") == {Layer(Mode.RAIL, 1520), Layer(Mode.ROAD)}
    assert _layers_at(net, "ember") == {Layer(Mode.RAIL, 1520), Layer(Mode.RAIL, 1435)}
    assert _layers_at(net, "garnet") == set()  # only a proposed road reaches it
    opened = build_network(atlas, year=2030, open_projects=["cobalt-link"])
    assert _layers_at(opened, "cobalt") == {
        Layer(Mode.RAIL, 1520),
        Layer(Mode.RAIL, 1676),
        Layer(Mode.ROAD),
    }
    # three layers at cobalt -> three pairs, each both ways
    cobalt = set(opened.vnodes_of("cobalt").tolist())
    transfers = (opened.arc_kind == ArcKind.TRANSFER) & np.isin(opened.arc_tail_vidx, list(cobalt))
    assert int(transfers.sum()) == 6


def test_border_dwell_and_fee_by_direction(net: Network) -> None:
    arcs = _arcs_of(net, "r-bolt-cobalt")  # UZB->AFG is ab: 10 h, USD 5; back 30 h, USD 8
    ab, ba = arcs[True], arcs[False]
    assert net.arc_dwell_h[ab] == 10 and net.arc_fee_usd_per_t[ab] == 5
    assert net.arc_dwell_h[ba] == 30 and net.arc_fee_usd_per_t[ba] == 8
    assert net.arc_time_h[ab] == pytest.approx(20 / 50 + 10)
    assert net.arc_money_usd_per_t[ba] == pytest.approx(0.05 * 20 + 8)
    assert net.border_ids[net.arc_border_idx[ab]] == "bolt-cobalt"


def test_transfer_uses_the_node_row_over_the_default(net: Network) -> None:
    def transfer_dwell(place: str) -> set[float]:
        vs = net.vnodes_of(place).tolist()
        sel = (net.arc_kind == ArcKind.TRANSFER) & np.isin(net.arc_tail_vidx, vs)
        return set(net.arc_dwell_h[sel].tolist())

    assert transfer_dwell("fjord") == {36.0}  # fjord's own rail 1435 / sea row
    assert transfer_dwell("ember") == {12.0}  # default 1520 / 1435 break
    assert transfer_dwell("harbor") == {12.0}  # default road / sea


def test_cost_parts_and_risk(net: Network) -> None:
    # d-cobalt-dune: 300 km road; zones AFG 0.5 and PAK North 0.6 (overrides PAK 0.2).
    a = _arcs_of(net, "d-cobalt-dune")[True]
    assert net.arc_length_km[a] == 300
    assert net.arc_risk_usd_per_t[a] == pytest.approx(0.55 * 300 * 0.02)
    assert net.arc_money_usd_per_t[a] == pytest.approx(30 + 10)
    assert net.arc_time_h[a] == pytest.approx(7.5 + 6)
    # sea: exposure capped at 100 km; fjord IRN 0.1, harbor PAK South -> PAK 0.2
    s = _arcs_of(net, "s-fjord-harbor")[True]
    assert net.arc_risk_usd_per_t[s] == pytest.approx(0.15 * 100 * 0.02)
    vot = net.value_of_time_usd_per_t_h
    expected = net.arc_money_usd_per_t + vot * net.arc_time_h + net.arc_risk_usd_per_t
    assert np.allclose(net.arc_cost_usd_per_t, expected)
    assert np.allclose(net.arc_time_h, net.arc_run_time_h + net.arc_dwell_h)


def test_arrays_are_read_only_and_csr_is_consistent(net: Network) -> None:
    with pytest.raises(ValueError, match="read-only"):
        net.arc_cost_usd_per_t[0] = 0.0
    assert net.indptr[-1] == net.n_arcs
    for v in range(net.n_vnodes):
        assert (net.arc_tail_vidx[net.indptr[v] : net.indptr[v + 1]] == v).all()


def test_restrictions_apply_by_cargo(net: Network) -> None:
    indian = cargo_arcs(net, origin_iso3="IND", destination_iso3="UZB")
    pak = {net.place_index[p] for p in ("dune", "harbor")}
    touches_pak = np.isin(net.vnode_place_idx[net.arc_tail_vidx], list(pak)) | np.isin(
        net.vnode_place_idx[net.arc_head_vidx], list(pak)
    )
    assert not indian.arc_usable[touches_pak].any()
    assert indian.arc_usable[~touches_pak].all()
    uzbek = cargo_arcs(net, origin_iso3="UZB", destination_iso3="PAK")
    assert uzbek.arc_usable.all() and uzbek.forbidding == ()
    assert not uzbek.arc_surcharge_usd_per_t.any()  # the levy is for bulk only


def test_surcharge_is_charged_on_entry(atlas: Atlas) -> None:
    bulk = build_network(atlas, year=2025, commodity="bulk")
    view = cargo_arcs(bulk, origin_iso3="UZB", destination_iso3="PAK")
    charged = np.flatnonzero(view.arc_surcharge_usd_per_t)
    entered = {bulk.link_ids[bulk.arc_link_idx[a]] for a in charged}
    # entering IRN: amber->ember (ab), and by sea harbor->fjord and indigo->fjord
    assert entered == {"r-amber-ember", "s-fjord-harbor", "s-indigo-fjord"}
    assert set(view.arc_surcharge_usd_per_t[charged].tolist()) == {7.0}
    assert np.allclose(
        view.arc_money_usd_per_t - bulk.arc_money_usd_per_t, view.arc_surcharge_usd_per_t
    )


def test_bad_inputs_get_clear_errors(atlas: Atlas) -> None:
    with pytest.raises(InputError, match=r"outside 1990\.\.2100"):
        build_network(atlas, year=1800)
    with pytest.raises(NotFoundError, match="did you mean 'bulk'"):
        build_network(atlas, year=2025, commodity="bulc")
    with pytest.raises(NotFoundError, match="cobalt-link"):
        build_network(atlas, year=2025, open_projects=["cobalt-lnk"])


def test_scenario_opens_projects(atlas: Atlas) -> None:
    class Scenario:
        open_projects = ("Cobalt-Dune Railway",)

    net = build_network(atlas, year=2030, scenario=Scenario())
    assert net.open_project_ids == ("cobalt-link",)
    assert net.link_usable[net.link_ids.index("r-cobalt-dune")]


@pytest.mark.parametrize("atlas_name", ["route-atlas", "shipped"])
def test_shared_builds_equal_builds_alone(atlas_name: str) -> None:
    """Builds that share what does not depend on the commodity give the very arrays each
    build gives alone (every commodity, in any order)."""
    if atlas_name == "shipped":
        world = load_atlas()
    else:
        world = load_atlas(Path(__file__).parents[1] / "data" / atlas_name)
    shared: dict[object, object] = {}
    commodities = [c.commodity_id for c in world.commodities]
    for commodity in [*commodities, *reversed(commodities)]:
        alone = build_network(world, year=2025, commodity=commodity)
        together = build_network(world, year=2025, commodity=commodity, shared=shared)
        for name, value in vars(alone).items():
            other = getattr(together, name)
            if isinstance(value, np.ndarray):
                assert value.dtype == other.dtype, name
                np.testing.assert_array_equal(value, other, err_msg=name)
            elif name not in ("atlas", "costs"):
                assert value == other, name
    assert len(shared) == 2  # the usable links, and what compile_network shares
