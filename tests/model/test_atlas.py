"""The loaded atlas: look-ups, copies, geometry and the summary, on the tiny atlas."""

from __future__ import annotations

from pathlib import Path

import pytest
from shapely.geometry import LineString, Point

from caravan.errors import NotFoundError
from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas, fold_name
from caravan.model.records import NodeKind, ProjectKind

from .._edits import replace_text


@pytest.mark.parametrize(
    ("query", "node_id"),
    [
        ("zaranj", "zaranj"),  # id
        ("Zaranj", "zaranj"),  # name
        ("ZARANJ", "zaranj"),  # any case
        ("Zarang", "zaranj"),  # alias
        ("Zāhedān", "zahedan"),  # alias with accents
        ("zahedan", "zahedan"),
        ("jawaharlal nehru port", "nhava-sheva"),
        ("Nhava-Sheva", "nhava-sheva"),  # punctuation folded
        ("Chah Bahar", "chabahar"),
    ],
)
def test_node_lookup_by_id_name_or_alias(tiny_atlas: Atlas, query: str, node_id: str) -> None:
    assert tiny_atlas.node(query).node_id == node_id


def test_node_record_fields(tiny_atlas: Atlas) -> None:
    node = tiny_atlas.node("delaram")
    assert node.name == "Delaram"
    assert node.country_iso3 == "AFG"
    assert node.kind is NodeKind.JUNCTION
    assert node.admin1 == "Nimroz"
    assert (node.lat, node.lon) == (32.164, 63.431)
    assert node.aliases == ("Dilaram",)


def test_accent_and_dotless_i_insensitive(tiny_copy: Path) -> None:
    replace_text(
        tiny_copy,
        "nodes.csv",
        "herat,Herat,",
        "kapikule-border,Kapıkule,,TUR,Edirne,41.72,26.35,border,sourced,,tiny-gazetteer\n"
        "herat,Herat,",
    )
    atlas = load_atlas(tiny_copy)
    assert atlas.node("kapikule").node_id == "kapikule-border"
    assert atlas.node("KAPIKULE").name == "Kapıkule"
    assert fold_name("Kapıkule") == "kapikule"


def test_ambiguous_name_lists_the_places(tiny_atlas: Atlas) -> None:
    with pytest.raises(NotFoundError, match="ambiguous") as info:
        tiny_atlas.node("Nimroz crossing")
    assert "milak" in str(info.value) and "zaranj" in str(info.value)


def test_unknown_place_suggests_close_names(tiny_atlas: Atlas) -> None:
    with pytest.raises(NotFoundError, match="did you mean") as info:
        tiny_atlas.node("Kandahr")
    assert "Kandahar" in str(info.value)
    assert isinstance(info.value, KeyError)


def test_unknown_place_far_from_anything(tiny_atlas: Atlas) -> None:
    with pytest.raises(NotFoundError, match="unknown place 'Vladivostok'"):
        tiny_atlas.node("Vladivostok")


def test_project_lookup(tiny_atlas: Atlas) -> None:
    assert tiny_atlas.project("chabahar-zahedan").kind is ProjectKind.PROJECT
    assert tiny_atlas.project("Chabahar-Zahedan railway").project_id == "chabahar-zahedan"
    assert tiny_atlas.project("india–afghanistan via chabahar").project_id == "chabahar-corridor"
    with pytest.raises(NotFoundError, match="did you mean"):
        tiny_atlas.project("zaranj-delarm")


def test_project_records(tiny_atlas: Atlas) -> None:
    project = tiny_atlas.project("chabahar-zahedan")
    assert project.investment_musd is not None
    assert (project.investment_musd.value, project.investment_musd.low) == (1600, 1200)
    assert project.length_km is not None and project.length_km.value == 628
    disputes = tiny_atlas.project("zaranj-delaram").disputes
    assert disputes[0].field == "status"


def test_commodity_and_source_lookup(tiny_atlas: Atlas) -> None:
    assert tiny_atlas.commodity("bulk").value_usd_per_t == 300
    assert tiny_atlas.source("umarova-2025-chabahar-gwadar").author == "Nargiza Umarova"
    with pytest.raises(NotFoundError, match="did you mean 'container'"):
        tiny_atlas.commodity("containr")
    with pytest.raises(NotFoundError):
        tiny_atlas.source("seed-99")


def test_frames_are_copies(tiny_atlas: Atlas) -> None:
    nodes = tiny_atlas.nodes
    nodes.loc[0, "name"] = "changed"
    del nodes["kind"]
    links = tiny_atlas.links
    links["length_km"] = 0.0
    assert tiny_atlas.nodes.loc[0, "name"] == "Nhava Sheva"
    assert len(tiny_atlas.nodes) == 8 and "kind" in tiny_atlas.nodes
    assert (tiny_atlas.links["length_km"] > 0).all()
    assert len(tiny_atlas.borders) == 2 and len(tiny_atlas.transfers) == 4


def test_atlas_is_frozen(tiny_atlas: Atlas) -> None:
    with pytest.raises(AttributeError):
        tiny_atlas.name = "other"  # type: ignore[misc]


def test_links_carry_defaults_and_projects(tiny_atlas: Atlas) -> None:
    links = tiny_atlas.links.set_index("link_id")
    rail = links.loc["r-chabahar-zahedan"]
    assert rail["speed_kmh"] == 40 and rail["speed_basis"] == "mode default"
    assert rail["project_ids"] == ("chabahar-zahedan",)
    sea = links.loc["s-nhava-sheva-chabahar"]
    assert sea["speed_kmh"] == 28 and sea["speed_basis"] == "link"
    assert sea["corridor_ids"] == ("chabahar-corridor",)


def test_geo_frames(tiny_atlas: Atlas) -> None:
    nodes = tiny_atlas.nodes_gdf()
    assert nodes.crs.to_epsg() == 4326
    herat = nodes.set_index("node_id").loc["herat", "geometry"]
    assert isinstance(herat, Point) and (herat.x, herat.y) == (62.204, 34.353)
    links = tiny_atlas.links_gdf()
    assert links.crs.to_epsg() == 4326
    line = links.set_index("link_id").loc["d-delaram-herat", "geometry"]
    assert isinstance(line, LineString)
    assert list(line.coords) == [(63.431, 32.164), (62.204, 34.353)]


def test_summary_counts(tiny_atlas: Atlas) -> None:
    s = tiny_atlas.summary()
    assert (s["n_nodes"], s["n_links"], s["n_borders"], s["n_projects"]) == (8, 9, 2, 3)
    assert s["links_by_mode"] == {"road": 6, "rail": 2, "sea": 1}
    assert s["nodes_by_country"] == {"AFG": 4, "IRN": 3, "IND": 1}
    assert s["km_by_mode"]["rail"] == 858.0


def test_meta_lines_point_back_to_the_files(tiny_atlas: Atlas) -> None:
    lines = tiny_atlas.meta["lines"]
    assert lines["links.csv"]["d-delaram-herat"] == 10
    assert lines["nodes.csv"]["nhava-sheva"] == 2
    assert lines["projects.yaml"]["chabahar-corridor"] == 3


def test_atlas_pickles_after_its_lookups_are_made(tiny_copy: Path) -> None:
    # The web app's route workers receive the atlas pickled; the map page may already have
    # made its read-only look-ups (link_lines), which pickle cannot copy.
    import pickle

    atlas = load_atlas(tiny_copy)
    lines, ends = dict(atlas.link_lines), dict(atlas.link_ends)
    atlas.link_lines_back  # noqa: B018 (made on purpose)
    copy = pickle.loads(pickle.dumps(atlas))
    assert "link_lines" not in copy.__dict__
    assert dict(copy.link_lines) == lines
    assert dict(copy.link_ends) == ends
    assert copy.node("zaranj").node_id == "zaranj"
