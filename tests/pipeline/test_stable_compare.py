"""Comparisons offer every flow the same routes in both scenarios (issue 18, item 4).

A change in a flow's result must have a cause in the network: comparing a scenario with itself
changes nothing, opening a project no flow uses changes nothing, and closing a link moves only
the flows that used it (and those that share a capacity with them).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pytest

from caravan.io.atlas import load_atlas
from caravan.model.scenario import Scenario
from caravan.pipeline import Pipeline
from caravan.results.compare import Comparison

pytestmark = pytest.mark.slow

BASE = "baseline-2025"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(load_atlas())


def _scenario(pipeline: Pipeline, name: str, **changes: Any) -> Scenario:
    """The baseline with a new name and some fields changed."""
    base = pipeline.scenario(BASE)
    return dataclasses.replace(base, name=name, **changes)


def _changes(comparison: Comparison) -> dict[str, list[float]]:
    """Every change the comparison's JSON reports, by table."""
    data = comparison.to_dict()
    return {
        "countries": [abs(r[k]) for r in data["countries"] for k in r if k.startswith("delta_")],
        "corridors": [abs(r[k]) for r in data["corridors"] for k in r if k.startswith("delta_")],
        "flows": [abs(r[k]) for r in data["flows"] for k in r if k.startswith("delta_")],
        "links": [abs(r["delta_tonnes"]) for r in data["links"]],
        "borders": [abs(r[k]) for r in data["borders"] for k in r if k.startswith("delta_")],
        "ports": [abs(r[k]) for r in data["ports"] for k in r if k.startswith("delta_")],
    }


def test_a_scenario_compared_with_itself_changes_nothing(pipeline: Pipeline) -> None:
    comparison = pipeline.compare(BASE, BASE)
    changes = _changes(comparison)
    assert all(changes[table] for table in ("countries", "corridors", "flows"))
    for table, values in changes.items():
        assert max(values, default=0.0) == 0.0, table
    assert not comparison.to_dict()["links"]


def _project_links(pipeline: Pipeline, project_id: str) -> set[str]:
    return {
        lid for p in pipeline.atlas.projects if p.project_id == project_id for lid in p.link_ids
    }


def test_opening_a_project_no_flow_uses_changes_nothing(pipeline: Pipeline) -> None:
    # The proposed Zaranj-Delaram railway: no flow of the shipped demand is offered it.
    base = pipeline.scenario(BASE)
    scenario = _scenario(pipeline, "zd-open", open_projects=(*base.open_projects, "zaranj-delaram"))
    comparison = pipeline.compare(BASE, scenario)
    links = _project_links(pipeline, "zaranj-delaram")
    used = [r for r in comparison.b.routes.itertuples() if links & set(str(r.link_ids).split(";"))]
    assert not used, "precondition: no flow is offered a route over the project"
    for table, values in _changes(comparison).items():
        assert max(values, default=0.0) == 0.0, table


def _capacitated_links(pipeline: Pipeline) -> set[str]:
    """Links through which flows share a capacity: links with one, the links of crossings with
    one, and the links ending at a port with one (queue prices there move every user)."""
    atlas = pipeline.atlas
    links, borders, nodes = atlas.links_frame, atlas.borders_frame, atlas.nodes_frame

    def has(frame: pd.DataFrame) -> pd.Series:
        return frame["capacity_mtpa"].fillna(0) > 0

    ports = set(nodes.loc[has(nodes), "node_id"].astype(str))
    at_port = links["from_node_id"].astype(str).isin(ports) | links["to_node_id"].astype(str).isin(
        ports
    )
    return (
        set(links.loc[has(links), "link_id"].astype(str))
        | set(borders.loc[has(borders), "link_id"].astype(str))
        | set(links.loc[at_port, "link_id"].astype(str))
    )


def test_closing_a_link_moves_only_the_flows_that_used_it(pipeline: Pipeline) -> None:
    closed = "f-turkmenbashi-alat-port"
    base = pipeline.scenario(BASE)
    scenario = _scenario(pipeline, "no-ferry", close_links=(*base.close_links, closed))
    comparison = pipeline.compare(BASE, scenario)
    a, b = comparison.a, comparison.b
    capacitated = _capacitated_links(pipeline)
    links_of: dict[str, set[str]] = {}
    for run in (a, b):
        for r in run.routes.itertuples():
            links_of.setdefault(str(r.flow_id), set()).update(str(r.link_ids).split(";"))
    users = {f for f, links in links_of.items() if closed in links}
    assert users, "precondition: some flow was offered the closed link"
    # Flows joined to a user through a shared capacity can move too; nothing else may.
    touched, shared = set(users), set()
    while True:
        shared = {lid for f in touched for lid in links_of[f] & capacitated}
        grown = touched | {f for f, links in links_of.items() if links & shared}
        if grown == touched:
            break
        touched = grown
    untouched = set(links_of) - touched
    assert untouched
    ra = a.routes.set_index(["flow_id", "link_ids"])["tonnes_per_year"]
    rb = b.routes.set_index(["flow_id", "link_ids"])["tonnes_per_year"]
    for flow_id in untouched:
        assert ra.loc[flow_id].to_dict() == pytest.approx(rb.loc[flow_id].to_dict(), rel=1e-3)
    flows = comparison.flows.set_index("flow_id")
    cheaper = flows[flows["delta_expected_cost_usd_per_t"] < -1e-6]
    assert set(cheaper.index) <= touched
