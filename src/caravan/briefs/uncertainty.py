"""The uncertainty section of a brief: how far each country's transit change moves in an ensemble.

An ensemble (:func:`caravan.ensemble.run_ensemble` of scenario B with reference A) draws the
uncertain inputs many times and compares B with A in every draw. This section charts, for the
countries whose change is not negligible, the mean change in transit tonnes and its 5-95% range,
and tabulates the percentiles, the chance of a gain or a loss and the inputs that drive it, with
how the draws were made: their number, failures, seed, executor and the project completion
probabilities.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from caravan.briefs.sections import BriefContext
from caravan.briefs.tables import (
    Cell,
    Column,
    Table,
    _finite,
    fmt_tonnes,
    make_table,
    num,
    text,
)
from caravan.ensemble.spec import spec_from_mapping
from caravan.errors import CaravanError, InputError

if TYPE_CHECKING:
    from caravan.ensemble import EnsembleResult, EnsembleSpec

__all__ = [
    "BAND_EPS_T",
    "check_ensemble",
    "reading_sentences",
    "shown_countries",
    "uncertainty_section",
]

#: A country is charted when its 5-95% band (or its mean) leaves ``±BAND_EPS_T`` tonnes a year.
BAND_EPS_T = 1_000.0
#: How many failed draws are listed with their reason.
MAX_FAILURES_SHOWN = 5
#: How many per-country reading sentences are written.
MAX_SENTENCES = 5

_T = "delta_transit_tonnes"
_USD = "delta_transit_revenue_usd"
#: How a change under 0.5 t or USD 0.5 (float noise of a zero change) is shown.
_ZERO = {"tonnes": "0 t", "usd": "USD 0"}


def check_ensemble(ensemble: EnsembleResult, run_a: Any, run_b: Any) -> None:
    """Check that an ensemble is of scenario B against scenario A.

    Parameters
    ----------
    ensemble : EnsembleResult
        The ensemble to show.
    run_a, run_b : RunResult
        The runs the brief compares.

    Raises
    ------
    InputError
        When the ensemble is of another scenario, has another reference or none.
    """
    if ensemble.scenario == run_b.name and ensemble.reference == run_a.name:
        return
    against = f"against {ensemble.reference!r}" if ensemble.reference else "without a reference"
    raise InputError(
        f"the ensemble is of scenario {ensemble.scenario!r} {against}, but the brief compares "
        f"{run_b.name!r} (B) against {run_a.name!r} (A): run the ensemble of B with A as its "
        f"reference, run_ensemble({run_b.name!r}, reference={run_a.name!r})"
    )


def _records(ensemble: EnsembleResult) -> list[dict[str, Any]]:
    """The ensemble's country rows that have a change (all draws may have failed)."""
    out: list[dict[str, Any]] = []
    for record in ensemble.countries.to_dict("records"):
        r = {str(k): v for k, v in record.items()}
        if all(_finite(r.get(f"{_T}_{q}")) is not None for q in ("mean", "p5", "p95")):
            out.append(r)
    return out


def shown_countries(ensemble: EnsembleResult) -> list[dict[str, Any]]:
    """The country rows whose 5-95% band or mean leaves ``±BAND_EPS_T``, by mean change.

    Largest mean gain first, largest mean loss last (ties by ISO3 code).
    """
    rows = [
        r
        for r in _records(ensemble)
        if float(r[f"{_T}_p5"]) < -BAND_EPS_T
        or float(r[f"{_T}_p95"]) > BAND_EPS_T
        or abs(float(r[f"{_T}_mean"])) > BAND_EPS_T
    ]
    rows.sort(key=lambda r: (-float(r[f"{_T}_mean"]), str(r["country_iso3"])))
    return rows


def _change_cell(value: Any, kind: Literal["tonnes", "usd"]) -> Cell:
    """A signed change in tonnes or USD; under 0.5 it is float noise of zero: no sign, no colour."""
    f = _finite(value)
    if f is not None and abs(f) < 0.5:
        return Cell(_ZERO[kind], f, "num")
    return num(f, kind, signed=True)


def reading_sentences(rows: list[dict[str, Any]], *, limit: int = MAX_SENTENCES) -> list[str]:
    """Plain sentences on the countries whose change is surest (largest P(gain) or P(loss)).

    Examples
    --------
    >>> row = {"country_iso3": "UZB", "p_gain": 0.1, "p_loss": 0.8,
    ...        "delta_transit_tonnes_mean": -600_000.0, "delta_transit_tonnes_p5": -1_200_000.0,
    ...        "delta_transit_tonnes_p95": 100_000.0}
    >>> first, rest = reading_sentences([row])[0].split(" (")
    >>> first
    'In 80% of draws UZB loses transit and in 10% it gains'
    >>> rest
    'mean -600.0 kt a year, 5–95% range -1.20 Mt to +100.0 kt).'
    """
    ranked = sorted(
        rows,
        key=lambda r: (
            -max(float(r.get("p_gain") or 0.0), float(r.get("p_loss") or 0.0)),
            str(r["country_iso3"]),
        ),
    )
    out = []
    for r in ranked[:limit]:
        iso3 = str(r["country_iso3"])
        gain, loss = float(r.get("p_gain") or 0.0), float(r.get("p_loss") or 0.0)
        if loss >= gain and loss > 0:
            lead = f"In {loss:.0%} of draws {iso3} loses transit"
            lead += f" and in {gain:.0%} it gains" if gain > 0 else ""
        elif gain > 0:
            lead = f"In {gain:.0%} of draws {iso3} gains transit"
            lead += f" and in {loss:.0%} it loses" if loss > 0 else ""
        else:
            lead = f"In no draw does {iso3}'s transit change by more than 1 t a year"
        mean, p5, p95 = (_change_cell(r[f"{_T}_{q}"], "tonnes").text for q in ("mean", "p5", "p95"))
        out.append(f"{lead} (mean {mean} a year, 5–95% range {p5} to {p95}).")
    return out


def _countries_table(rows: list[dict[str, Any]], hidden: int) -> Table:
    cols = (
        Column("country", "country"),
        Column(f"{_T}_mean", "mean change", True),
        Column(f"{_T}_p5", "5%", True),
        Column(f"{_T}_p50", "median", True),
        Column(f"{_T}_p95", "95%", True),
        Column(f"{_USD}_mean", "revenue change, mean", True),
        Column(f"{_USD}_p5", "revenue 5%", True),
        Column(f"{_USD}_p95", "revenue 95%", True),
        Column("p_gain", "P(gain)", True),
        Column("p_loss", "P(loss)", True),
        Column("drivers", "main drivers (Spearman ρ)"),
    )
    out = []
    for r in rows:
        cells: dict[str, Cell] = {"country": text(r["country_iso3"])}
        for q in ("mean", "p5", "p50", "p95"):
            cells[f"{_T}_{q}"] = _change_cell(r.get(f"{_T}_{q}"), "tonnes")
        for q in ("mean", "p5", "p95"):
            cells[f"{_USD}_{q}"] = _change_cell(r.get(f"{_USD}_{q}"), "usd")
        cells["p_gain"] = num(r.get("p_gain"), "share")
        cells["p_loss"] = num(r.get("p_loss"), "share")
        cells["drivers"] = text(str(r.get("drivers") or "").replace("; ", ", "))
        out.append((str(r["country_iso3"]), cells))
    note = (
        "Change in transit tonnes and revenue a year, B minus A in the same draw, over the "
        "successful draws. P(gain) and P(loss): share of draws in which transit grows or shrinks "
        "by more than 1 t a year."
    )
    if hidden:
        note += (
            f" {hidden} other countr{'y' if hidden == 1 else 'ies'} with transit data change by "
            f"less than {fmt_tonnes(BAND_EPS_T)} a year in 90% of draws and on average."
        )
    return make_table(
        "uncertainty", "Change in transit by country across the draws", cols, out, note
    )


def _stated_p_open(
    ctx: BriefContext, project_ids: list[str], spec: EnsembleSpec | None
) -> tuple[dict[str, float], str]:
    """Each project's completion probability by B's year, and where it was read."""
    where = "the ensemble spec"
    if spec is None:
        try:
            spec = spec_from_mapping(ctx.run_b.scenario.ensemble)
        except CaravanError:
            return {}, ""
        where = "scenario B's ensemble: section"
    year = int(ctx.run_b.scenario.year)
    return {pid: spec.p_open(pid, year) for pid in project_ids}, where


def _projects_table(
    ctx: BriefContext, ensemble: EnsembleResult, spec: EnsembleSpec | None
) -> Table:
    columns = [str(c) for c in ensemble.inputs.columns if str(c).startswith("project:")]
    ids = [c.split(":", 1)[1] for c in columns]
    for pid in ensemble.meta.get("uncertain_projects", ()):
        if str(pid) not in ids:
            ids.append(str(pid))
    stated, where = _stated_p_open(ctx, ids, spec)
    names = {p.project_id: p for p in ctx.run_b.atlas.projects}
    cols = (
        Column("project", "project"),
        Column("p_open", f"P(complete by {ctx.run_b.scenario.year})", True),
        Column("share_complete", "share of draws complete", True),
    )
    rows = []
    for pid in ids:
        p = names.get(pid)
        column = f"project:{pid}"
        share = (
            float(ensemble.inputs[column].mean())
            if column in ensemble.inputs and len(ensemble.inputs)
            else None
        )
        rows.append(
            (
                pid,
                {
                    "project": text(
                        f"{p.name} ({pid})" if p else pid,
                        cites=ctx.citations.cite(p.source_ids if p else ()),
                    ),
                    "p_open": num(stated.get(pid), "share"),
                    "share_complete": num(share, "share"),
                },
            )
        )
    note = (
        "Projects B opens whose completion is uncertain: in each draw a project is complete with "
        "this probability, else the routes through it are closed. Projects not listed are "
        "taken as complete."
    )
    if where:
        note += f" Probabilities from {where}."
    return make_table(
        "ensemble-projects", "Project completion drawn in the ensemble", cols, rows, note
    )


def _run_table(ensemble: EnsembleResult, spec: EnsembleSpec | None) -> Table:
    meta: Mapping[str, Any] = ensemble.meta
    cols = (Column("item", "item"), Column("value", "value", True))
    rows: list[tuple[str, dict[str, Cell]]] = []

    def count(key: str, label: str, value: Any, digits: int = 0) -> None:
        rows.append((key, {"item": text(label), "value": num(value, digits=digits)}))

    def words(key: str, label: str, value: Any) -> None:
        cell = text("–" if value in (None, "") else value)
        rows.append((key, {"item": text(label), "value": Cell(cell.text, None, "num")}))

    count("draws", "draws", meta.get("draws", len(ensemble.inputs)))
    count("succeeded", "succeeded", meta.get("succeeded"))
    count("failed", "failed", meta.get("failed", len(ensemble.failures)))
    rows.append(("seed", {"item": text("seed"), "value": num(meta.get("seed"), "year")}))
    count("inputs", "uncertain inputs drawn", meta.get("inputs", len(ensemble.inputs.columns) - 1))
    words("executor", "executor", meta.get("executor"))
    count("draws_per_second", "draws a second", meta.get("draws_per_second"), 1)
    if spec is not None:
        kinds = ("link_length_km", "link_tariff_usd_per_tkm", "link_capacity_mtpa")
        dists = ", ".join(f"{k}: {spec.distribution(k).value}" for k in kinds)
        dists += f", demand_tonnes_per_year: {spec.distribution('demand_tonnes_per_year').value}"
        words("distributions", "distributions", dists)
    words("route_sets", "route sets", meta.get("route_sets"))
    return make_table("ensemble-run", "How the draws were made", cols, rows)


def uncertainty_section(
    ctx: BriefContext, ensemble: EnsembleResult, spec: EnsembleSpec | None = None
) -> dict[str, Any]:
    """The section's data: chart inputs, tables, failures and the sentences on how to read it.

    Parameters
    ----------
    ctx : BriefContext
        The brief's runs and citations.
    ensemble : EnsembleResult
        An ensemble of B against A (see :func:`check_ensemble`).
    spec : EnsembleSpec, optional
        The spec the ensemble ran with, for its completion probabilities and distributions
        (default: scenario B's ``ensemble:`` section).

    Returns
    -------
    dict
        ``rows`` (the charted country rows), ``table``, ``projects``, ``run``, ``failures``,
        ``more_failures``, ``guide``, ``sentences``, ``draws``, ``succeeded`` and ``seed``.
    """
    check_ensemble(ensemble, ctx.run_a, ctx.run_b)
    rows = shown_countries(ensemble)
    hidden = len(_records(ensemble)) - len(rows)
    meta = ensemble.meta
    succeeded = int(meta.get("succeeded", len(ensemble.inputs) - len(ensemble.failures)))
    failures = [
        f"draw {int(f['draw'])}: {f['reason']}"
        for f in ensemble.failures.head(MAX_FAILURES_SHOWN).to_dict("records")
    ]
    guide = (
        f"Each dot is a country's mean change in transit tonnes over the {succeeded} successful "
        "draws of the uncertain inputs, B against A in the same draw; the bar spans the 5th to "
        "the 95th percentile, so in 90% of draws the change lies within it. Only countries whose "
        f"range or mean goes beyond ±{fmt_tonnes(BAND_EPS_T)} a year are shown. The main drivers "
        "are the drawn inputs whose values are most rank-correlated with the change (Spearman's "
        "ρ: + when a higher value means more transit; a project's value is 1 when complete)."
    )
    return {
        "rows": rows,
        "table": _countries_table(rows, hidden),
        "projects": _projects_table(ctx, ensemble, spec),
        "run": _run_table(ensemble, spec),
        "failures": failures,
        "more_failures": max(0, len(ensemble.failures) - len(failures)),
        "guide": guide,
        "sentences": reading_sentences(rows),
        "draws": int(meta.get("draws", len(ensemble.inputs))),
        "succeeded": succeeded,
        "seed": meta.get("seed"),
    }
