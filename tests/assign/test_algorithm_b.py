"""Algorithm B (bush-based) against gradient projection, and its properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from caravan.assign import AssignmentNetwork, DemandClass, assign, relative_gap
from caravan.assign.tntp import assign_tntp, best_known_flow
from caravan.io.tntp import read_tntp_dir

from .helpers import conservation_residual, tntp_network_dir
from .test_assign import random_problems


def test_sioux_falls_agrees_with_gp_to_the_gap() -> None:
    data = read_tntp_dir(tntp_network_dir("SiouxFalls"))
    b = assign_tntp(data, algorithm="b", gap=1e-11)
    gp = assign_tntp(data, algorithm="gp", gap=1e-11)
    assert b.result.relative_gap <= 1e-11 and gp.result.relative_gap <= 1e-11
    # link flows of a strictly monotone problem are unique: both sit next to them
    scale = gp.result.total_flow.max()
    np.testing.assert_allclose(b.result.total_flow, gp.result.total_flow, atol=1e-4 * scale)
    assert b.result.tstt == pytest.approx(gp.result.tstt, rel=1e-9)
    best = best_known_flow(data)
    assert best is not None
    np.testing.assert_allclose(b.result.total_flow, best, atol=1e-3 * scale)
    p = b.problem
    residual = conservation_residual(p.network, b.result.total_flow, p.demand_class.demand)
    np.testing.assert_allclose(residual, 0.0, atol=1e-9 * p.demand_class.total_demand)


def test_the_gap_reported_is_that_of_the_flows_returned() -> None:
    data = read_tntp_dir(tntp_network_dir("SiouxFalls"))
    seen: list[tuple[int, float]] = []
    run = assign_tntp(data, algorithm="b", gap=1e-6, progress=lambda i, g: seen.append((i, g)))
    p = run.problem
    fresh = relative_gap(p.network, [p.demand_class], run.result.class_flow)
    assert run.result.relative_gap == pytest.approx(fresh.relative_gap, rel=1e-9, abs=1e-15)
    # progress hears only gaps from a full shortest-path pass: the last one is the result's
    assert seen and seen[-1] == (run.result.iterations, run.result.gap_history[-1])
    assert seen[-1][1] == pytest.approx(run.result.relative_gap, rel=1e-9, abs=1e-15)
    # the bushes' own gaps recorded before it are lower bounds above the target
    assert all(g > 1e-6 for g in run.result.gap_history[:-1])


@settings(max_examples=40, deadline=None)
@given(random_problems())
def test_b_and_gp_reach_the_same_objective(problem: tuple[AssignmentNetwork, np.ndarray]) -> None:
    net, demand = problem
    car = DemandClass("car", demand)
    b = assign(net, [car], algorithm="b", gap=1e-10)
    gp = assign(net, [car], algorithm="gp", gap=1e-10)
    assert b.converged and gp.converged
    # the Beckmann objective's minimum is unique even where link flows are not
    assert b.beckmann == pytest.approx(gp.beckmann, rel=1e-7, abs=1e-9)
    scale = max(1.0, demand.sum())
    np.testing.assert_allclose(
        conservation_residual(net, b.total_flow, demand), 0.0, atol=1e-9 * scale
    )
    assert np.all(b.total_flow >= 0.0)


def test_several_origins_share_links_and_balance_two_routes() -> None:
    # zones 0 and 1 both send to zone 2 over two parallel routes through nodes 3 and 4
    frm = [0, 1, 3, 3, 4, 4, 0, 1]
    to = [3, 3, 2, 2, 2, 2, 4, 4]
    fft = [0.0, 0.0, 1.0, 2.0, 1.5, 1.0, 1.0, 0.5]
    net = AssignmentNetwork.from_links(
        frm, to, fft, [10.0] * 8, [0.15] * 8, [4.0] * 8, n_nodes=5, n_zones=3
    )
    demand = np.zeros((3, 3))
    demand[0, 2] = 30.0
    demand[1, 2] = 20.0
    car = DemandClass("car", demand)
    b = assign(net, [car], algorithm="b", gap=1e-12)
    gp = assign(net, [car], algorithm="gp", gap=1e-12)
    np.testing.assert_allclose(b.total_flow, gp.total_flow, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(conservation_residual(net, b.total_flow, demand), 0.0, atol=1e-9)


def test_many_iterations_are_capped() -> None:
    data = read_tntp_dir(tntp_network_dir("SiouxFalls"))
    run = assign_tntp(data, algorithm="b", gap=1e-14, max_iter=2)
    assert run.result.iterations == 2 and not run.result.converged
    assert run.result.relative_gap > 1e-14
