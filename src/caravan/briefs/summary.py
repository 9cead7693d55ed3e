"""The brief's first page: the question, the answer in three numbers, what drives it, what would
change it.

It is written for a reader with five minutes: each number comes with its uncertainty (the
ensemble's 5-95% range, or the completion probability of the line it depends on, or a plain
statement that it is a point estimate) and each change of tonnes or revenue is explained in
words, so that "gains 15 kt of transit but loses USD 2.6 m of revenue" does not read as a slip.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from caravan.briefs.sections import TONNES_EPS, BriefContext
from caravan.briefs.tables import fmt_tonnes, fmt_usd

__all__ = [
    "effect_flow_ids",
    "explain_transit",
    "input_in_words",
    "summary_section",
]

#: How many flows, drivers and levers the first page names.
SHOWN = 3


def _signed_tonnes(value: float) -> str:
    return ("+" if value > 0 else "") + fmt_tonnes(value)


def _tonnes_of(run: Any) -> dict[str, float]:
    return {
        str(k): float(v)
        for k, v in zip(run.flows["flow_id"], run.flows["tonnes_per_year"], strict=True)
    }


def effect_flow_ids(comparison: Any, run_a: Any, run_b: Any, n: int) -> tuple[str, ...]:
    """The ``n`` flows B changes most: cost change times tonnes, route changes first.

    A flow counts when its mean cost moves by at least a cent a tonne, its tonnes move by at
    least half a tonne, or its route now bypasses or newly crosses a country; flows B leaves
    as they were are never picked (so a chart of them is never empty of change).

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace as NS
    >>> flows = pd.DataFrame({"flow_id": ["a", "b", "c"], "delta_cost_usd_per_t": [0.0, -2.0, 1.0],
    ...                       "now_bypasses": ["", "", ""], "now_crosses": ["", "", "AFG"]})
    >>> run = NS(flows=pd.DataFrame({"flow_id": ["a", "b", "c"],
    ...                              "tonnes_per_year": [9e6, 1e5, 1e5]}))
    >>> effect_flow_ids(NS(flows=flows), run, run, 3)
    ('c', 'b')
    """
    ta, tb = _tonnes_of(run_a), _tonnes_of(run_b)
    scored: list[tuple[float, float, str]] = []
    for r in comparison.flows.to_dict("records"):
        flow_id = str(r["flow_id"])
        tonnes = max(ta.get(flow_id, 0.0), tb.get(flow_id, 0.0))
        d_cost = float(r.get("delta_cost_usd_per_t") or 0.0)
        d_cost = 0.0 if math.isnan(d_cost) else abs(d_cost)
        moved = abs(tb.get(flow_id, 0.0) - ta.get(flow_id, 0.0))
        rerouted = bool(str(r.get("now_bypasses") or "") or str(r.get("now_crosses") or ""))
        if d_cost < 0.01 and moved < TONNES_EPS and not rerouted:
            continue
        scored.append((1.0 if rerouted else 0.0, d_cost * tonnes + moved, flow_id))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    return tuple(s[2] for s in scored[:n])


def explain_transit(iso3: str, row: Mapping[Any, Any]) -> str:
    """One sentence on a country's transit change: tonnes, tonne-km and revenue, and why their
    signs may differ.

    Examples
    --------
    >>> explain_transit("UZB", {"delta_transit_tonnes": 15_500.0, "delta_transit_tkm": -3e8,
    ...                         "delta_transit_revenue_usd": -2_590_000.0})  # doctest: +ELLIPSIS
    'UZB carries 15.5 kt more transit a year but earns USD 2.59 m less from it: ...'
    """
    d_t = float(row.get("delta_transit_tonnes") or 0.0)
    d_tkm = float(row.get("delta_transit_tkm") or 0.0)
    d_usd = float(row.get("delta_transit_revenue_usd") or 0.0)
    more = "more" if d_t > 0 else "less"
    head = f"{iso3} carries {fmt_tonnes(abs(d_t))} {more} transit a year"
    if abs(d_usd) < 0.5:
        return head + ", with no change in transit revenue."
    if (d_usd > 0) == (d_t > 0):
        return head + f" and earns {fmt_usd(abs(d_usd))} {'more' if d_usd > 0 else 'less'} from it."
    if d_t > 0:
        why = (
            "the cargo it gains crosses little of it, while cargo that crossed more of it "
            "(and paid more tariffs and fees) now goes another way"
            if d_tkm < 0
            else "the cargo it gains pays less per tonne-km than the cargo it loses"
        )
        return head + f" but earns {fmt_usd(abs(d_usd))} less from it: {why}."
    why = (
        "the cargo it keeps travels further on its links (transit tonne-km rises), so it pays "
        "more in tariffs and fees than the cargo it lost"
        if d_tkm > 0
        else "the cargo it keeps pays higher tariffs or border fees than the cargo it lost"
    )
    return head + f" yet earns {fmt_usd(abs(d_usd))} more from it: {why}."


def input_in_words(name: str, rho: float | None = None) -> str:
    """An ensemble input (``project:ID``, ``link:ID:field``, ``flow:ID:field``) in plain words.

    Examples
    --------
    >>> input_in_words("link:r-bereket-etrek:capacity_mtpa", 0.5)
    'the capacity of link r-bereket-etrek (higher means more)'
    >>> input_in_words("project:kabul-corridor", -1.0)
    'whether project kabul-corridor is complete (complete means less)'
    """
    parts = name.split(":")
    field_words = {
        "capacity_mtpa": "the capacity",
        "tariff_usd_per_tkm": "the tariff",
        "length_km": "the length",
        "speed_kmh": "the speed",
        "tonnes_per_year": "the tonnes",
        "dwell_h": "the dwell time",
        "fee_usd_per_t": "the fee",
        "risk": "the risk",
    }
    if parts[0] == "project" and len(parts) == 2:
        words = f"whether project {parts[1]} is complete"
        high = "complete"
    elif len(parts) == 3:
        what = field_words.get(parts[2], parts[2].replace("_", " "))
        words = f"{what} of {parts[0]} {parts[1]}"
        high = "higher"
    else:
        return name
    if rho is None or rho == 0:
        return words
    return f"{words} ({high} means {'more' if rho > 0 else 'less'})"


def _drivers(text: str) -> list[tuple[str, float | None]]:
    """``project:x (+1.00); link:y:capacity_mtpa (-0.52)`` as (input, rho) pairs."""
    out: list[tuple[str, float | None]] = []
    for part in str(text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        name, _, rest = part.partition(" (")
        try:
            rho: float | None = float(rest.rstrip(")"))
        except ValueError:
            rho = None
        out.append((name.strip(), rho))
    return out


def _range_text(row: Mapping[str, Any] | None, draws: int, *, gain: bool) -> str:
    if row is None:
        return "point estimate: run the brief with --ensemble N for its range"
    p5 = float(row["delta_transit_tonnes_p5"])
    p95 = float(row["delta_transit_tonnes_p95"])
    p = float(row.get("p_gain" if gain else "p_loss") or 0.0)
    verb = "gains" if gain else "loses"
    return (
        f"5–95% of {draws} draws: {_signed_tonnes(p5)} to {_signed_tonnes(p95)}; "
        f"it {verb} in {p:.0%} of draws"
    )


def _country_number(
    ctx: BriefContext,
    row: Mapping[Any, Any],
    ens_rows: Mapping[str, Mapping[str, Any]],
    draws: int,
    *,
    gain: bool,
) -> dict[str, str]:
    iso3 = str(row["country_iso3"])
    d_t = float(row["delta_transit_tonnes"])
    return {
        "key": "gain" if gain else "loss",
        "label": f"{iso3} {'gains' if gain else 'loses'} the most transit",
        "value": f"{_signed_tonnes(d_t)} a year",
        "uncertainty": _range_text(ens_rows.get(iso3), draws, gain=gain),
        "words": explain_transit(iso3, row),
    }


def _line_number(ctx: BriefContext, corridors: pd.DataFrame, spec: Any) -> dict[str, str] | None:
    """The tonnes on the line B opens (its main project), with its chance of being built."""
    s = ctx.run_b.scenario
    names = {p.project_id: p.name for p in ctx.run_b.atlas.projects}
    tonnes_b = {
        str(k): float(v)
        for k, v in zip(corridors["project_id"], corridors["tonnes_per_year_b"], strict=True)
    }
    opened = [p for p in s.open_projects if tonnes_b.get(p, 0.0) > TONNES_EPS]
    if opened:
        pid = max(opened, key=lambda p: tonnes_b[p])
        tonnes = tonnes_b[pid]
        p_open = None
        if spec is not None:
            try:
                p_open = float(spec.p_open(pid, int(s.year)))
            except Exception:  # no completion data for this project: say so below
                p_open = None
        uncertainty = (
            f"if complete; P(complete by {s.year}) = {p_open:.2f} in the ensemble"
            if p_open is not None and p_open < 1.0
            else "point estimate, taking the line as complete"
        )
        return {
            "key": "line",
            "label": f"{names.get(pid, pid)} carries",
            "value": f"{fmt_tonnes(tonnes)} a year",
            "uncertainty": uncertainty,
            "words": f"The new line ({pid}) carries cargo that used other routes in A; "
            "the transit changes above are where that cargo came from.",
        }
    if corridors.empty:
        return None
    moved = corridors.reindex(corridors["delta_tonnes_per_year"].abs().sort_values().index[::-1])
    top = moved.iloc[0]
    d = float(top["delta_tonnes_per_year"])
    if abs(d) <= TONNES_EPS:
        return None
    pid = str(top["project_id"])
    return {
        "key": "line",
        "label": f"{names.get(pid, pid)} {'gains' if d > 0 else 'loses'}",
        "value": f"{_signed_tonnes(d)} a year",
        "uncertainty": "point estimate (the ensemble draws transit by country only)",
        "words": "The corridor whose tonnage moves most between A and B.",
    }


def _flow_sentences(ctx: BriefContext, flow_ids: Sequence[str]) -> list[str]:
    f = ctx.comparison.flows.set_index("flow_id")
    tb = _tonnes_of(ctx.run_b)
    out = []
    for flow_id in flow_ids[:SHOWN]:
        if flow_id not in f.index:
            continue
        r = f.loc[flow_id]
        parts = []
        d_cost = float(r["delta_cost_usd_per_t"])
        if not math.isnan(d_cost) and abs(d_cost) >= 0.01:
            parts.append(f"USD {abs(d_cost):,.2f} a tonne {'cheaper' if d_cost < 0 else 'dearer'}")
        d_time = float(r["delta_time_h"])
        if not math.isnan(d_time) and abs(d_time) >= 0.1:
            parts.append(f"{abs(d_time):,.1f} h {'faster' if d_time < 0 else 'slower'}")
        if r["now_bypasses"]:
            parts.append("now bypasses " + str(r["now_bypasses"]).replace(";", ", "))
        if r["now_crosses"]:
            parts.append("now crosses " + str(r["now_crosses"]).replace(";", ", "))
        tonnes = fmt_tonnes(tb.get(flow_id, 0.0))
        out.append(f"{ctx.flow_label(flow_id)}, {tonnes} a year: " + "; ".join(parts) + ".")
    return out


def summary_section(
    ctx: BriefContext,
    *,
    transit: pd.DataFrame,
    ensemble_rows: Sequence[Mapping[str, Any]] = (),
    draws: int = 0,
    spec: Any = None,
    change_map: str = "",
) -> dict[str, Any]:
    """The first page's data: question, three numbers, map of change, drivers and levers.

    Parameters
    ----------
    ctx : BriefContext
        The runs, their comparison and the main flows (picked by effect).
    transit : DataFrame
        The transit rows shown in the brief (one per country, with the ``delta_*`` columns).
    ensemble_rows : sequence of mapping
        The ensemble's country rows (percentiles, P(gain), P(loss), drivers), if any.
    draws : int
        Successful draws of that ensemble.
    spec : EnsembleSpec, optional
        Its spec, for the completion probability of the line B opens.
    change_map : str
        The map of the change, as a data URI.

    Returns
    -------
    dict
        ``question``, ``context``, ``numbers`` (list of dicts with ``label``, ``value``,
        ``uncertainty``, ``words``), ``map``, ``drivers`` and ``levers`` (lists of sentences).
    """
    s_a, s_b = ctx.run_a.scenario, ctx.run_b.scenario
    question = (
        f"What does “{s_b.title or s_b.name}” ({s_b.year}) change for freight and for the "
        f"transit countries, compared with “{s_a.title or s_a.name}” ({s_a.year})?"
    )
    ens = {str(r["country_iso3"]): r for r in ensemble_rows}
    numbers: list[dict[str, str]] = []
    if not transit.empty:
        ordered = transit.sort_values("delta_transit_tonnes")
        gain, loss = ordered.iloc[-1], ordered.iloc[0]
        if float(gain["delta_transit_tonnes"]) > TONNES_EPS:
            numbers.append(_country_number(ctx, gain.to_dict(), ens, draws, gain=True))
        if float(loss["delta_transit_tonnes"]) < -TONNES_EPS:
            numbers.append(_country_number(ctx, loss.to_dict(), ens, draws, gain=False))
    line = _line_number(ctx, ctx.comparison.corridors, spec)
    if line is not None:
        numbers.append(line)

    drivers = _flow_sentences(ctx, ctx.main_flows)
    if not drivers:
        drivers.append("No flow's cost, time or route changes between A and B.")
    levers: list[str] = []
    seen: set[str] = set()
    for n in numbers:
        iso3 = n["label"].split(" ")[0]
        for name, rho in _drivers(str(ens.get(iso3, {}).get("drivers") or "")):
            if name in seen or len(levers) >= SHOWN:
                continue
            seen.add(name)
            levers.append(f"{input_in_words(name, rho)[0].upper()}{input_in_words(name, rho)[1:]}.")
    if levers:
        levers.insert(
            0,
            f"Across {draws} draws of the uncertain inputs, these move the answer most "
            "(rank correlation with the transit change of the countries above):",
        )
    else:
        levers.append(
            "This brief has no ensemble: rerun it with --ensemble 200 to see which uncertain "
            "inputs (project completion, capacities, tariffs, demand) move these numbers."
        )
    levers.append(
        "A different demand table or a closed border changes every number here; the disputed "
        "figures and their ranges are listed under Assumptions."
    )
    return {
        "question": question,
        "context": s_b.description,
        "numbers": numbers,
        "map": change_map,
        "drivers": drivers,
        "levers": levers,
    }
