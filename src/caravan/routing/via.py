"""The least-cost path that uses at least one arc of a given set.

Two shortest-path trees: one from the sources forward, one to the targets backward (on the
reversed arcs), each rooted at a virtual node joined to every source (target) at no cost. The
cheapest path over arc ``a`` costs ``dist_from_sources[tail a] + w[a] + dist_to_targets[head
a]``; the best ``a`` of the set gives the path (the classic "via" query: Dijkstra 1959 twice).
The result is a walk: it may pass a node twice when the only way over the set goes out and
back, which the caller can reject.
"""

from __future__ import annotations

import numpy as np

from caravan.errors import InputError
from caravan.model.arrays import BoolArray, FloatArray, IntArray
from caravan.routing.shortest import ArcPath
from caravan.routing.trees import build_forward_star, shortest_path_tree

__all__ = ["shortest_path_via"]


def _tree_from_many(
    from_idx: IntArray, to_idx: IntArray, weight: FloatArray, roots: IntArray, n_nodes: int
) -> tuple[FloatArray, IntArray]:
    """Distances and predecessor arcs from the nearest of ``roots`` (virtual node ``n_nodes``;
    arcs from it are numbered after the real ones)."""
    n_arcs = from_idx.size
    frm = np.concatenate([from_idx, np.full(roots.size, n_nodes, dtype=np.int64)])
    to = np.concatenate([to_idx, roots.astype(np.int64)])
    cost = np.concatenate([weight, np.zeros(roots.size)])
    indptr, csr = build_forward_star(frm, n_nodes + 1)
    tree = shortest_path_tree(indptr, csr, frm, to, cost, n_nodes)
    pred = tree.pred_link_idx.copy()
    pred[pred >= n_arcs] = -1  # a root: the path starts (ends) here
    return tree.dist[:n_nodes], pred[:n_nodes]


def shortest_path_via(
    from_idx: IntArray,
    to_idx: IntArray,
    weight: FloatArray,
    sources: IntArray,
    targets: IntArray,
    via_mask: BoolArray,
    *,
    n_nodes: int,
) -> ArcPath | None:
    """The least-cost path from any source to any target over at least one ``via_mask`` arc.

    Parameters
    ----------
    from_idx, to_idx : ndarray of int
        Tail and head node of each arc.
    weight : ndarray of float
        Non-negative weight of each arc; ``inf`` removes it.
    sources, targets : ndarray of int
        Where the path may start and end.
    via_mask : ndarray of bool
        The arcs of which the path must use one.
    n_nodes : int
        Number of nodes.

    Returns
    -------
    ArcPath or None
        None when no source reaches a target over a ``via_mask`` arc.

    Examples
    --------
    Two ways from 0 to 3: straight (cost 2) or over arc 2 (cost 5).

    >>> frm, to = np.array([0, 1, 0, 2]), np.array([1, 3, 2, 3])
    >>> w = np.array([1.0, 1.0, 4.0, 1.0])
    >>> p = shortest_path_via(frm, to, w, np.array([0]), np.array([3]),
    ...                       np.array([False, False, True, False]), n_nodes=4)
    >>> p.arcs, p.nodes, p.weight
    ((2, 3), (0, 2, 3), 5.0)
    """
    from_idx = np.asarray(from_idx, dtype=np.int64)
    to_idx = np.asarray(to_idx, dtype=np.int64)
    weight = np.asarray(weight, dtype=np.float64)
    via_mask = np.asarray(via_mask, dtype=bool)
    if not (from_idx.shape == to_idx.shape == weight.shape == via_mask.shape):
        raise InputError(
            f"arc arrays differ in length: {from_idx.size} tails, {to_idx.size} heads, "
            f"{weight.size} weights, {via_mask.size} via flags"
        )
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    if sources.size == 0 or targets.size == 0 or not via_mask.any():
        return None
    dist_f, pred_f = _tree_from_many(from_idx, to_idx, weight, sources, n_nodes)
    dist_b, pred_b = _tree_from_many(to_idx, from_idx, weight, targets, n_nodes)
    via = np.flatnonzero(via_mask & np.isfinite(weight))
    if via.size == 0:
        return None
    total = dist_f[from_idx[via]] + weight[via] + dist_b[to_idx[via]]
    best = int(np.argmin(total))
    if not np.isfinite(total[best]):
        return None
    arc = int(via[best])
    before: list[int] = []
    v = int(from_idx[arc])
    while pred_f[v] >= 0:
        before.append(int(pred_f[v]))
        v = int(from_idx[pred_f[v]])
    source = v
    after: list[int] = []
    v = int(to_idx[arc])
    while pred_b[v] >= 0:
        after.append(int(pred_b[v]))
        v = int(to_idx[pred_b[v]])
    arcs = (*reversed(before), arc, *after)
    nodes = (source, *(int(to_idx[a]) for a in arcs))
    return ArcPath(source, tuple(arcs), nodes, float(weight[list(arcs)].sum()))
