"""Building the analyst brief: one self-contained HTML document comparing two scenario runs.

The brief opens with a one-page ``summary`` for a reader with five minutes (the question, the
answer in three numbers with their uncertainty, the map of change, what drives it, what would
change it), then the analyst's detail (the map, transit, corridors, flows: charts and short
notes), then an appendix (what was compared, the tables behind the charts, routes of the main
flows, the demand table, assumptions, sources, provenance); each section is an element with
that ``id``. Given an ensemble of B against A, a section ``uncertainty`` follows ``transit``:
the spread of each country's change across the draws. Every number in its tables is written
into the HTML as ``data-value`` on a cell of a row ``data-row`` and column ``data-col``, so the
brief can be read back exactly. Images are PNG data URIs and styles are inline: opening the
file makes no outside request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from caravan.briefs.assumptions import assumptions_section
from caravan.briefs.charts import (
    band_chart,
    corridor_shift_chart,
    flow_change_chart,
    transit_chart,
)
from caravan.briefs.evidence import (
    provenance_section,
    routes_section,
    sources_section,
)
from caravan.briefs.map import link_segments, network_maps
from caravan.briefs.sections import (
    BriefContext,
    compared_section,
    corridors_section,
    flows_section,
    key_points,
    links_table,
    transit_section,
)
from caravan.briefs.summary import effect_flow_ids, summary_section
from caravan.briefs.tables import Citations, Table
from caravan.briefs.uncertainty import check_ensemble, uncertainty_section
from caravan.ensemble.spec import spec_from_mapping
from caravan.errors import CaravanError
from caravan.results.compare import compare_runs

if TYPE_CHECKING:
    from caravan.ensemble import EnsembleResult, EnsembleSpec

__all__ = ["SECTIONS", "SECTION_TITLES", "UNCERTAINTY", "Brief", "build_brief", "sections_of"]

#: The section an ensemble adds, after ``transit``.
UNCERTAINTY = "uncertainty"

#: The sections of a brief without an ensemble, in order: each is an HTML element with this id.
SECTIONS: tuple[str, ...] = (
    "summary",
    "map",
    "transit",
    "corridors",
    "flows",
    "compared",
    "tables",
    "routes",
    "demand",
    "assumptions",
    "sources",
    "provenance",
)
#: The first section of the appendix (the analyst's reference material, after the detail).
APPENDIX_FROM = "compared"

#: The title of each section, as listed in the brief's contents.
SECTION_TITLES: Mapping[str, str] = {
    "summary": "Summary",
    "compared": "What was compared",
    "map": "Map of flows",
    "transit": "Transit by country",
    UNCERTAINTY: "Uncertainty: transit across draws",
    "corridors": "Corridors",
    "flows": "Main flows: cost and time",
    "tables": "Tables behind the charts",
    "routes": "Routes of the main flows",
    "demand": "Demand used",
    "assumptions": "Assumptions and ranges",
    "sources": "Sources",
    "provenance": "Provenance",
}


def sections_of(*, ensemble: bool) -> tuple[str, ...]:
    """The sections of a brief, in order, with or without the ensemble's.

    Examples
    --------
    >>> sections_of(ensemble=True)[2:4]
    ('transit', 'uncertainty')
    >>> sections_of(ensemble=False) == SECTIONS
    True
    """
    if not ensemble:
        return SECTIONS
    at = SECTIONS.index("transit") + 1
    return (*SECTIONS[:at], UNCERTAINTY, *SECTIONS[at:])


@dataclass(frozen=True)
class Brief:
    """A built brief: its HTML and what it holds.

    Attributes
    ----------
    html : str
        The whole self-contained document.
    title : str
        Its title.
    scenario_a, scenario_b : str
        The names of the scenarios compared (B against A).
    sections : tuple of str
        The section ids, in order (``uncertainty`` after ``transit`` with an ensemble).
    numbers : mapping
        Table id -> row key -> column key -> the exact value shown.
    cited_source_ids : tuple of str
        Every source id the brief cites, in citation order.
    missing_source_ids : tuple of str
        Cited ids that are not sources of the atlas (empty for a sound atlas).
    main_flows : tuple of str
        The flows whose routes are shown.
    generated_utc : str
        When the brief was built (ISO 8601, UTC).
    ensemble_draws : int or None
        The number of draws of the ensemble shown (None without one).
    """

    html: str = field(repr=False)
    title: str
    scenario_a: str
    scenario_b: str
    sections: tuple[str, ...]
    numbers: Mapping[str, Mapping[str, Mapping[str, float]]] = field(repr=False)
    cited_source_ids: tuple[str, ...]
    missing_source_ids: tuple[str, ...]
    main_flows: tuple[str, ...]
    generated_utc: str
    ensemble_draws: int | None = None


def _spec_of(run: Any) -> Any:
    """Scenario B's ensemble spec (for completion probabilities), or None when it has none."""

    try:
        return spec_from_mapping(run.scenario.ensemble, source=f"scenario {run.name}")
    except CaravanError:
        return None


def _label(run: Any) -> str:
    s = run.scenario
    return f"{s.title or s.name} ({s.year})"


def _environment() -> Any:
    import jinja2

    from caravan.io.report import brief_template_text

    env = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.from_string(brief_template_text())


def _all_tables(context: dict[str, Any]) -> list[Table]:
    tables: list[Table] = []

    def walk(value: Any) -> None:
        if isinstance(value, Table):
            tables.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    walk(context)
    return tables


def build_brief(
    run_a: Any,
    run_b: Any,
    *,
    top_flows: int = 8,
    top_corridors: int = 12,
    top_links: int = 15,
    outlines: Any = "shipped",
    generated_utc: str | None = None,
    ensemble: EnsembleResult | None = None,
    ensemble_spec: EnsembleSpec | None = None,
) -> Brief:
    """Build the analyst brief comparing run B against run A.

    Parameters
    ----------
    run_a, run_b : RunResult
        The runs of the reference scenario (A) and of the what-if (B), from
        :func:`caravan.results.runs.run_scenario`.
    top_flows : int
        How many of the largest flows to show with their routes, costs and times.
    top_corridors : int
        How many corridor shifts to chart (the table lists every corridor whose
        tonnes or tonne-km change, and says how many others are used unchanged).
    top_links : int
        How many links with the largest change to list under the map.
    outlines : GeoDataFrame, None or "shipped"
        Country outlines for the map background: the shipped Natural Earth outlines by
        default, ``None`` for none.
    generated_utc : str, optional
        The generation time to record (default: now).
    ensemble : EnsembleResult, optional
        An ensemble of B with A as its reference (from
        :func:`caravan.ensemble.run_ensemble`): adds the ``uncertainty`` section.
    ensemble_spec : EnsembleSpec, optional
        The spec that ensemble ran with, for the completion probabilities and distributions it
        lists (default: read from scenario B's ``ensemble:`` section).

    Returns
    -------
    Brief

    Raises
    ------
    InputError
        When ``ensemble`` is not of B against A.

    Examples
    --------
    >>> from pathlib import Path
    >>> import caravan
    >>> from caravan.model.scenario import Scenario
    >>> from caravan.results.runs import run_scenario
    >>> atlas = caravan.load_atlas(Path(caravan.__file__).parents[2] / "tests/data/tiny-atlas")
    >>> a = run_scenario(Scenario(name="base", description="as is", year=2025), atlas=atlas)
    >>> b = run_scenario(Scenario(name="rail", description="rail opens", year=2030,
    ...                           open_projects=("chabahar-zahedan",)), atlas=atlas)
    >>> brief = build_brief(a, b, outlines=None)
    >>> brief.sections[:3], brief.missing_source_ids
    (('summary', 'map', 'transit'), ())
    >>> brief.numbers["transit"]["IRN"]["transit_tonnes_a"]
    200000.0
    """

    if ensemble is not None:
        check_ensemble(ensemble, run_a, run_b)
    if generated_utc is None:
        generated_utc = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    if isinstance(outlines, str) and outlines == "shipped":
        from caravan.io.outlines import read_outlines

        outlines = read_outlines()
    comparison = compare_runs(run_a, run_b)
    known = {s.source_id for s in run_a.atlas.sources} | {s.source_id for s in run_b.atlas.sources}
    nodes = run_a.atlas.nodes_frame
    ctx = BriefContext(
        run_a=run_a,
        run_b=run_b,
        comparison=comparison,
        citations=Citations(known=known),
        label_a=_label(run_a),
        label_b=_label(run_b),
        main_flows=effect_flow_ids(comparison, run_a, run_b, top_flows),
        node_names={str(k): str(v) for k, v in zip(nodes["node_id"], nodes["name"], strict=True)},
    )
    title = f"{ctx.label_b} versus {ctx.label_a}"

    compared = compared_section(ctx)
    segments = link_segments(run_a, run_b)
    ends = [
        str(n)
        for run in (run_a, run_b)
        for f in run.flows[run.flows["flow_id"].isin(ctx.main_flows)].to_dict("records")
        for n in (f["origin_node_id"], f["destination_node_id"])
    ]
    maps = network_maps(
        run_a,
        run_b,
        outlines,
        label_a=f"A: {ctx.label_a}",
        label_b=f"B: {ctx.label_b}",
        label_node_ids=ends,
    )
    transit = transit_section(ctx)
    tf = transit["frame"]
    transit_img = (
        transit_chart(
            [str(c) for c in tf["country_iso3"]],
            tf["transit_tonnes_a"].tolist(),
            tf["transit_tonnes_b"].tolist(),
            tf["transit_revenue_usd_a"].tolist(),
            tf["transit_revenue_usd_b"].tolist(),
            label_a=f"A: {ctx.label_a}",
            label_b=f"B: {ctx.label_b}",
        )
        if not tf.empty
        else None
    )
    uncertainty: dict[str, Any] | None = None
    ensemble_rows: list[dict[str, Any]] = []
    spec = ensemble_spec
    if ensemble is not None:
        uncertainty = uncertainty_section(ctx, ensemble, ensemble_spec)
        shown = uncertainty["rows"]
        ensemble_rows = list(shown)
        uncertainty["img"] = (
            band_chart(
                [str(r["country_iso3"]) for r in shown],
                [float(r["delta_transit_tonnes_mean"]) for r in shown],
                [float(r["delta_transit_tonnes_p5"]) for r in shown],
                [float(r["delta_transit_tonnes_p95"]) for r in shown],
                draws=uncertainty["succeeded"],
            )
            if shown
            else None
        )
        del uncertainty["rows"]
        if spec is None:
            spec = _spec_of(run_b)
    sections = sections_of(ensemble=ensemble is not None)
    corridors = corridors_section(ctx, top=top_corridors)
    corridor_img = (
        corridor_shift_chart(corridors["chart_labels"], corridors["chart_values"])
        if corridors["chart_labels"]
        else None
    )
    flows = flows_section(ctx)
    flow_img = (
        flow_change_chart(flows["labels"], flows["delta_cost"], flows["delta_time"])
        if flows["labels"]
        else None
    )
    routes = routes_section(ctx)
    summary = summary_section(
        ctx,
        transit=tf,
        ensemble_rows=ensemble_rows,
        draws=0 if uncertainty is None else int(uncertainty["succeeded"]),
        spec=spec,
        change_map=maps.change,
    )
    assumptions = assumptions_section(ctx)
    sources = sources_section(ctx)
    provenance = provenance_section(ctx, generated_utc)

    points = key_points(ctx, tf, corridors)
    if uncertainty is not None and uncertainty["sentences"]:
        points.append(
            f"Across {uncertainty['succeeded']} draws of the uncertain inputs: "
            + uncertainty["sentences"][0][0].lower()
            + uncertainty["sentences"][0][1:]
        )
    context: dict[str, Any] = {
        "title": title,
        "label_a": ctx.label_a,
        "label_b": ctx.label_b,
        "generated_utc": generated_utc,
        "key_points": points,
        "summary": summary,
        "compared": compared,
        "map": {
            "flows_img": maps.flows,
            "change_img": maps.change,
            "extent": maps.extent,
            "links": links_table(ctx, segments, top=top_links),
        },
        "transit": {"img": transit_img, "table": transit["table"]},
        "uncertainty": uncertainty,
        "corridors": {"img": corridor_img, "table": corridors["table"]},
        "flows": {"img": flow_img, "table": flows["table"]},
        "routes": routes,
        "assumptions": assumptions,
        "sources": sources,
        "provenance": provenance,
        "sections": sections,
        "titles": SECTION_TITLES,
        "number": {s: i + 1 for i, s in enumerate(sections)},
        "appendix_from": APPENDIX_FROM,
    }
    html = _environment().render(**context)
    numbers = {t.table_id: t.numbers() for t in _all_tables(context)}
    return Brief(
        html=html,
        title=title,
        scenario_a=run_a.scenario.name,
        scenario_b=run_b.scenario.name,
        sections=sections,
        numbers=numbers,
        cited_source_ids=ctx.citations.ids,
        missing_source_ids=ctx.citations.missing,
        main_flows=ctx.main_flows,
        generated_utc=generated_utc,
        ensemble_draws=None if uncertainty is None else uncertainty["draws"],
    )
