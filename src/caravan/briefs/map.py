"""The static map of a brief: the corridor network with flow widths in A and B, and the change.

Country outlines (the shipped Natural Earth shapes) are the background; links are drawn as
straight segments between their places, widened by the tonnes they carry; the extent is the
bounds of the atlas's places.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from caravan.briefs.charts import (
    COLOUR_B,
    COLOUR_GAIN,
    COLOUR_LOSS,
    figure_data_uri,
    new_figure,
)
from caravan.briefs.tables import fmt_tonnes

__all__ = ["MapImages", "link_segments", "network_maps"]

_LAND = "#f1efe8"
_BORDER = "#b9b4a6"
_SEA = "#dde8f0"
_NETWORK = "#9a9a9a"
_MAX_WIDTH = 7.0
_MIN_WIDTH = 0.7


@dataclass(frozen=True)
class MapImages:
    """The two map images of a brief, as PNG data URIs, and the extent drawn."""

    flows: str
    change: str
    extent: tuple[float, float, float, float]  # lon_min, lon_max, lat_min, lat_max


def link_segments(run_a: Any, run_b: Any) -> pd.DataFrame:
    """One row per atlas link: its end coordinates, status in A and B, and tonnes in A and B.

    Parameters
    ----------
    run_a, run_b : RunResult
        The two runs (their scenario-applied atlases share the links).

    Returns
    -------
    pandas.DataFrame
        ``link_id, x0, y0, x1, y1, usable_a, usable_b, line, tonnes_a, tonnes_b,
        delta_tonnes``; ``line`` is the drawn line (the link's geometry, or its two ends).
    """
    nodes = run_a.atlas.nodes_frame.set_index("node_id")
    links = run_a.atlas.links_frame[["link_id", "from_node_id", "to_node_id", "status"]]
    lb = run_b.atlas.links_frame
    status_b = dict(zip(lb["link_id"], lb["status"], strict=True))
    ta = dict(zip(run_a.link_flows["link_id"], run_a.link_flows["tonnes_per_year"], strict=True))
    tb = dict(zip(run_b.link_flows["link_id"], run_b.link_flows["tonnes_per_year"], strict=True))
    out = pd.DataFrame(
        {
            "link_id": links["link_id"].to_numpy(),
            "x0": nodes.loc[links["from_node_id"], "lon"].to_numpy(dtype=float),
            "y0": nodes.loc[links["from_node_id"], "lat"].to_numpy(dtype=float),
            "x1": nodes.loc[links["to_node_id"], "lon"].to_numpy(dtype=float),
            "y1": nodes.loc[links["to_node_id"], "lat"].to_numpy(dtype=float),
            "usable_a": (links["status"] == "operational").to_numpy(),
            "usable_b": links["link_id"].map(status_b).eq("operational").to_numpy(),
        }
    )
    lines = run_a.atlas.link_lines
    out["line"] = [lines[i] for i in out["link_id"]]
    out["tonnes_a"] = out["link_id"].map(ta).fillna(0.0).astype(float)
    out["tonnes_b"] = out["link_id"].map(tb).fillna(0.0).astype(float)
    out["delta_tonnes"] = out["tonnes_b"] - out["tonnes_a"]
    return out


def _extent(nodes: pd.DataFrame) -> tuple[float, float, float, float]:
    lon_min, lon_max = float(nodes["lon"].min()), float(nodes["lon"].max())
    lat_min, lat_max = float(nodes["lat"].min()), float(nodes["lat"].max())
    pad_x = max(1.0, 0.06 * (lon_max - lon_min))
    pad_y = max(1.0, 0.06 * (lat_max - lat_min))
    return (lon_min - pad_x, lon_max + pad_x, lat_min - pad_y, lat_max + pad_y)


def _spread_parallel(segs: pd.DataFrame, step_deg: float) -> pd.DataFrame:
    """Shift links that join the same two places sideways, so that each stays visible."""
    columns = ["x0", "y0", "x1", "y1"]
    xy = segs[columns].to_numpy(dtype=float, copy=True)
    lines = list(segs["line"])
    pairs: dict[tuple[tuple[float, float], ...], list[int]] = {}
    for row, (x0, y0, x1, y1) in enumerate(xy.tolist()):
        pairs.setdefault(tuple(sorted(((x0, y0), (x1, y1)))), []).append(row)
    for rows in pairs.values():
        if len(rows) < 2:
            continue
        for i, row in enumerate(rows):
            x0, y0, x1, y1 = xy[row].tolist()
            length = math.hypot(x1 - x0, y1 - y0) or 1.0
            nx, ny = -(y1 - y0) / length, (x1 - x0) / length
            if (x0, y0) > (x1, y1):  # same side whichever way the link is stored
                nx, ny = -nx, -ny
            shift = (i - (len(rows) - 1) / 2) * step_deg
            dx, dy = shift * nx, shift * ny
            xy[row] = [x0 + dx, y0 + dy, x1 + dx, y1 + dy]
            lines[row] = tuple((x + dx, y + dy) for x, y in lines[row])
    out = segs.copy()
    out[columns] = xy
    out["line"] = lines
    return out


def _height_over_width(extent: tuple[float, float, float, float]) -> float:
    """The drawn map's height over its width (longitude shrunk by the cosine of latitude)."""
    x0, x1, y0, y1 = extent
    width = (x1 - x0) * math.cos(math.radians(0.5 * (y0 + y1)))
    return (y1 - y0) / width if width > 0 else 1.0


def _outline_patches(outlines: Any, extent: tuple[float, float, float, float]) -> Any:
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    x0, x1, y0, y1 = extent
    shown = outlines.cx[x0:x1, y0:y1]
    patches = []
    for geom in shown.geometry:
        if geom is None or geom.is_empty:
            continue
        polygons = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
        for poly in polygons:
            rings = [poly.exterior, *poly.interiors]
            path = MplPath.make_compound_path(
                *(MplPath(np.asarray(r.coords)[:, :2], closed=True) for r in rings)
            )
            patches.append(PathPatch(path))
    return PatchCollection(patches, facecolor=_LAND, edgecolor=_BORDER, linewidth=0.5, zorder=0)


def _frame(ax: Any, outlines: Any, extent: tuple[float, float, float, float], title: str) -> None:
    ax.set_facecolor(_SEA if outlines is not None else "white")
    if outlines is not None:
        ax.add_collection(_outline_patches(outlines, extent))
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(1.0 / math.cos(math.radians(0.5 * (extent[2] + extent[3]))))
    ax.set_title(title, fontsize=10)
    ax.tick_params(labelsize=7)
    ax.set_xlabel("longitude, °E", fontsize=7)
    ax.set_ylabel("latitude, °N", fontsize=7)


def _segments(frame: pd.DataFrame) -> list[list[tuple[float, float]]]:
    return [list(line) for line in frame["line"]]


def _network(ax: Any, segs: pd.DataFrame, usable: pd.Series) -> None:
    from matplotlib.collections import LineCollection

    ax.add_collection(
        LineCollection(_segments(segs[usable]), colors=_NETWORK, linewidths=0.6, zorder=1)
    )
    ax.add_collection(
        LineCollection(
            _segments(segs[~usable]),
            colors="#bbbbbb",
            linewidths=0.6,
            linestyles=(0, (2, 2)),
            zorder=1,
        )
    )


def _widths(values: np.ndarray, top: float) -> np.ndarray:
    out: np.ndarray = _MIN_WIDTH + (_MAX_WIDTH - _MIN_WIDTH) * np.abs(values) / top
    return out


def _flows(ax: Any, segs: pd.DataFrame, tonnes: pd.Series, top: float, colour: str) -> None:
    from matplotlib.collections import LineCollection

    carried = segs.assign(t=tonnes)[tonnes > 0].sort_values("t")
    if carried.empty:
        return
    ax.add_collection(
        LineCollection(
            _segments(carried),
            colors=colour,
            linewidths=_widths(carried["t"].to_numpy(), top),
            alpha=0.85,
            capstyle="round",
            zorder=3,
        )
    )


def _places(ax: Any, nodes: pd.DataFrame, label_ids: Iterable[str]) -> None:
    ax.scatter(nodes["lon"], nodes["lat"], s=5, color="#333333", zorder=4, linewidths=0)
    by_id = {str(r["node_id"]): r for r in nodes.to_dict("records")}
    for node_id in dict.fromkeys(label_ids):
        if node_id in by_id:
            row = by_id[node_id]
            ax.annotate(
                str(row["name"]),
                (float(row["lon"]), float(row["lat"])),
                xytext=(3, 3),
                textcoords="offset points",
                fontsize=6.5,
                color="#222222",
                zorder=5,
            )


def _width_legend(ax: Any, top: float, colours: Sequence[tuple[str, str]]) -> None:
    from matplotlib.lines import Line2D

    if top <= 0:
        return
    handles = []
    labels = []
    for colour, what in colours:
        for v in (top, top / 2, top / 10):
            width = float(_widths(np.array([v]), top)[0])
            handles.append(Line2D([], [], color=colour, linewidth=width))
            labels.append(f"{what}{fmt_tonnes(v)}")
    ax.legend(
        handles,
        labels,
        fontsize=6.5,
        loc="lower left",
        frameon=True,
        framealpha=0.85,
        ncols=len(colours),
    )


def network_maps(
    run_a: Any,
    run_b: Any,
    outlines: Any,
    *,
    label_a: str,
    label_b: str,
    label_node_ids: Sequence[str] = (),
) -> MapImages:
    """Draw the network with flows in A and in B side by side, and the change B minus A.

    Parameters
    ----------
    run_a, run_b : RunResult
        The two runs.
    outlines : geopandas.GeoDataFrame or None
        Country outlines (EPSG:4326) for the background; ``None`` draws none.
    label_a, label_b : str
        Panel titles.
    label_node_ids : sequence of str
        Places to name on the map (the ends of the main flows).

    Returns
    -------
    MapImages
    """
    nodes = run_a.atlas.nodes_frame
    extent = _extent(nodes)
    segs = _spread_parallel(link_segments(run_a, run_b), 0.008 * (extent[1] - extent[0]))
    top = float(max(segs["tonnes_a"].max(), segs["tonnes_b"].max(), 0.0))

    ratio = _height_over_width(extent)
    if ratio < 0.8:  # a wide extent: A above B
        fig = new_figure(10.0, min(14.0, 2 * (9.0 * ratio + 0.9)))
        axes = fig.subplots(2, 1, sharex=True, sharey=True)
    else:
        fig = new_figure(10.0, min(9.0, 4.6 * ratio + 0.9))
        axes = fig.subplots(1, 2, sharex=True, sharey=True)
    for ax, title, col, usable in (
        (axes[0], label_a, "tonnes_a", segs["usable_a"]),
        (axes[1], label_b, "tonnes_b", segs["usable_b"]),
    ):
        _frame(ax, outlines, extent, title)
        _network(ax, segs, usable)
        if top > 0:
            _flows(ax, segs, segs[col], top, COLOUR_B)
        _places(ax, nodes, label_node_ids)
    _width_legend(axes[0], top, [(COLOUR_B, "")])
    flows_uri = figure_data_uri(fig)

    fig = new_figure(10.0, min(10.0, max(3.5, 9.0 * ratio + 0.9)))
    ax = fig.subplots()
    _frame(ax, outlines, extent, "Change in tonnes a year, B minus A")
    _network(ax, segs, segs["usable_a"] | segs["usable_b"])
    delta = segs["delta_tonnes"]
    top_d = float(delta.abs().max()) if len(delta) else 0.0
    if top_d > 0:
        moved = delta.abs() > 1e-6 * top_d
        _flows(ax, segs[moved & (delta > 0)], delta[moved & (delta > 0)], top_d, COLOUR_GAIN)
        _flows(ax, segs[moved & (delta < 0)], -delta[moved & (delta < 0)], top_d, COLOUR_LOSS)
        _width_legend(ax, top_d, [(COLOUR_GAIN, "+"), (COLOUR_LOSS, "-")])
    _places(ax, nodes, label_node_ids)
    return MapImages(flows=flows_uri, change=figure_data_uri(fig), extent=extent)
