"""Modelled counterparts of observed counts, and the fit between the two.

Each observed count (:class:`~caravan.model.counts.ObservedCount`) is a sum over routes: a
route contributes its tonnes to a border count when it uses the border's link, to a corridor
count when it uses any of the corridor's links, to a port count when it uses a sea or ferry
link at the port (and, for ``scope: transit``, when neither end of its flow lies in the port's
country; for ``scope: transit_in``, when besides it comes in by water and goes on by land from
the port, as customs book transit at its gateway of entry), and to a country's transit count
when it touches the country on land with neither end there (the rule of
:func:`caravan.results.run_tables.land_countries`). The count-route incidence matrix ``A`` is
what origin-destination matrix estimation needs as well: ``modelled = A @ route_tonnes``.

Fit statistics per count: the ratio modelled / observed, the absolute error and the GEH
statistic, GEH = sqrt(2 (M - C)^2 / (M + C)), computed here on volumes expressed as 20-tonne
loads per hour (tonnes a year / 20 / 8,760), the scale of the hourly vehicle counts the
statistic was designed for (UK Design Manual for Roads and Bridges, TA 46/97; GEH < 5 is the
usual acceptance threshold).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from caravan.model.atlas import Atlas
from caravan.model.counts import CountKind, CountScope, ObservedCount
from caravan.model.modes import ModeTraits

__all__ = [
    "GEH_LOAD_T",
    "count_fit",
    "count_incidence",
    "fit_summary",
    "geh",
]

#: Tonnes per load used to express annual tonnes as loads per hour for the GEH statistic.
GEH_LOAD_T = 20.0
_HOURS_PER_YEAR = 8760.0


def geh(modelled_tonnes: np.ndarray, observed_tonnes: np.ndarray) -> np.ndarray:
    """GEH statistic of annual tonnes, on 20-tonne loads per hour.

    Examples
    --------
    >>> float(geh(np.array([0.0]), np.array([0.0]))[0])
    0.0
    >>> round(float(geh(np.array([5.256e6]), np.array([3.504e6]))[0]), 3)
    2.0
    """
    m = np.asarray(modelled_tonnes, dtype=float) / GEH_LOAD_T / _HOURS_PER_YEAR
    c = np.asarray(observed_tonnes, dtype=float) / GEH_LOAD_T / _HOURS_PER_YEAR
    total = m + c
    out = np.zeros_like(total)
    pos = total > 0
    out[pos] = np.sqrt(2.0 * (m[pos] - c[pos]) ** 2 / total[pos])
    return out


def count_incidence(
    world: Atlas, routes: pd.DataFrame, flows: pd.DataFrame, counts: Sequence[ObservedCount]
) -> sp.csr_matrix:
    """The 0/1 matrix ``A[count, route]``: which routes a count sees.

    Parameters
    ----------
    world : Atlas
        The atlas the run used (for link ends, modes, borders and node countries).
    routes : pandas.DataFrame
        A run's route table (``flow_id``, ``link_ids`` as ``;``-joined text), in route order.
    flows : pandas.DataFrame
        A run's flow table (``flow_id``, ``origin_node_id``, ``destination_node_id``).
    counts : sequence of ObservedCount
    """
    node_country = dict(
        zip(world.nodes_frame["node_id"], world.nodes_frame["country_iso3"], strict=True)
    )
    links = world.links_frame
    traits = world.mode_traits
    link_ends = {
        str(lid): (str(a), str(b), traits[str(m)])
        for lid, a, b, m in zip(
            links["link_id"], links["from_node_id"], links["to_node_id"], links["mode"], strict=True
        )
    }
    border_link = dict(
        zip(world.borders_frame["border_id"], world.borders_frame["link_id"], strict=True)
    )
    ends = {
        str(f): (node_country[str(o)], node_country[str(d)])
        for f, o, d in zip(
            flows["flow_id"], flows["origin_node_id"], flows["destination_node_id"], strict=True
        )
    }
    route_links = [str(s).split(";") if s else [] for s in routes["link_ids"]]
    route_ends = [ends[str(f)] for f in routes["flow_id"]]
    rows: list[int] = []
    cols: list[int] = []
    for i, count in enumerate(counts):
        hits = _route_hits(count, route_links, route_ends, link_ends, border_link, node_country)
        rows += [i] * len(hits)
        cols += hits
    data = np.ones(len(rows))
    return sp.csr_matrix((data, (rows, cols)), shape=(len(counts), len(routes)))


def _route_hits(
    count: ObservedCount,
    route_links: Sequence[list[str]],
    route_ends: Sequence[tuple[str, str]],
    link_ends: Mapping[str, tuple[str, str, ModeTraits]],
    border_link: Mapping[str, str],
    node_country: Mapping[str, str],
) -> list[int]:
    hits: list[int] = []
    if count.kind is CountKind.TRANSIT:
        targets = set(count.element_ids)
        for j, lids in enumerate(route_links):
            land: set[str] = set()
            for lid in lids:
                a, b, mode = link_ends[lid]
                if mode.transit:
                    land.add(node_country[a])
                    land.add(node_country[b])
            if (land & targets) - set(route_ends[j]):
                hits.append(j)
        return hits
    if count.kind is CountKind.PORT:
        ports = set(count.element_ids)
        members = {lid for lid, (a, b, mode) in link_ends.items() if mode.water and {a, b} & ports}
        home = {node_country[n] for n in ports}
        if count.scope is CountScope.TRANSIT_IN:
            return [
                j
                for j, lids in enumerate(route_links)
                if not home & set(route_ends[j]) and _lands_at(lids, members, ports, link_ends)
            ]
    else:
        members = {border_link.get(e, e) for e in count.element_ids}
        home = set()
    for j, lids in enumerate(route_links):
        if not members.intersection(lids):
            continue
        if count.scope is CountScope.TRANSIT and home & set(route_ends[j]):
            continue
        hits.append(j)
    return hits


def _lands_at(
    lids: Sequence[str],
    members: set[str],
    ports: set[str],
    link_ends: Mapping[str, tuple[str, str, ModeTraits]],
) -> bool:
    """Whether a route comes in by water at one of ``ports`` and goes on by land from there
    (the link after a water link of the port is a land link with an end at that port)."""
    for here, after in itertools.pairwise(lids):
        if here not in members:
            continue
        a, b, mode = link_ends[after]
        if mode.water:
            continue
        shared = {a, b} & set(link_ends[here][:2]) & ports
        if shared:
            return True
    return False


def count_fit(counts: Sequence[ObservedCount], modelled_tonnes: np.ndarray) -> pd.DataFrame:
    """Observed against modelled, one row per count.

    Columns: ``count_id``, ``kind``, ``name``, ``year``, ``observed_tonnes``,
    ``observed_tonnes_low``, ``observed_tonnes_high``, ``modelled_tonnes``, ``ratio``
    (modelled / observed), ``abs_error_tonnes``, ``geh``, ``holdout``, ``within_25pct``,
    ``within_40pct``, ``within_range`` (modelled inside the observed low/high).
    """
    obs = np.array([c.observed_tonnes for c in counts], dtype=float)
    mod = np.asarray(modelled_tonnes, dtype=float)
    ratio = np.divide(mod, obs, out=np.full_like(mod, np.nan), where=obs > 0)
    rel = np.abs(ratio - 1.0)
    low = np.array([c.observed_tonnes_low for c in counts], dtype=float)
    high = np.array([c.observed_tonnes_high for c in counts], dtype=float)
    return pd.DataFrame(
        {
            "count_id": [c.count_id for c in counts],
            "kind": [c.kind.value for c in counts],
            "name": [c.name for c in counts],
            "year": [c.year for c in counts],
            "observed_tonnes": obs,
            "observed_tonnes_low": low,
            "observed_tonnes_high": high,
            "modelled_tonnes": mod,
            "ratio": ratio,
            "abs_error_tonnes": np.abs(mod - obs),
            "geh": geh(mod, obs),
            "holdout": [c.holdout for c in counts],
            "within_25pct": rel <= 0.25,
            "within_40pct": rel <= 0.40,
            "within_range": (mod >= low) & (mod <= high),
        }
    )


def fit_summary(table: pd.DataFrame) -> dict[str, Any]:
    """Pass rates of a fit table: in-sample within +-25 % and held-out within +-40 %."""
    ins = table[~table["holdout"]]
    out = table[table["holdout"]]

    def share(frame: pd.DataFrame, column: str) -> float | None:
        return float(frame[column].mean()) if len(frame) else None

    return {
        "in_sample_counts": len(ins),
        "holdout_counts": len(out),
        "in_sample_within_25pct": share(ins, "within_25pct"),
        "holdout_within_40pct": share(out, "within_40pct"),
        "in_sample_median_abs_log_ratio": _median_log(ins),
        "holdout_median_abs_log_ratio": _median_log(out),
        "in_sample_geh_below_5": share(ins.assign(ok=ins["geh"] < 5), "ok"),
    }


def _median_log(frame: pd.DataFrame) -> float | None:
    ratio = frame["ratio"].to_numpy(dtype=float)
    ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
    if not len(ratio):
        return None
    return float(np.median(np.abs(np.log(ratio))))
