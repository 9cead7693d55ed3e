"""Storage of Algorithm B's bushes: every bush's links and flows in one flat array.

Bush ``b`` lies in slots ``ptr[b]:ptr[b + 1]`` of ``entry`` (search-graph entries) and ``flow``
(the origin's flow on each), its entries grouped by head and the heads in topological order
(:mod:`caravan.assign.algorithm_b` keeps them so). Also here: the kernels that turn the bushes'
flows into entry volumes, times and slopes, and the first bushes (least-cost trees).
"""

from __future__ import annotations

import mmap
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray

from caravan._numba import load_numba
from caravan.assign._problem import Problem
from caravan.assign.vdf import vdf_derivative_scalar, vdf_time_scalar
from caravan.model.arrays import FloatArray, IntArray
from caravan.routing.trees import dijkstra_kernel

load_numba()  # before any kernel runs: see caravan._numba

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


#: Private anonymous mappings can be resized by the kernel (``mremap``) on this platform.
_CAN_MAP = hasattr(mmap, "MAP_PRIVATE") and hasattr(mmap, "MAP_ANONYMOUS")


class _Resizable:
    """One array whose size changes without a second copy of it in memory.

    It lives in a private anonymous mapping of its own, which the kernel grows or shrinks in
    place (``mremap``; pages never written take no memory). ``ndarray.resize`` would copy:
    realloc moves a block this large by copying it, so old and new sit side by side. Where
    mappings cannot be resized (another platform, or a view of the array still alive), the
    array is copied after all.
    """

    def __init__(self, size: int, dtype: type) -> None:
        self.dtype = np.dtype(dtype)
        self._map: mmap.mmap | None = None
        self.array: NDArray[Any] = self._new(size)

    def _new(self, size: int) -> NDArray[Any]:
        if not _CAN_MAP:
            return np.empty(size, self.dtype)
        flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS
        self._map = mmap.mmap(-1, max(1, size) * self.dtype.itemsize, flags=flags)
        return np.frombuffer(self._map, self.dtype, size)

    def resize(self, size: int) -> None:
        """Make it ``size`` elements long, keeping the first ``min(old, size)``."""
        keep = min(size, self.array.size)
        if self._map is not None:
            self.array = np.empty(0, self.dtype)  # drop this object's view of the mapping
            try:
                self._map.resize(max(1, size) * self.dtype.itemsize)
            except (BufferError, OSError, SystemError, ValueError):
                pass  # a view is alive elsewhere, or no mremap here: copied below
            else:
                self.array = np.frombuffer(self._map, self.dtype, size)
                return
            old = np.frombuffer(self._map, self.dtype, keep)
        else:
            old = self.array[:keep]
        new = self._new(size)
        new[:keep] = old
        self.array = new


class Bushes:
    """Every bush's links and flows in flat arrays: bush ``b`` in slots ``ptr[b]:ptr[b + 1]``.

    Within a bush, the entries are grouped by head and the heads in topological order. A bush
    update rewrites the bushes **in place** (see :meth:`update`), so old and new bushes never
    sit side by side; the arrays hold the bushes and a reserve of a sixteenth, and grow and
    shrink in place (:class:`_Resizable`).
    """

    #: Room kept beyond the bushes: ``used // reserve_divisor + reserve_slots`` slots.
    reserve_divisor = 16
    reserve_slots = 1024

    def __init__(self, n_bushes: int, n_slots: int) -> None:
        self.ptr = np.zeros(n_bushes + 1, np.int64)
        self._entry = _Resizable(n_slots, np.int32)
        self._flow = _Resizable(n_slots, np.float64)

    @property
    def entry(self) -> NDArray[Any]:
        """Search-graph entry of each slot."""
        return self._entry.array

    @property
    def flow(self) -> NDArray[Any]:
        """The origin's flow on each slot."""
        return self._flow.array

    @property
    def n_slots(self) -> int:
        return int(self.ptr[-1])

    @property
    def arrays(self) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
        """``ptr, entry, flow``."""
        return self.ptr, self.entry, self.flow

    def _resize(self, size: int) -> None:
        self._entry.resize(size)
        self._flow.resize(size)

    def trim(self) -> None:
        """Give back the room beyond the last bush (in place)."""
        self._resize(max(1, self.n_slots))

    def update(self, run: Callable[[int, Any, Any], int]) -> None:
        """Rewrite every bush in place by ``run(first_bush, in_ptr, out_ptr)``.

        The bushes are first moved to the end of the arrays (``in_ptr`` gives their slots
        there); ``run`` rewrites them, in order, from slot 0 into the same arrays (``out_ptr``
        receives their new slots), never past the start of the next bush still to be read,
        ``in_ptr[b + 1]``. It returns the first bush it could not write for lack of room: the
        arrays are then grown by a sixteenth, the bushes not yet read moved to the new end, and
        it is called again from there.
        """
        n_b = self.ptr.size - 1
        used = self.n_slots
        size = used + self._reserve(used)
        if self.entry.size < size:
            self._resize(size)
        size = self.entry.size
        _move_slots(self.entry, self.flow, 0, used, size - used)
        in_ptr = self.ptr + (size - used)
        out_ptr = np.zeros_like(self.ptr)
        first = 0
        while True:
            first = run(first, in_ptr, out_ptr)
            if first >= n_b:
                break
            new_size = size + self._reserve(size) + 1
            self._resize(new_size)
            lo = int(in_ptr[first])
            _move_slots(self.entry, self.flow, lo, size - lo, new_size - size)
            in_ptr[first:] += new_size - size
            size = new_size
        self.ptr = out_ptr
        used = self.n_slots
        if size > used + 2 * self._reserve(used):  # bushes shrank: give the room back
            self._resize(used + self._reserve(used))

    def _reserve(self, used: int) -> int:
        return used // self.reserve_divisor + self.reserve_slots

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


@njit(cache=True, nogil=True)  # type: ignore[untyped-decorator]
def _move_slots(entry: Any, flow: Any, lo: int, n: int, shift: int) -> None:
    """Move slots ``lo:lo + n`` forward by ``shift >= 0`` (overlap allowed: last slot first)."""
    for k in range(lo + n - 1, lo - 1, -1):
        entry[k + shift] = entry[k]
        flow[k + shift] = flow[k]
