"""The public entry point: ``assign(network, classes, algorithm=...)``."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from caravan.assign._problem import Problem, ProgressFn, Solution, SolveOptions, build_problem
from caravan.assign.algorithm_b import algorithm_b
from caravan.assign.frank_wolfe import frank_wolfe
from caravan.assign.gap import gap_report, problem_gap
from caravan.assign.gradient_projection import gradient_projection
from caravan.assign.records import AssignmentNetwork, AssignmentResult, DemandClass
from caravan.assign.vdf import get_vdf
from caravan.errors import InputError

__all__ = ["ALGORITHMS", "assign"]

ALGORITHMS: dict[str, str] = {
    "fw": "Frank–Wolfe (LeBlanc et al. 1975)",
    "cfw": "conjugate Frank–Wolfe (Mitradjieva & Lindberg 2013)",
    "bfw": "bi-conjugate Frank–Wolfe (Mitradjieva & Lindberg 2013)",
    "gp": "path-based gradient projection (Jayakrishnan et al. 1994)",
    "b": "bush-based Algorithm B (Dial 2006)",
}

#: The high-precision algorithms, which take :class:`SolveOptions`.
PATH_SOLVERS: dict[str, Callable[[Problem, SolveOptions], Solution]] = {
    "gp": gradient_projection,
    "b": algorithm_b,
}


def assign(
    network: AssignmentNetwork,
    classes: Sequence[DemandClass],
    *,
    algorithm: str = "bfw",
    vdf: str = "bpr",
    gap: float = 1e-4,
    max_iter: int | None = None,
    progress: ProgressFn | None = None,
) -> AssignmentResult:
    """Static user-equilibrium assignment of demand classes on a network.

    Parameters
    ----------
    network : AssignmentNetwork
        Link arrays and forward star (see :meth:`AssignmentNetwork.from_links`).
    classes : sequence of DemandClass
        Demand classes, each with its own O-D matrix, usable links, fixed costs and pce.
    algorithm : {"fw", "cfw", "bfw", "gp", "b"}
        ``"gp"`` (path-based gradient projection) and ``"b"`` (Algorithm B, one bush per
        origin, no paths stored) reach very small gaps quickly; the Frank–Wolfe family keeps
        no paths.
    vdf : {"bpr", "conical"}
        Volume-delay function (see :data:`caravan.assign.vdf.VDF_REGISTRY`).
    gap : float
        Relative-gap target; the run stops at the first flows whose gap is at most this.
    max_iter : int, optional
        Iteration cap (default 1000 for the FW family, 500 for ``"gp"`` and ``"b"``).
    progress : callable, optional
        ``progress(iteration, relative_gap)`` after every iteration.

    Returns
    -------
    AssignmentResult
        Its ``relative_gap`` is that of the flows it returns: from the algorithm's last
        shortest-path pass, made at exactly those flows, or else computed afresh.

    Raises
    ------
    InputError
        Unknown algorithm or VDF, bad arrays, non-positive gap or iteration cap.
    NoRouteError
        Positive demand between zones that no path joins.

    Examples
    --------
    Two parallel links, ``t1 = 1 + v1`` and ``t2 = 2 + v2``, 3 trips: ``v1 = 2, v2 = 1``.

    >>> import numpy as np
    >>> net = AssignmentNetwork.from_links([0, 0], [1, 1], [1.0, 2.0], [1.0, 2.0], [1.0, 1.0],
    ...     [1.0, 1.0], n_nodes=2, n_zones=2)
    >>> car = DemandClass("car", np.array([[0.0, 3.0], [0.0, 0.0]]))
    >>> result = assign(net, [car], algorithm="gp", gap=1e-10)
    >>> result.total_flow.round(6).tolist()
    [2.0, 1.0]
    """
    if algorithm not in ALGORITHMS:
        msg = f"unknown algorithm {algorithm!r}; choose one of {sorted(ALGORITHMS)}"
        raise InputError(msg)
    if not gap > 0:
        raise InputError(f"gap must be positive, got {gap}")
    cap = max_iter if max_iter is not None else (500 if algorithm in ("gp", "b") else 1000)
    if cap < 1:
        raise InputError(f"max_iter must be at least 1, got {cap}")
    vdf_fn = get_vdf(vdf)
    problem = build_problem(network, classes, vdf_fn)
    started = time.perf_counter()
    solution: Solution
    if algorithm in PATH_SOLVERS:
        options = SolveOptions(gap=gap, max_iter=cap, progress=progress)
        solution = PATH_SOLVERS[algorithm](problem, options)
    else:
        solution = frank_wolfe(problem, variant=algorithm, gap=gap, max_iter=cap, progress=progress)
    flows = solution.class_flow
    volume = problem.pce @ flows
    link_time = problem.link_time(volume)
    if solution.sptc is None:
        report = problem_gap(problem, flows)  # from scratch at the returned flows
    else:  # the algorithm's last shortest-path pass was made at exactly these flows
        report = gap_report(problem, flows, solution.sptc, link_time)
    seconds = time.perf_counter() - started
    for a in (flows, volume, link_time):
        a.setflags(write=False)
    return AssignmentResult(
        algorithm=algorithm,
        vdf=vdf,
        class_names=problem.names,
        class_flow=flows,
        total_flow=volume,
        link_time=link_time,
        iterations=solution.iterations,
        relative_gap=report.relative_gap,
        tstt=report.tstt,
        tsc=report.tsc,
        beckmann=problem.beckmann(flows),
        gap_history=solution.gap_history,
        seconds=seconds,
        converged=report.relative_gap <= gap,
    )
