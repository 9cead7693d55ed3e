"""Observed counts: reading, checks, the count-route incidence and the fit statistics."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from caravan.errors import AtlasValidationError
from caravan.io.atlas import load_atlas, shipped_atlas_path
from caravan.io.observed import load_observed
from caravan.model.atlas import Atlas
from caravan.model.counts import CountKind, CountScope
from caravan.results.counts import count_fit, count_incidence, fit_summary, geh


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return load_atlas(calibrated=False)


def test_shipped_counts_cover_what_the_issue_lists(atlas: Atlas) -> None:
    counts = load_observed(atlas)
    assert len(counts) >= 25
    held = [c for c in counts if c.holdout]
    assert len(held) >= 6
    kinds = {c.kind for c in counts}
    assert kinds == set(CountKind)
    ids = {c.count_id for c in counts}
    wanted = {
        "torkham",
        "chaman",
        "hairatan-rail",
        "islam-qala",
        "sarakhs",
        "dostyk",
        "altynkol",
        "torghundi",
        "aqina",
        "chabahar",
        "bandar-abbas-transit",
        "aktau",
        "kuryk",
        "alat",
        "turkmenbashi-alat",
        "poti",
        "batumi",
        "gwadar",
        "middle-corridor",
        "instc-west",
        "instc-caspian",
        "cre-brest",
        "khaf-herat",
        "kaz-transit",
        "uzb-transit",
        "tkm-transit",
    }
    assert wanted <= ids
    for c in counts:
        assert c.source_ids and c.year >= 2020 and c.unit and c.basis


def test_every_problem_is_reported_at_once(atlas: Atlas, tmp_path: Path) -> None:
    text = (shipped_atlas_path() / "observed.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    bad = (
        lines[1]
        .replace("torkham-peshawar-road", "nowhere-border")
        .replace("obs-dawn-torkham-2022", "no-such-source")
    )
    path = tmp_path / "observed.csv"
    path.write_text("\n".join([lines[0], bad, lines[2], lines[2]]) + "\n", encoding="utf-8")
    with pytest.raises(AtlasValidationError) as err:
        load_observed(atlas, path=path)
    messages = " ".join(p.message for p in err.value.problems)
    assert "nowhere-border" in messages and "no-such-source" in messages
    assert "duplicate id 'chaman'" in messages


def test_incidence_by_kind(atlas: Atlas) -> None:
    counts = [
        c
        for c in load_observed(atlas)
        if c.count_id in ("hairatan-rail", "uzb-transit", "afghan-rail", "chabahar")
    ]
    flows = pd.DataFrame(
        {
            "flow_id": ["a", "b"],
            "origin_node_id": ["tashkent", "termez"],
            "destination_node_id": ["kabul", "kabul"],
        }
    )
    # Route 0 crosses Uzbekistan from Kazakhstan? No: it starts in Uzbekistan, so it is not
    # Uzbek transit; it uses the Termez-Hairatan railway. Route 1 uses no counted place.
    routes = pd.DataFrame(
        {
            "flow_id": ["a", "b"],
            "link_ids": ["r-termez-hairatan;r-hairatan-naibabad", "rd-hairatan-termez"],
        }
    )
    a = count_incidence(atlas, routes, flows, counts).toarray()
    by_id = {c.count_id: a[i] for i, c in enumerate(counts)}
    assert by_id["hairatan-rail"].tolist() == [1.0, 0.0]
    assert by_id["afghan-rail"].tolist() == [1.0, 0.0]
    assert by_id["uzb-transit"].tolist() == [0.0, 0.0]
    assert by_id["chabahar"].tolist() == [0.0, 0.0]


def test_geh_ratio_and_pass_rates(atlas: Atlas) -> None:
    counts = load_observed(atlas)[:4]
    observed = np.array([c.observed_tonnes for c in counts])
    table = count_fit(counts, observed * np.array([1.0, 1.3, 0.8, 2.0]))
    assert table["ratio"].round(6).tolist() == [1.0, 1.3, 0.8, 2.0]
    assert table["geh"].iloc[0] == 0.0
    # 20-t loads per hour: 3.504 Mt -> 20 loads/h, 5.256 Mt -> 30 loads/h; GEH = sqrt(2*100/50) = 2.
    assert geh(np.array([5.256e6]), np.array([3.504e6]))[0] == pytest.approx(2.0)
    table["holdout"] = [False, False, True, True]
    summary = fit_summary(table)
    assert summary["in_sample_within_25pct"] == 0.5
    assert summary["holdout_within_40pct"] == 0.5


def test_transit_in_sees_only_cargo_landed_at_the_port(atlas: Atlas) -> None:
    """IRICA books transit at its gateway of entry: Bandar Abbas's count takes the UAE's cargo
    landed there for Iraq, not the Iraqi fuel oil shipped out there, nor Iran's own cargo."""
    (count,) = [c for c in load_observed(atlas) if c.count_id == "bandar-abbas-transit"]
    assert count.scope is CountScope.TRANSIT_IN
    flows = pd.DataFrame(
        {
            "flow_id": ["in", "out", "own"],
            "origin_node_id": ["jebel-ali", "sulaymaniyah", "jebel-ali"],
            "destination_node_id": ["sulaymaniyah", "jebel-ali", "tehran"],
        }
    )
    land = "r-bafq-bandar-abbas;r-qom-bafq;r-tehran-qom"
    routes = pd.DataFrame(
        {
            "flow_id": ["in", "out", "own"],
            "link_ids": [
                f"s-bandar-abbas-jebel-ali;{land};rd-tehran-kermanshah;rd-kermanshah-sulaymaniyah",
                "rd-kermanshah-sulaymaniyah;rd-tehran-kermanshah;r-tehran-qom;r-qom-bafq;"
                "r-bafq-bandar-abbas;s-bandar-abbas-jebel-ali",
                f"s-bandar-abbas-jebel-ali;{land}",
            ],
        }
    )
    entering = count_incidence(atlas, routes, flows, [count]).toarray()[0]
    both_ways = count_incidence(
        atlas, routes, flows, [dataclasses.replace(count, scope=CountScope.TRANSIT)]
    ).toarray()[0]
    assert entering.tolist() == [1.0, 0.0, 0.0]
    assert both_ways.tolist() == [1.0, 1.0, 0.0]


def test_transit_in_is_for_ports_only(atlas: Atlas, tmp_path: Path) -> None:
    text = (shipped_atlas_path() / "observed.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    bad = lines[1].replace(",all,", ",transit_in,", 1)
    assert bad != lines[1]
    path = tmp_path / "observed.csv"
    path.write_text("\n".join([lines[0], bad]) + "\n", encoding="utf-8")
    with pytest.raises(AtlasValidationError) as err:
        load_observed(atlas, path=path)
    assert "transit_in applies to port counts only" in " ".join(
        p.message for p in err.value.problems
    )
