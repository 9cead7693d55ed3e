"""Records of an assignment: the network as link arrays, demand classes and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from caravan.errors import InputError
from caravan.model.arrays import BoolArray, FloatArray, IntArray
from caravan.routing.search_graph import SearchGraph, compile_search_graph
from caravan.routing.trees import build_forward_star

__all__ = ["AssignmentNetwork", "AssignmentResult", "DemandClass"]


_T = TypeVar("_T", bound=np.generic)


def _frozen(a: NDArray[_T]) -> NDArray[_T]:
    out = np.array(a, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class AssignmentNetwork:
    """A road (or freight) network compiled to link arrays and a forward star.

    Zones are nodes ``0 .. n_zones - 1``; demand matrices are indexed the same way. Times are in
    the network's own time unit (the unit of ``free_flow_time``). Build it with
    :meth:`from_links`, which validates the arrays and makes them read-only.

    Attributes
    ----------
    from_idx, to_idx : ndarray of int64
        Tail and head node index of each link.
    free_flow_time : ndarray of float64
        Time at zero volume (may be 0).
    capacity : ndarray of float64
        Positive capacity, in the demand's unit per period.
    alpha, beta : ndarray of float64
        Volume-delay parameters of each link (BPR ``b`` and ``power``, or conical alpha/beta).
    n_nodes, n_zones : int
        Node and zone counts.
    blocked_node_mask : ndarray of bool
        Nodes that paths may start or end at but never pass through (TNTP's zones below
        ``<FIRST THRU NODE>``).
    indptr, csr_link_idx : ndarray of int64
        The forward star (links sorted by tail node).
    """

    from_idx: IntArray
    to_idx: IntArray
    free_flow_time: FloatArray
    capacity: FloatArray
    alpha: FloatArray
    beta: FloatArray
    n_nodes: int
    n_zones: int
    blocked_node_mask: BoolArray
    indptr: IntArray = field(repr=False)
    csr_link_idx: IntArray = field(repr=False)

    @property
    def n_links(self) -> int:
        """Number of links."""
        return int(self.from_idx.size)

    @cached_property
    def search_graph(self) -> SearchGraph:
        """The forward star compiled for zone-to-zone searches (built on first use, then kept)."""
        return compile_search_graph(
            self.from_idx,
            self.to_idx,
            n_nodes=self.n_nodes,
            n_zones=self.n_zones,
            blocked_node_mask=self.blocked_node_mask,
        )

    @classmethod
    def from_links(
        cls,
        from_idx: IntArray,
        to_idx: IntArray,
        free_flow_time: FloatArray,
        capacity: FloatArray,
        alpha: FloatArray,
        beta: FloatArray,
        *,
        n_nodes: int,
        n_zones: int,
        first_thru_node_idx: int = 0,
        blocked_node_mask: BoolArray | None = None,
    ) -> AssignmentNetwork:
        """Validate link arrays and compile them.

        Parameters
        ----------
        from_idx, to_idx, free_flow_time, capacity, alpha, beta : array_like
            One value per link (see the class attributes).
        n_nodes, n_zones : int
            Node and zone counts; zones are nodes ``0 .. n_zones - 1``.
        first_thru_node_idx : int
            Nodes below this index are blocked (TNTP's ``<FIRST THRU NODE>`` minus one).
        blocked_node_mask : array_like of bool, optional
            Explicit blocked nodes (combined with ``first_thru_node_idx``).

        Raises
        ------
        InputError
            Listing every problem found.

        Examples
        --------
        >>> net = AssignmentNetwork.from_links([0, 0], [1, 1], [1.0, 2.0], [1.0, 1.0],
        ...     [0.15, 0.15], [4.0, 4.0], n_nodes=2, n_zones=2)
        >>> net.n_links, net.indptr.tolist()
        (2, [0, 2, 2])
        """
        frm = np.asarray(from_idx, dtype=np.int64)
        to = np.asarray(to_idx, dtype=np.int64)
        arrays = {
            "free_flow_time": np.asarray(free_flow_time, dtype=np.float64),
            "capacity": np.asarray(capacity, dtype=np.float64),
            "alpha": np.asarray(alpha, dtype=np.float64),
            "beta": np.asarray(beta, dtype=np.float64),
        }
        problems: list[str] = []
        n_links = frm.size
        if to.size != n_links:
            problems.append(f"to_idx has {to.size} values for {n_links} links")
        for name, arr in arrays.items():
            if arr.shape != (n_links,):
                problems.append(f"{name} has shape {arr.shape}, expected ({n_links},)")
            elif not np.all(np.isfinite(arr)):
                problems.append(
                    f"{name} has non-finite values at links {_first(~np.isfinite(arr))}"
                )
        if n_zones < 0 or n_zones > n_nodes:
            problems.append(f"n_zones={n_zones} must lie in 0..n_nodes={n_nodes}")
        for name, arr_i in (("from_idx", frm), ("to_idx", to)):
            bad = (arr_i < 0) | (arr_i >= n_nodes)
            if arr_i.size and bad.any():
                problems.append(f"{name} outside 0..{n_nodes - 1} at links {_first(bad)}")
        if not problems:
            checks = {
                "free_flow_time": arrays["free_flow_time"] < 0,
                "capacity": arrays["capacity"] <= 0,
                "alpha": arrays["alpha"] < 0,
                "beta": arrays["beta"] < 0,
            }
            for name, bad in checks.items():
                if bad.any():
                    problems.append(
                        f"{name} is {'not positive' if name == 'capacity' else 'negative'}"
                        f" at links {_first(bad)}"
                    )
        if problems:
            raise InputError("invalid assignment network: " + "; ".join(problems))
        blocked = np.zeros(n_nodes, dtype=np.bool_)
        blocked[: max(0, first_thru_node_idx)] = True
        if blocked_node_mask is not None:
            extra = np.asarray(blocked_node_mask, dtype=np.bool_)
            if extra.shape != (n_nodes,):
                msg = f"blocked_node_mask has shape {extra.shape}, expected ({n_nodes},)"
                raise InputError(msg)
            blocked |= extra
        indptr, csr_link_idx = build_forward_star(frm, n_nodes)
        return cls(
            from_idx=_frozen(frm),
            to_idx=_frozen(to),
            free_flow_time=_frozen(arrays["free_flow_time"]),
            capacity=_frozen(arrays["capacity"]),
            alpha=_frozen(arrays["alpha"]),
            beta=_frozen(arrays["beta"]),
            n_nodes=int(n_nodes),
            n_zones=int(n_zones),
            blocked_node_mask=_frozen(blocked),
            indptr=_frozen(indptr),
            csr_link_idx=_frozen(csr_link_idx),
        )


def _first(mask: NDArray[np.bool_], limit: int = 5) -> str:
    idx = np.flatnonzero(mask)
    shown = ", ".join(str(int(i)) for i in idx[:limit])
    return shown + (f" (+{idx.size - limit} more)" if idx.size > limit else "")


@dataclass(frozen=True)
class DemandClass:
    """One class of demand: its O-D matrix, the links it may use and its fixed link costs.

    Attributes
    ----------
    name : str
        Class name (``"car"``, ``"truck"``).
    demand : ndarray of float64, shape (n_zones, n_zones)
        Trips from each origin zone (row) to each destination zone (column); the diagonal is
        ignored.
    link_mask : ndarray of bool or None
        Links the class may use (``None``: all).
    fixed_cost : ndarray of float64 or None
        Flow-independent cost added to the link time for this class, in time units (generalised
        cost, e.g. ``0.04 * length``); ``None``: 0.
    pce : float
        Passenger-car equivalents of one unit of this class's demand in the link volume.

    Examples
    --------
    >>> DemandClass("car", np.array([[0.0, 5.0], [0.0, 0.0]])).total_demand
    5.0
    """

    name: str
    demand: FloatArray
    link_mask: BoolArray | None = None
    fixed_cost: FloatArray | None = None
    pce: float = 1.0

    def __post_init__(self) -> None:
        demand = np.asarray(self.demand, dtype=np.float64)
        problems: list[str] = []
        if demand.ndim != 2 or demand.shape[0] != demand.shape[1]:
            problems.append(f"demand must be a square matrix, got shape {demand.shape}")
        elif not np.all(np.isfinite(demand)) or (demand < 0).any():
            problems.append("demand has negative or non-finite entries")
        if not (np.isfinite(self.pce) and self.pce > 0):
            problems.append(f"pce must be positive, got {self.pce}")
        if self.fixed_cost is not None:
            fc = np.asarray(self.fixed_cost, dtype=np.float64)
            if not np.all(np.isfinite(fc)) or (fc < 0).any():
                problems.append("fixed_cost has negative or non-finite entries")
            object.__setattr__(self, "fixed_cost", _frozen(fc))
        if self.link_mask is not None:
            object.__setattr__(self, "link_mask", _frozen(np.asarray(self.link_mask, np.bool_)))
        if problems:
            raise InputError(f"demand class {self.name!r}: " + "; ".join(problems))
        object.__setattr__(self, "demand", _frozen(demand))

    @property
    def total_demand(self) -> float:
        """Total off-diagonal demand."""
        return float(self.demand.sum() - np.trace(self.demand))


@dataclass(frozen=True)
class AssignmentResult:
    """The outcome of an equilibrium assignment.

    Attributes
    ----------
    algorithm : str
        Algorithm key (``"bfw"``, ``"gp"``, ...).
    vdf : str
        Volume-delay function key.
    class_names : tuple of str
        Demand-class names, in the order of ``class_flow``'s rows.
    class_flow : ndarray of float64, shape (n_classes, n_links)
        Link flow of each class, in that class's demand unit.
    total_flow : ndarray of float64
        Link volume (sum of class flows times their pce).
    link_time : ndarray of float64
        Congested link time at ``total_flow``.
    iterations : int
        Iterations performed (each one shortest-path pass over all origins).
    relative_gap : float
        (total system cost - shortest-path total cost) / total system cost at the returned flows.
    tstt : float
        Total system travel time, sum over classes of flow times link time.
    tsc : float
        Total system generalised cost (time plus each class's fixed cost).
    beckmann : float
        Beckmann objective at the returned flows.
    gap_history : tuple of float
        Relative gap after each iteration. Algorithm ``"b"`` makes the shortest-path pass
        that measures it only once its bushes' own gap (a lower bound) reaches the target;
        before that, the lower bound is recorded.
    seconds : float
        Wall-clock time of the run.
    converged : bool
        Whether ``relative_gap`` reached the requested gap.
    """

    algorithm: str
    vdf: str
    class_names: tuple[str, ...]
    class_flow: FloatArray
    total_flow: FloatArray
    link_time: FloatArray
    iterations: int
    relative_gap: float
    tstt: float
    tsc: float
    beckmann: float
    gap_history: tuple[float, ...]
    seconds: float
    converged: bool
