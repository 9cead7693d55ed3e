"""Path-size logit SUE: hand-checked cases and invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caravan.assign.path_logit import RouteSets, path_size, solve_path_logit_sue


def _solve(routes: RouteSets, n_arcs: int, **kw: object):  # type: ignore[no-untyped-def]
    base = {
        "flow_tonnes": np.array([100.0]),
        "flow_theta_per_usd": np.array([0.5]),
        "flow_value_of_time_usd_per_t_h": np.array([1.0]),
        "arc_money_usd_per_t": np.full(n_arcs, 10.0),
        "arc_time_h": np.full(n_arcs, 1.0),
        "arc_risk_usd_per_t": np.zeros(n_arcs),
        "arc_length_km": np.full(n_arcs, 100.0),
        "arc_group_idx": np.full(n_arcs, -1),
        "group_capacity_t": np.zeros(0),
        "group_base_delay_h": np.zeros(0),
    }
    base.update(kw)
    return solve_path_logit_sue(routes, **base)  # type: ignore[arg-type]


def test_logit_shares_by_hand() -> None:
    # Two disjoint one-arc routes; costs 10+1=11 and 12+1=13 USD/t; theta 0.5:
    # P1 = 1 / (1 + exp(-0.5 * 2)) = 0.7311.
    routes = RouteSets(np.array([0, 1, 2]), np.array([0, 1]), np.array([0, 0]))
    res = _solve(routes, 2, arc_money_usd_per_t=np.array([10.0, 12.0]))
    assert res.route_probability[0] == pytest.approx(1 / (1 + np.exp(-1.0)), rel=1e-9)
    assert res.route_tonnes.sum() == pytest.approx(100.0)


def test_path_size_discounts_overlap() -> None:
    # Routes 0 and 1 share arc 0 (half their length); route 2 is disjoint.
    routes = RouteSets(np.array([0, 2, 4, 5]), np.array([0, 1, 0, 2, 3]), np.array([0, 0, 0]))
    lengths = np.array([100.0, 100.0, 100.0, 200.0])
    ps = path_size(routes, lengths, 1)
    assert ps.tolist() == pytest.approx([0.75, 0.75, 1.0])


def test_full_link_spills_onto_next_route() -> None:
    # Route 0 is cheaper (10 vs 14 USD/t) but its arc has capacity 20 t; with 100 t the
    # delay there grows until most cargo takes route 1.
    routes = RouteSets(np.array([0, 1, 2]), np.array([0, 1]), np.array([0, 0]))
    free = _solve(routes, 2, arc_money_usd_per_t=np.array([10.0, 14.0]))
    capped = _solve(
        routes,
        2,
        arc_money_usd_per_t=np.array([10.0, 14.0]),
        arc_group_idx=np.array([0, -1]),
        group_capacity_t=np.array([20.0]),
        group_base_delay_h=np.array([24.0]),
        max_iter=200,
    )
    assert free.route_tonnes[0] > 80
    assert capped.route_tonnes[0] < free.route_tonnes[0] - 40
    assert capped.route_tonnes.sum() == pytest.approx(100.0)
    assert capped.converged


@settings(max_examples=50, deadline=None)
@given(
    n_flows=st.integers(1, 4),
    seed=st.integers(0, 10_000),
)
def test_demand_is_conserved(n_flows: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_arcs = 8
    ptr, arcs, flow_of = [0], [], []
    for f in range(n_flows):
        for _ in range(int(rng.integers(1, 4))):
            chosen = rng.choice(n_arcs, size=int(rng.integers(1, 4)), replace=False)
            arcs += chosen.tolist()
            ptr.append(len(arcs))
            flow_of.append(f)
    routes = RouteSets(np.array(ptr), np.array(arcs), np.array(flow_of))
    tonnes = rng.uniform(1, 100, n_flows)
    res = _solve(
        routes,
        n_arcs,
        flow_tonnes=tonnes,
        flow_theta_per_usd=np.full(n_flows, 0.2),
        flow_value_of_time_usd_per_t_h=np.full(n_flows, 1.0),
        arc_money_usd_per_t=rng.uniform(1, 20, n_arcs),
        arc_group_idx=np.arange(n_arcs) % 3,
        group_capacity_t=np.array([50.0, 80.0, 120.0]),
        group_base_delay_h=np.array([5.0, 5.0, 5.0]),
    )
    served = np.bincount(np.array(flow_of), weights=res.route_tonnes, minlength=n_flows)
    assert served == pytest.approx(tonnes)
    assert np.all(res.route_tonnes >= 0)
