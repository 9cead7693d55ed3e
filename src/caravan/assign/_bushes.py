"""Storage of Algorithm B's bushes: every bush's links and flows in one flat array.

Bush ``b`` lies in slots ``ptr[b]:ptr[b + 1]`` of ``entry`` (search-graph entries) and ``flow``
(the origin's flow on each), its entries grouped by head and the heads in topological order
(:mod:`caravan.assign.algorithm_b` keeps them so). Also here: the kernels that turn the bushes'
flows into entry volumes, times and slopes, and the first bushes (least-cost trees).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray

from caravan.assign._problem import Problem, grown
from caravan.assign.vdf import vdf_derivative_scalar, vdf_time_scalar
from caravan.model.arrays import FloatArray, IntArray
from caravan.routing.trees import dijkstra_kernel

__all__ = ["Bushes", "entry_update", "init_bushes", "rebuild_volumes"]


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def entry_update(
    e: int, v: float, member_ptr: Any, member_link: Any, code: int,
    fft: Any, cap: Any, alpha: Any, beta: Any, et: Any, ed: Any,
) -> None:  # fmt: skip
    """Time and slope of entry ``e`` at volume ``v``: sums over the links of its chain."""
    t = 0.0
    d = 0.0
    for k in range(member_ptr[e], member_ptr[e + 1]):
        a = member_link[k]
        t += vdf_time_scalar(code, v, fft[a], cap[a], alpha[a], beta[a])
        d += vdf_derivative_scalar(code, v, fft[a], cap[a], alpha[a], beta[a])
    et[e] = t
    ed[e] = d


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def rebuild_volumes(
    ptr: Any, bush_entry: Any, bush_flow: Any, bush_class: Any, pce: Any, member_ptr: Any,
    member_link: Any, code: int, fft: Any, cap: Any, alpha: Any, beta: Any, ev: Any, et: Any,
    ed: Any,
) -> None:  # fmt: skip
    """Entry volumes from the bushes' flows (no drift), then every entry's time and slope."""
    ev[:] = 0.0
    for b in range(bush_class.size):
        w = pce[bush_class[b]]
        for k in range(ptr[b], ptr[b + 1]):
            f = bush_flow[k]
            if f > 0.0:
                ev[bush_entry[k]] += w * f
    for e in range(ev.size):
        entry_update(e, ev[e], member_ptr, member_link, code, fft, cap, alpha, beta, et, ed)


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def init_bushes(
    indptr: Any, head: Any, tail: Any, class_cost: Any, blocked: Any, bush_class: Any,
    bush_origin: Any, demand: Any, ptr: Any, bush_entry: Any, bush_flow: Any,
) -> Any:  # fmt: skip
    """Each bush is the least-cost tree of its origin, carrying all of the origin's trips.

    The tree's entries are stored in the order their heads were settled (a topological order).
    Returns ``(-1, -1)``, or the bush and destination of demand that no path reaches.
    """
    n = indptr.size - 1
    n_z = demand.shape[1]
    dist = np.empty(n)
    pred = np.empty(n, np.int64)
    order = np.empty(n, np.int64)
    heap_node = np.empty(n, np.int64)
    heap_key = np.empty(n)
    pos = np.empty(n, np.int64)
    no_target = np.zeros(n, np.uint8)
    acc = np.zeros(n)
    used = 0
    for b in range(bush_class.size):
        c = bush_class[b]
        o = bush_origin[b]
        n_settled = dijkstra_kernel(
            indptr, head, class_cost[c], blocked, o, no_target, 0, dist, pred, order,
            heap_node, heap_key, pos,
        )  # fmt: skip
        for d in range(n_z):
            if d != o and demand[c, o, d] > 0.0:
                if pred[d] < 0:
                    return b, d
                acc[d] = demand[c, o, d]
        ptr[b] = used
        for k in range(n_settled - 1, 0, -1):
            v = order[k]
            e = pred[v]
            bush_entry[used + k - 1] = e
            bush_flow[used + k - 1] = acc[v]
            acc[tail[e]] += acc[v]
            acc[v] = 0.0
        acc[o] = 0.0
        used += n_settled - 1
    ptr[bush_class.size] = used
    return -1, -1


class Bushes:
    """Every bush's links and flows in flat arrays: bush ``b`` in slots ``ptr[b]:ptr[b + 1]``.

    Within a bush, the entries are grouped by head and the heads in topological order.
    """

    def __init__(self, n_bushes: int, n_slots: int) -> None:
        self.ptr = np.zeros(n_bushes + 1, np.int64)
        self.entry = np.empty(n_slots, np.int32)
        self.flow = np.empty(n_slots)

    @property
    def n_slots(self) -> int:
        return int(self.ptr[-1])

    @property
    def arrays(self) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
        """``ptr, entry, flow``."""
        return self.ptr, self.entry, self.flow

    def trim(self) -> None:
        """Give back the room beyond the last bush."""
        self.entry = self.entry[: self.n_slots].copy()
        self.flow = self.flow[: self.n_slots].copy()

    def update(self, run: Callable[[int, tuple[Any, ...]], int]) -> None:
        """Rewrite every bush by ``run(first_bush, (ptr, entry, flow))`` into new arrays.

        ``run`` returns the first bush it could not write for lack of room; the arrays are
        then grown by half and it is called again from there.
        """
        n_b = self.ptr.size - 1
        out_ptr = np.zeros_like(self.ptr)
        size = self.n_slots + self.n_slots // 4 + 1024
        out = (out_ptr, np.empty(size, np.int32), np.empty(size))
        first = 0
        while True:
            first = run(first, out)
            if first >= n_b:
                break
            size += size // 2
            out = (out_ptr, grown(out[1], size), grown(out[2], size))
        self.ptr, self.entry, self.flow = out
        self.trim()

    def class_flow(self, problem: Problem, bush_class: IntArray) -> FloatArray:
        """Link flows of each class from the bushes' entry flows."""
        sg = problem.network.search_graph
        entry_flow = np.zeros((problem.n_classes, sg.n_entries))
        _sum_bushes(*self.arrays, bush_class, entry_flow)
        out = np.zeros((problem.n_classes, problem.network.n_links))
        for c in range(problem.n_classes):
            out[c] = sg.link_values(entry_flow[c], problem.network.n_links)
        return out


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _sum_bushes(ptr: Any, entry: Any, flow: Any, bush_class: Any, entry_flow: Any) -> None:
    for b in range(bush_class.size):
        c = bush_class[b]
        for k in range(ptr[b], ptr[b + 1]):
            if flow[k] > 0.0:
                entry_flow[c, entry[k]] += flow[k]
