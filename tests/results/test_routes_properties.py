"""Properties of routes on random atlases: parts add up, nothing cheaper, alternatives in order."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from caravan.errors import NoRouteError
from caravan.io.atlas import load_atlas
from caravan.network import Objective, build_network, cargo_arcs
from caravan.results import find_routes

ROUTE_ATLAS = Path(__file__).parents[1] / "data" / "route-atlas"
COUNTRIES = ("UZB", "AFG", "PAK")
LAYERS = (("rail", "1520"), ("rail", "1435"), ("road", ""))


@st.composite
def atlas_folders(draw: st.DrawFn) -> Path:
    """A random little atlas: 4..9 places in three countries, rail of two gauges and road."""
    n = draw(st.integers(4, 9))
    countries = draw(st.lists(st.sampled_from(COUNTRIES), min_size=n, max_size=n))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] < p[1]),
            min_size=n - 1,
            max_size=3 * n,
            unique=True,
        )
    )
    folder = Path(tempfile.mkdtemp(prefix="caravan-random-atlas-"))
    for name in ("modes.yaml", "commodities.yaml", "sources.yaml", "atlas.yaml"):
        shutil.copy(ROUTE_ATLAS / name, folder / name)
    zones = []
    for c in sorted(set(countries)):
        risk = draw(st.sampled_from([0.0, 0.1, 0.5, 0.9]))
        zones.append(
            f"- {{zone_id: z-{c.lower()}, name: {c}, country_iso3: {c}, risk: {risk}, "
            "source_ids: [fixture]}"
        )
    (folder / "zones.yaml").write_text("\n".join(zones) + "\n", encoding="utf-8")
    (folder / "projects.yaml").write_text("[]\n", encoding="utf-8")
    nodes = ["node_id,name,country_iso3,admin1,lat,lon,kind,coord_basis,source_ids"]
    for i, c in enumerate(countries):
        nodes.append(f"p{i},Place {i},{c},,{40 + 0.001 * i},{66 + 0.001 * i},city,estimate,fixture")
    links = [
        "link_id,from_node_id,to_node_id,mode,gauge_mm,length_km,length_basis,status,"
        "open_year,oneway,source_ids,notes"
    ]
    borders = [
        "border_id,name,link_id,country_a_iso3,country_b_iso3,dwell_h_ab,dwell_h_ba,"
        "fee_usd_per_t_ab,fee_usd_per_t_ba,source_ids"
    ]
    for j, (a, b) in enumerate(pairs):
        mode, gauge = draw(st.sampled_from(LAYERS))
        km = draw(st.integers(10, 500))
        oneway = draw(st.booleans())
        links.append(
            f"l{j},p{a},p{b},{mode},{gauge},{km},sourced,operational,2000,"
            f"{str(oneway).lower()},fixture,random test link (winding)"
        )
        if countries[a] != countries[b]:
            dw = draw(st.lists(st.integers(0, 40), min_size=4, max_size=4))
            borders.append(
                f"b{j},B{j},l{j},{countries[a]},{countries[b]},{dw[0]},{dw[1]},"
                f"{dw[2]},{dw[3]},fixture"
            )
    transfers = [
        "node_id,from_mode,from_gauge_mm,to_mode,to_gauge_mm,dwell_h,fee_usd_per_t,source_ids",
        ",rail,1520,rail,1435,12,15,fixture",
        ",rail,1520,road,,4,6,fixture",
        ",rail,1435,road,,5,7,fixture",
    ]
    for name, rows in (
        ("nodes.csv", nodes),
        ("links.csv", links),
        ("borders.csv", borders),
        ("transfers.csv", transfers),
    ):
        (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


# Each example writes and loads an atlas (~50 ms), so shrinking a failure would take minutes:
# the shrink phase is off, and a failure is reported as drawn.
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
@given(atlas_folders(), st.data())
def test_routes_on_random_atlases(folder: Path, data: st.DataObject) -> None:
    try:
        atlas = load_atlas(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    commodity = data.draw(st.sampled_from(["container", "bulk"]))
    objective = data.draw(st.sampled_from(list(Objective)))
    net = build_network(atlas, year=2025, commodity=commodity)
    ids = list(atlas.nodes_frame["node_id"])
    o = data.draw(st.sampled_from(ids))
    d = data.draw(st.sampled_from([x for x in ids if x != o]))
    try:
        routes = find_routes(net, o, d, by=objective, k=4, max_overlap=1.0)
    except NoRouteError:
        routes = ()

    # networkx on the same arcs, with a super-source and a super-sink
    cargo = cargo_arcs(
        net, origin_iso3=atlas.node(o).country_iso3, destination_iso3=atlas.node(d).country_iso3
    )
    weight = cargo.weight(objective)
    g = nx.MultiDiGraph()
    for a in np.flatnonzero(cargo.arc_usable):
        g.add_edge(int(net.arc_tail_vidx[a]), int(net.arc_head_vidx[a]), w=float(weight[a]))
    for v in net.vnodes_of(o):
        g.add_edge("S", int(v), w=0.0)
    for v in net.vnodes_of(d):
        g.add_edge(int(v), "T", w=0.0)
    try:
        best = nx.dijkstra_path_length(g, "S", "T", weight="w") if "S" in g and "T" in g else None
    except nx.NetworkXNoPath:
        best = None
    if best is None:
        assert routes == ()
        return
    assert routes, "networkx finds a path, so must we"
    assert routes[0].objective_value == pytest.approx(best)

    vot = net.value_of_time_usd_per_t_h
    for r in routes:
        # the cost is the sum of its parts, and the legs add up to the totals
        assert r.cost_usd_per_t == pytest.approx(
            r.money_usd_per_t + vot * r.time_h + r.risk_usd_per_t
        )
        assert sum(leg.cost_usd_per_t for leg in r.legs) == pytest.approx(r.cost_usd_per_t)
        assert sum(leg.length_km for leg in r.legs) == pytest.approx(r.length_km)
        assert sum(s.time_h for s in r.by_country) == pytest.approx(r.time_h)
        assert r.node_ids[0] == o and r.node_ids[-1] == d
        assert len(set(r.node_ids)) == len(r.node_ids)  # loopless in places
    # distinct, in order of the objective
    assert len(
        {
            (r.link_ids, tuple((t.node_id, t.to_mode, t.to_gauge_mm) for t in r.transfers))
            for r in routes
        }
    ) == len(routes)
    values = [r.objective_value for r in routes]
    assert all(a <= b + 1e-9 for a, b in itertools.pairwise(values))
