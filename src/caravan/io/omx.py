"""OMX (Open Matrix) files: skims and origin-destination matrices, through ``openmatrix``.

One matrix per quantity and commodity, named ``<quantity>__<commodity_id>`` with the unit in
the quantity (``cost_usd_per_t__container``, ``demand_tonnes_per_year__bulk``); each carries the
attributes ``quantity``, ``commodity_id`` and ``units``. Rows are origins, columns destinations,
in the order of the file's ``zone_ids`` attribute (the atlas place ids); the mapping
``zone_number`` numbers them from 1, for tools that key zones by integer. Missing values
(unreachable pairs) are NaN. Specification: https://github.com/osPlanning/omx/wiki.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from caravan.io._atomic import atomic_path

__all__ = [
    "MATRIX_SEPARATOR",
    "OD_UNITS",
    "matrix_name",
    "od_matrices",
    "write_od_omx",
    "write_omx",
    "write_skims_omx",
]

#: Between the quantity and the commodity in a matrix name.
MATRIX_SEPARATOR = "__"

#: The OD matrices of a run and their units.
OD_UNITS: Mapping[str, str] = {
    "demand_tonnes_per_year": "tonnes a year asked for (demand.csv after the scenario)",
    "assigned_tonnes_per_year": "tonnes a year carried (served by the assignment)",
}


def matrix_name(quantity: str, commodity_id: str) -> str:
    """The OMX name of one matrix.

    Examples
    --------
    >>> matrix_name("time_h", "container")
    'time_h__container'
    """
    return f"{quantity}{MATRIX_SEPARATOR}{commodity_id}"


def write_omx(
    matrices: Mapping[str, Mapping[str, np.ndarray[Any, Any]]],
    zone_ids: Sequence[str],
    out: str | Path,
    *,
    units: Mapping[str, str],
    attrs: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``matrices[commodity_id][quantity]`` (square, ``zone_ids`` order) as one OMX file."""
    import openmatrix as omx

    target = Path(out)
    with atomic_path(target) as tmp:
        handle = omx.open_file(str(tmp), "w")
        try:
            for commodity_id, by_quantity in matrices.items():
                for quantity, values in by_quantity.items():
                    name = matrix_name(quantity, commodity_id)
                    handle[name] = np.asarray(values, dtype=np.float64)
                    handle[name].attrs.quantity = quantity
                    handle[name].attrs.commodity_id = commodity_id
                    handle[name].attrs.units = units[quantity]
            handle.create_mapping("zone_number", list(range(1, len(zone_ids) + 1)))
            handle.root._v_attrs.zone_ids = list(zone_ids)
            for key, value in (attrs or {}).items():
                setattr(handle.root._v_attrs, key, value)
        finally:
            handle.close()
    return target


def write_skims_omx(skims: Any, out: str | Path) -> Path:
    """Write :class:`~caravan.results.skims.Skims` as an OMX file.

    Examples
    --------
    >>> import tempfile, openmatrix
    >>> from pathlib import Path
    >>> from caravan import load_atlas
    >>> from caravan.results.skims import skims
    >>> s = skims(load_atlas("tests/data/tiny-atlas"), year=2025, commodity_ids=["bulk"])
    >>> path = write_skims_omx(s, Path(tempfile.mkdtemp()) / "skims.omx")
    >>> f = openmatrix.open_file(str(path))
    >>> sorted(f.list_matrices())[:2], list(f.root._v_attrs.zone_ids)
    (['cost_usd_per_t__bulk', 'length_km__bulk'], ['herat', 'kandahar', 'nhava-sheva'])
    >>> f.close()
    """
    attrs = {
        "caravan": "skims",
        "scenario": skims.scenario,
        "year": skims.year,
        "seasons": skims.seasons,
    }
    return write_omx(skims.matrices, skims.zone_ids, out, units=skims.units, attrs=attrs)


def od_matrices(flows: pd.DataFrame, zone_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Demand and assigned tonnes per commodity as zone-by-zone matrices (0 where no flow)."""
    index = {z: i for i, z in enumerate(zone_ids)}
    n = len(zone_ids)
    out: dict[str, dict[str, Any]] = {}
    for commodity_id, group in flows.groupby("commodity_id", sort=True):
        demand, assigned = np.zeros((n, n)), np.zeros((n, n))
        for row in group.to_dict("records"):
            i, j = index[row["origin_node_id"]], index[row["destination_node_id"]]
            demand[i, j] += float(row["tonnes_per_year"])
            assigned[i, j] += float(row.get("served_tonnes_per_year", 0.0))
        out[str(commodity_id)] = {
            "demand_tonnes_per_year": demand,
            "assigned_tonnes_per_year": assigned,
        }
    return out


def write_od_omx(run: Any, out: str | Path) -> Path:
    """Write a run's demand and assigned OD matrices (per commodity) as an OMX file."""
    flows = run.flows
    zones = sorted({*flows["origin_node_id"], *flows["destination_node_id"]})
    attrs = {"caravan": "run", "scenario": run.name, "year": run.scenario.year}
    return write_omx(od_matrices(flows, zones), zones, out, units=OD_UNITS, attrs=attrs)
