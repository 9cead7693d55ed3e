"""``docs/named-in-articles.tsv`` maps the names in the five articles to the atlas: check each."""

from __future__ import annotations

from pathlib import Path

import pytest

from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas

TSV = Path(__file__).parents[2] / "docs" / "named-in-articles.tsv"


def _rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in TSV.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, source_id, kind, target = [*line.split("\t"), "", "", "", ""][:4]
        rows.append((name, source_id, kind, target))
    return rows


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return load_atlas()


@pytest.mark.parametrize(
    ("name", "source_id", "kind", "target"), _rows(), ids=lambda v: str(v)[:40]
)
def test_named_entry_exists(
    atlas: Atlas, name: str, source_id: str, kind: str, target: str
) -> None:
    assert atlas.source(source_id).kind == "article"
    if kind == "node":
        assert atlas.node(target).node_id == target
    elif kind == "project":
        assert atlas.project(target).project_id == target
    elif kind == "zone":
        assert target in {z.zone_id for z in atlas.zones}
    elif kind == "country":
        assert target in atlas.countries
    elif kind == "admin1":
        iso3, admin1 = target.split("/", 1)
        nodes = atlas.nodes
        zones = {(z.country_iso3, z.admin1) for z in atlas.zones}
        in_nodes = ((nodes["country_iso3"] == iso3) & (nodes["admin1"] == admin1)).any()
        assert in_nodes or (iso3, admin1) in zones, f"{name}: no place or zone in {target}"
    else:
        assert kind == "none" and target, f"{name}: unmapped without a reason"
