"""capacities.yaml: every link, crossing and port has a capacity or a stated reason."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from caravan import load_atlas
from caravan.errors import AtlasValidationError
from caravan.model.atlas import Atlas
from tests._edits import atlas_copy, edit_yaml

_shipped = functools.cache(load_atlas)


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return _shipped()


def test_named_facilities_have_sourced_capacities_with_ranges(atlas: Atlas) -> None:
    borders = atlas.borders_frame.set_index("border_id")
    for border_id in (
        "torkham-peshawar-road",
        "spin-boldak-chaman-road",
        "hairatan-termez-road",
        "termez-hairatan-rail",
        "islam-qala-dogharoun-road",
        "zaranj-milak-road",
        "sarahs-sarakhs-rail",
        "alashankou-dostyk-rail",
        "horgos-khorgos-rail",
        "khunjerab-pass-taxkorgan-road",
        "akhalkalaki-kars-rail",
        "khaf-rozanak-rail",
    ):
        row = borders.loc[border_id]
        assert row["capacity_mtpa_low"] <= row["capacity_mtpa"] <= row["capacity_mtpa_high"]
    nodes = atlas.nodes_frame.set_index("node_id")
    for port in (
        "aktau",
        "kuryk",
        "alat-port",
        "turkmenbashi",
        "chabahar",
        "gwadar",
        "bandar-abbas",
    ):
        assert nodes.loc[port, "capacity_mtpa"] > 0
    links = atlas.links_frame.set_index("link_id")
    for link_id in (
        "r-hairatan-naibabad",
        "r-khaf-rozanak",
        "f-aktau-alat-port",
        "f-kuryk-alat-port",
        "f-turkmenbashi-alat-port",
        "r-marabda-akhalkalaki",
        "rd-salang-pass-kabul",
    ):
        assert links.loc[link_id, "capacity_mtpa"] > 0
    known = {s.source_id for s in atlas.sources}
    for cap in atlas.capacities:
        assert cap.source_ids and set(cap.source_ids) <= known, cap.capacity_id
        assert cap.basis, cap.capacity_id


def _break(tmp_path: Path, change: Any) -> list[str]:
    folder = atlas_copy(Path(_shipped().path or ""), tmp_path / "atlas")
    edit_yaml(folder, "capacities.yaml", change)
    with pytest.raises(AtlasValidationError) as info:
        load_atlas(folder)
    return [f"{p.field}: {p.message}" for p in info.value.problems]


def test_a_link_with_no_capacity_and_no_reason_is_an_error(tmp_path: Path) -> None:
    messages = _break(tmp_path, lambda rows: [r for r in rows if r["capacity_id"] != "trunk-roads"])
    assert any("link 'rd-kabul-jalalabad' has no capacity and no reason" in m for m in messages)
    assert not any("'r-" in m for m in messages)  # rail links keep their reason


def test_a_port_with_no_capacity_and_no_reason_is_an_error(tmp_path: Path) -> None:
    messages = _break(tmp_path, lambda rows: [r for r in rows if r["capacity_id"] != "port-gwadar"])
    assert messages == ["node_ids: port 'gwadar' has no capacity and no reason"]


def test_a_capacity_outside_its_range_or_missing_is_an_error(tmp_path: Path) -> None:
    def change(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for r in rows:
            if r["capacity_id"] == "torkham":
                r["capacity_mtpa"] = 9.0
            if r["capacity_id"] == "milak":
                del r["capacity_mtpa"]
                del r["capacity_mtpa_low"]
                del r["capacity_mtpa_high"]
        return rows

    messages = _break(tmp_path, change)
    assert any("torkham" in m and "above capacity_mtpa_high" in m for m in messages)
    assert any("'milak' (border) gives no capacity" in m for m in messages)
