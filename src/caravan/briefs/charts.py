"""Charts of a brief, drawn with matplotlib and returned as PNG data URIs.

Figures are made as :class:`matplotlib.figure.Figure` objects on the Agg canvas, never through
``pyplot``, so no global figure state is touched and no display is needed.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "COLOUR_A",
    "COLOUR_B",
    "COLOUR_GAIN",
    "COLOUR_LOSS",
    "band_chart",
    "corridor_shift_chart",
    "figure_data_uri",
    "flow_change_chart",
    "new_figure",
    "transit_chart",
]

COLOUR_A = "#7f8c9a"
COLOUR_B = "#1f5fa8"
COLOUR_GAIN = "#2e7d32"
COLOUR_LOSS = "#c62828"
DPI = 150


def new_figure(width_in: float, height_in: float) -> Any:
    """A matplotlib Figure attached to an Agg canvas (no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def figure_data_uri(fig: Any) -> str:
    """The figure as a ``data:image/png;base64,...`` URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _empty(fig: Any, message: str, *axes: Any) -> str:
    """The figure as a data URI, with ``message`` on its first panel instead of a chart."""
    for i, ax in enumerate(axes):
        shown = "" if i else message
        ax.text(0.5, 0.5, shown, ha="center", va="center", transform=ax.transAxes, fontsize=9)
        ax.set_axis_off()
    return figure_data_uri(fig)


def _bar_axis(ax: Any, labels: Sequence[str], xlabel: str) -> None:
    """A label per bar, the x label, a light grid and no top or right spine."""
    ax.set_yticks(np.arange(len(labels)), labels=list(labels), fontsize=8)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _paired_bars(
    ax: Any,
    labels: Sequence[str],
    a: np.ndarray,
    b: np.ndarray,
    *,
    label_a: str,
    label_b: str,
    xlabel: str,
) -> None:
    y = np.arange(len(labels))
    h = 0.38
    ax.barh(y - h / 2, a, height=h, color=COLOUR_A, label=label_a)
    ax.barh(y + h / 2, b, height=h, color=COLOUR_B, label=label_b)
    _bar_axis(ax, labels, xlabel)


def transit_chart(
    labels: Sequence[str],
    tonnes_a: Sequence[float],
    tonnes_b: Sequence[float],
    revenue_a_usd: Sequence[float],
    revenue_b_usd: Sequence[float],
    *,
    label_a: str,
    label_b: str,
) -> str:
    """Transit tonnes and transit revenue by country, A beside B.

    Parameters
    ----------
    labels : sequence of str
        Countries, in the order drawn (top first).
    tonnes_a, tonnes_b : sequence of float
        Transit tonnes a year in A and B.
    revenue_a_usd, revenue_b_usd : sequence of float
        Transit revenue (USD a year) in A and B.
    label_a, label_b : str
        Legend labels.

    Returns
    -------
    str
        A PNG data URI.
    """
    n = len(labels)
    fig = new_figure(9.0, max(2.2, 0.42 * n + 1.2))
    ax_t, ax_r = fig.subplots(1, 2, sharey=True)
    if n == 0:
        return _empty(fig, "no transit in either scenario", ax_t, ax_r)
    _paired_bars(
        ax_t,
        labels,
        np.asarray(tonnes_a) / 1e6,
        np.asarray(tonnes_b) / 1e6,
        label_a=label_a,
        label_b=label_b,
        xlabel="transit, million tonnes a year",
    )
    _paired_bars(
        ax_r,
        labels,
        np.asarray(revenue_a_usd) / 1e6,
        np.asarray(revenue_b_usd) / 1e6,
        label_a=label_a,
        label_b=label_b,
        xlabel="transit revenue, USD million a year",
    )
    ax_t.invert_yaxis()  # shared with ax_r: once for both, first country on top
    ax_t.legend(fontsize=8, loc="lower right", frameon=False)
    return figure_data_uri(fig)


def _signed_bars(
    ax: Any, labels: Sequence[str], values: np.ndarray, xlabel: str, *, lower_is_better: bool
) -> None:
    y = np.arange(len(labels))
    colours = [COLOUR_GAIN if (v < 0) == lower_is_better else COLOUR_LOSS for v in values]
    ax.barh(y, values, color=colours, height=0.6)
    ax.axvline(0, color="#444444", linewidth=0.8)
    _bar_axis(ax, labels, xlabel)


def corridor_shift_chart(labels: Sequence[str], delta_tonnes: Sequence[float]) -> str:
    """The change in tonnes carried by each corridor or project (B minus A).

    Parameters
    ----------
    labels : sequence of str
        Corridor or project names, top first.
    delta_tonnes : sequence of float
        Change in tonnes a year.

    Returns
    -------
    str
        A PNG data URI.
    """
    n = len(labels)
    fig = new_figure(8.0, max(2.0, 0.36 * n + 1.0))
    ax = fig.subplots()
    if n == 0:
        return _empty(fig, "no corridor carries a different tonnage in B", ax)
    _signed_bars(
        ax,
        labels,
        np.asarray(delta_tonnes) / 1e6,
        "change, million tonnes a year",
        lower_is_better=False,
    )
    ax.invert_yaxis()
    return figure_data_uri(fig)


def flow_change_chart(
    labels: Sequence[str], delta_cost_usd_per_t: Sequence[float], delta_time_h: Sequence[float]
) -> str:
    """The change in cost and time of each main flow (B minus A).

    Parameters
    ----------
    labels : sequence of str
        Flows, top first.
    delta_cost_usd_per_t : sequence of float
        Change in mean generalised cost, USD per tonne (NaN when a side is unserved).
    delta_time_h : sequence of float
        Change in mean time, hours.

    Returns
    -------
    str
        A PNG data URI.
    """
    n = len(labels)
    fig = new_figure(9.0, max(2.0, 0.36 * n + 1.0))
    ax_c, ax_t = fig.subplots(1, 2, sharey=True)
    if n == 0:
        return _empty(fig, "no flows to show", ax_c, ax_t)
    cost = np.nan_to_num(np.asarray(delta_cost_usd_per_t, dtype=float))
    time_h = np.nan_to_num(np.asarray(delta_time_h, dtype=float))
    _signed_bars(ax_c, labels, cost, "change in cost, USD per tonne (B - A)", lower_is_better=True)
    _signed_bars(ax_t, labels, time_h, "change in time, hours (B - A)", lower_is_better=True)
    ax_c.invert_yaxis()  # shared with ax_t
    return figure_data_uri(fig)


def band_chart(
    labels: Sequence[str],
    mean: Sequence[float],
    p5: Sequence[float],
    p95: Sequence[float],
    *,
    draws: int,
    empty_message: str = "no change to show",
) -> str:
    """Each country's change across an ensemble's draws: the mean as a dot, 5-95% as a bar.

    Parameters
    ----------
    labels : sequence of str
        Countries, top first.
    mean, p5, p95 : sequence of float
        Mean, 5th and 95th percentile of the change in transit tonnes a year (B minus A).
    draws : int
        The number of successful draws (for the axis label).
    empty_message : str
        Shown instead of a chart when there are no labels.

    Returns
    -------
    str
        A PNG data URI.
    """
    n = len(labels)
    fig = new_figure(8.0, max(2.0, 0.36 * n + 1.1))
    ax = fig.subplots()
    if n == 0:
        return _empty(fig, empty_message, ax)
    m, lo, hi = (np.asarray(v, dtype=float) for v in (mean, p5, p95))
    largest = float(np.nanmax(np.abs(np.concatenate([m, lo, hi]))))
    scale, unit = (1e6, "million tonnes") if largest >= 1e6 else (1e3, "thousand tonnes")
    y = np.arange(n)
    colours = [COLOUR_GAIN if v > 0 else COLOUR_LOSS if v < 0 else COLOUR_A for v in m]
    ax.hlines(y, lo / scale, hi / scale, colors=colours, linewidth=7, alpha=0.35)
    ax.plot([], [], color=COLOUR_A, linewidth=7, alpha=0.35, label="5–95% of draws")
    ax.scatter(m / scale, y, c=colours, s=26, zorder=3, edgecolors="white", linewidths=0.6)
    ax.scatter([], [], c=COLOUR_A, s=26, label="mean")
    ax.axvline(0, color="#444444", linewidth=0.8)
    _bar_axis(ax, labels, f"change in transit, {unit} a year (B - A), over {draws} draws")
    ax.set_ylim(n - 0.5, -0.5)  # first country on top
    ax.legend(fontsize=7, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False)
    return figure_data_uri(fig)
