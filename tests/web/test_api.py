"""The web API in-process: good input gives the library's answers, bad input a clear 4xx."""

from __future__ import annotations

import itertools
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import caravan
from caravan.errors import InputError
from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas
from caravan.web import Limits, create_app
from caravan.web.pages import STATIC_DIR
from tests.web.helpers import api_error

# -- the atlas -------------------------------------------------------------------------------


def test_atlas_info_lists_vocabularies_and_limits(client: TestClient) -> None:
    info = client.get("/api/atlas").json()
    assert info["name"] == "Route test atlas"
    assert info["objectives"] == ["cost", "money", "time", "distance"]
    assert {c["commodity_id"] for c in info["commodities"]} == {"container", "bulk"}
    assert info["max_k"] == 10
    assert info["token_required"] is False


def test_nodes_geojson_has_every_place_with_attributes_and_sources(
    client: TestClient, web_atlas: Path
) -> None:
    atlas = load_atlas(web_atlas)
    response = client.get("/api/atlas/nodes.geojson")
    assert response.headers["content-type"].startswith("application/geo+json")
    fc = response.json()
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == len(atlas.nodes)
    amber = next(f for f in fc["features"] if f["id"] == "amber")
    assert amber["geometry"] == {"type": "Point", "coordinates": [66.0, 41.0]}
    assert amber["properties"]["kind"] == "city"
    assert amber["properties"]["aliases"] == ["Amberabad"]
    assert amber["properties"]["source_ids"] == ["fixture"]


def test_links_geojson_has_mode_status_and_sources(client: TestClient, web_atlas: Path) -> None:
    atlas = load_atlas(web_atlas)
    fc = client.get("/api/atlas/links.geojson").json()
    assert len(fc["features"]) == len(atlas.links)
    for feature in fc["features"]:
        props = feature["properties"]
        assert props["mode"] in {"rail", "road", "ferry", "sea"}
        assert props["status"]
        assert props["source_ids"]
        assert len(feature["geometry"]["coordinates"]) == 2
    statuses = {f["properties"]["status"] for f in fc["features"]}
    assert {"operational", "proposed"} <= statuses


def test_projects_as_records_and_geojson(client: TestClient) -> None:
    projects = client.get("/api/atlas/projects").json()
    by_id = {p["project_id"]: p for p in projects}
    assert by_id["cobalt-link"]["status"] == "under_construction"
    assert by_id["cobalt-link"]["link_ids"] == ["r-cobalt-dune"]
    assert by_id["cobalt-link"]["bbox"] == [66.5, 36.9, 66.8, 39.15]
    fc = client.get("/api/atlas/projects.geojson").json()
    feature = next(f for f in fc["features"] if f["id"] == "southern-corridor")
    assert feature["geometry"]["type"] == "MultiLineString"
    assert len(feature["geometry"]["coordinates"]) == 3
    assert feature["properties"]["source_ids"] == ["fixture"]


def test_sources_and_summary(client: TestClient) -> None:
    sources = client.get("/api/atlas/sources").json()
    assert "fixture" in {s["source_id"] for s in sources}
    summary = client.get("/api/atlas/summary").json()
    assert summary["n_nodes"] == 9


def test_places_search_is_accent_and_case_insensitive_prefix_first(client: TestClient) -> None:
    hits = client.get("/api/places", params={"q": "AMB"}).json()
    assert [h["node_id"] for h in hits] == ["amber"]
    assert client.get("/api/places", params={"q": "abad"}).json()[0]["node_id"] == "amber"
    assert len(client.get("/api/places").json()) == 9
    api_error(client.get("/api/places", params={"limit": 0}), 422)


# -- routes ----------------------------------------------------------------------------------


def test_route_has_the_cli_fields_plus_geometry(client: TestClient, web_atlas: Path) -> None:
    atlas = load_atlas(web_atlas)
    expected = caravan.route(atlas, "amber", "dune", k=2)
    body = client.get("/api/route", params={"from": "Amber", "to": "dune", "k": 2}).json()
    assert body["query"]["from"] == "amber"
    assert len(body["routes"]) == len(expected)
    for got, want in zip(body["routes"], expected, strict=True):
        record = want.to_dict()
        assert set(record) <= set(got)
        assert got["node_ids"] == record["node_ids"]
        assert got["link_ids"] == record["link_ids"]
        assert got["countries"] == record["countries"]
        assert got["cost_usd_per_t"] == pytest.approx(record["cost_usd_per_t"])
        assert [b["border_id"] for b in got["borders"]] == [b.border_id for b in want.borders]
        features = got["geometry"]["features"]
        assert [f["properties"]["link_id"] for f in features] == record["link_ids"]
        # Each segment runs in travel order: it starts where the previous one ended.
        for before, after in itertools.pairwise(features):
            assert before["geometry"]["coordinates"][1] == after["geometry"]["coordinates"][0]
    assert body["bbox"][0] <= 66.0 <= body["bbox"][2]


def test_route_with_an_opened_project(client: TestClient) -> None:
    params = {"from": "amber", "to": "dune", "year": 2030, "open": "Cobalt Link"}
    body = client.get("/api/route", params=params).json()
    assert body["query"]["open"] == ["cobalt-link"]
    assert body["routes"][0]["projects"] == ["cobalt-link"]


def test_unknown_place_is_404_naming_the_field_with_suggestions(client: TestClient) -> None:
    error = api_error(client.get("/api/route", params={"from": "Ambr", "to": "Dune"}), 404)
    assert error["field"] == "from"
    assert error["kind"] == "not_found"
    assert "Amber" in error["suggestions"]
    error = api_error(client.get("/api/route", params={"from": "Amber", "to": "Dume"}), 404)
    assert error["field"] == "to"
    assert "Dune" in error["suggestions"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"k": 0}, "k"),
        ({"k": 11}, "k"),
        ({"k": "two"}, "k"),
        ({"year": 1800}, "year"),
        ({"year": 2101}, "year"),
        ({"by": "fastest"}, "by"),
        ({"max_overlap": 0}, "max_overlap"),
        ({"from": ""}, "from"),
        ({"from": "x" * 101}, "from"),
    ],
)
def test_out_of_bounds_input_is_422_naming_the_field(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    query = {"from": "amber", "to": "dune", **params}
    error = api_error(client.get("/api/route", params=query), 422)
    assert error["field"] == field
    assert error["message"].startswith(f"{field}:")
    assert error["fix"]
    assert error["errors"][0]["field"] == field


def test_the_fix_names_the_allowed_values(client: TestClient) -> None:
    error = api_error(client.get("/api/route", params={"from": "a", "to": "b", "k": 0}), 422)
    assert error["fix"] == "use k of at least 1"
    error = api_error(client.get("/api/route", params={"from": "a", "to": "b", "by": "x"}), 422)
    assert "'cost'" in error["fix"] and "'distance'" in error["fix"]


def test_missing_parameter_is_422(client: TestClient) -> None:
    error = api_error(client.get("/api/route", params={"to": "dune"}), 422)
    assert error["field"] == "from"
    assert error["fix"] == "give from"


def test_unknown_commodity_and_project_name_their_field(client: TestClient) -> None:
    query = {"from": "amber", "to": "dune", "commodity": "containr"}
    error = api_error(client.get("/api/route", params=query), 404)
    assert error["field"] == "commodity"
    assert "container" in error["suggestions"]
    query = {"from": "amber", "to": "dune", "open": "cobalt-lnk"}
    error = api_error(client.get("/api/route", params=query), 404)
    assert error["field"] == "open"


def test_same_place_twice_and_no_route(client: TestClient) -> None:
    error = api_error(client.get("/api/route", params={"from": "amber", "to": "Amberabad"}), 422)
    assert error["field"] == "to"
    error = api_error(client.get("/api/route", params={"from": "amber", "to": "garnet"}), 404)
    assert error["kind"] == "no_route"
    assert "garnet" in error["message"].lower()


def test_server_limit_on_k_is_lower_than_the_schema_bound(web_atlas: Path) -> None:
    app = create_app(atlas_path=web_atlas, limits=Limits(max_k=2))
    local = TestClient(app, base_url="http://127.0.0.1")
    error = api_error(local.get("/api/route", params={"from": "amber", "to": "dune", "k": 3}), 422)
    assert error["field"] == "k"
    assert "between 1 and 2" in error["fix"]
    assert (
        local.get("/api/route", params={"from": "amber", "to": "dune", "k": 2}).status_code == 200
    )


def test_route_answers_are_cached_and_identical(web_atlas: Path) -> None:
    app = create_app(atlas_path=web_atlas)
    local = TestClient(app, base_url="http://127.0.0.1")
    params = {"from": "amber", "to": "dune", "k": 2}
    first = local.get("/api/route", params=params).content
    second = local.get("/api/route", params={"from": "Amber", "to": "Dune", "k": 2}).content
    assert first == second
    assert app.state.caravan.routes.hits == 1


# -- safety: request size, host, token, scenario names ---------------------------------------


def test_body_too_large_is_413(client: TestClient) -> None:
    big = '{"scenario": "' + "a" * 70_000 + '"}'
    error = api_error(
        client.post("/api/runs", content=big, headers={"Content-Type": "application/json"}), 413
    )
    assert error["field"] == "body"


def test_chunked_body_too_large_is_413(client: TestClient) -> None:
    def chunks() -> Any:
        for _ in range(100):
            yield b"x" * 1024

    response = client.post(
        "/api/runs", content=chunks(), headers={"Content-Type": "application/json"}
    )
    api_error(response, 413)


def test_url_too_long_is_414(client: TestClient) -> None:
    api_error(client.get("/api/places", params={"q": "a" * 5000}), 414)


def test_other_host_header_is_refused_on_loopback(client: TestClient) -> None:
    error = api_error(client.get("/api/atlas", headers={"Host": "evil.example:8000"}), 400)
    assert error["field"] == "Host"
    assert client.get("/api/atlas", headers={"Host": "localhost:8000"}).status_code == 200


def test_non_loopback_without_token_is_refused(web_atlas: Path) -> None:
    with pytest.raises(InputError, match="token"):
        create_app(atlas_path=web_atlas, host="0.0.0.0")
    with pytest.raises(InputError, match="empty"):
        create_app(atlas_path=web_atlas, host="0.0.0.0", token="  ")


class _FakeRuns:
    """A stand-in for run_scenario that records its calls (for the safety tests)."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.calls: list[str] = []
        self.delay_s = delay_s
        self.lock = threading.Lock()

    def __call__(self, name: str, atlas: Atlas) -> Any:
        with self.lock:
            self.calls.append(name)
        time.sleep(self.delay_s)
        return _FakeResult(name)


class _FakeResult:
    def __init__(self, name: str) -> None:
        import pandas as pd

        self.name = name
        self.summary = {"scenario": name}
        self.link_flows = pd.DataFrame(
            {"link_id": ["r-amber-bolt"], "tonnes_per_year": [5.0], "tonnes_ab": [5.0]}
        )

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.name, "summary": self.summary, "countries": []}


def test_token_needed_to_start_a_run_off_loopback(web_atlas: Path) -> None:
    fake = _FakeRuns()
    app = create_app(atlas_path=web_atlas, host="0.0.0.0", token="s3cret", run=fake)
    remote = TestClient(app, base_url="http://10.0.0.5")
    assert remote.get("/api/atlas").json()["token_required"] is True
    error = api_error(remote.post("/api/runs", json={"scenario": "base"}), 401)
    assert error["field"] == "X-Caravan-Token"
    api_error(
        remote.post("/api/runs", json={"scenario": "base"}, headers={"X-Caravan-Token": "no"}), 401
    )
    api_error(remote.post("/api/compare", json={"a": "base", "b": "rail"}), 401)
    # A GET never starts a run (a page elsewhere could otherwise trigger one): it only reads.
    error = api_error(remote.get("/api/compare", params={"a": "base", "b": "rail"}), 404)
    assert error["kind"] == "not_run" and "POST /api/compare" in error["fix"]
    assert fake.calls == []
    ok = remote.post("/api/runs", json={"scenario": "base"}, headers={"X-Caravan-Token": "s3cret"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["links"] == [
        {"link_id": "r-amber-bolt", "tonnes_per_year": 5.0, "tonnes_ab": 5.0}
    ]
    bearer = {"Authorization": "Bearer s3cret"}
    assert remote.post("/api/runs", json={"scenario": "rail"}, headers=bearer).status_code == 200
    # Reading kept runs and the atlas needs no token; a kept run is not started again.
    assert remote.get("/api/runs/base").status_code == 200
    assert fake.calls == ["base", "rail"]


@pytest.mark.parametrize(
    "name", ["../secret", "..", "base.yaml", "/etc/passwd", "Base", "-base", "a" * 65, ""]
)
def test_bad_scenario_names_are_422_and_nothing_runs(web_atlas: Path, name: str) -> None:
    fake = _FakeRuns()
    local = TestClient(create_app(atlas_path=web_atlas, run=fake), base_url="http://127.0.0.1")
    error = api_error(local.post("/api/runs", json={"scenario": name}), 422)
    assert error["field"] == "scenario"
    error = api_error(local.post("/api/compare", json={"a": name, "b": "base"}), 422)
    assert error["field"] == "a"
    error = api_error(local.get("/api/compare", params={"a": name, "b": "base"}), 422)
    assert error["field"] == "a"
    assert fake.calls == []


def test_scenario_names_resolve_only_inside_the_folder(web_atlas: Path) -> None:
    fake = _FakeRuns()
    local = TestClient(create_app(atlas_path=web_atlas, run=fake), base_url="http://127.0.0.1")
    assert (web_atlas.parent / "secret.yaml").is_file()
    error = api_error(local.post("/api/runs", json={"scenario": "secret"}), 404)
    assert error["field"] == "scenario"
    error = api_error(local.post("/api/runs", json={"scenario": "bse"}), 404)
    assert "base" in error["suggestions"]
    for path in ("/api/runs/..%2Fsecret", "/api/runs/%2E%2E", "/api/runs/../secret"):
        assert local.get(path).status_code in (404, 422)
    api_error(local.post("/api/runs", json={"scenario": "base", "extra": 1}), 422)
    api_error(local.post("/api/runs", content=b"not json"), 422)
    assert fake.calls == []


def test_run_time_limit_answers_504_and_keeps_the_run(web_atlas: Path) -> None:
    fake = _FakeRuns(delay_s=0.6)
    app = create_app(atlas_path=web_atlas, run=fake, limits=Limits(run_timeout_s=0.1))
    local = TestClient(app, base_url="http://127.0.0.1")
    error = api_error(local.post("/api/runs", json={"scenario": "base"}), 504)
    assert error["kind"] == "timeout"
    listed = {s["name"]: s["run"] for s in local.get("/api/scenarios").json()}
    assert listed["base"] == "running"
    api_error(local.get("/api/runs/base"), 404)
    time.sleep(0.8)
    assert local.get("/api/runs/base").status_code == 200
    assert fake.calls == ["base"]


def test_scenarios_are_listed_with_their_run_state(client: TestClient) -> None:
    listed = client.get("/api/scenarios").json()
    assert [s["name"] for s in listed] == ["base", "no-afg-border", "rail"]
    assert listed[0]["title"] == "As is"
    assert {s["run"] for s in listed} <= {"not run", "done", "running"}


# -- runs and comparisons (the real engine) --------------------------------------------------


@pytest.fixture(scope="module")
def runs_client(web_atlas: Path) -> TestClient:
    pytest.importorskip("caravan.results.runs", reason="scenario runs (issue 5) not available")
    return TestClient(create_app(atlas_path=web_atlas), base_url="http://127.0.0.1")


def test_run_then_read_it_and_its_flows(runs_client: TestClient) -> None:
    error = api_error(runs_client.get("/api/runs/no-afg-border"), 404)
    assert error["kind"] == "not_run"
    run = runs_client.post("/api/runs", json={"scenario": "base"})
    assert run.status_code == 200, run.text
    body = run.json()
    assert body["scenario"] == "base"
    assert body["summary"]["demand_tonnes_per_year"] == pytest.approx(1_300_000)
    assert {c["country_iso3"] for c in body["countries"]} >= {"AFG", "UZB"}
    assert body["links"] and all(row["tonnes_per_year"] > 0 for row in body["links"])
    assert runs_client.get("/api/runs/base").json()["summary"] == body["summary"]
    flows = runs_client.get("/api/runs/base/flows.geojson").json()
    assert {f["id"] for f in flows["features"]} == {row["link_id"] for row in body["links"]}
    assert "base" in [r["scenario"] for r in runs_client.get("/api/runs").json()]


def test_compare_matches_the_library(runs_client: TestClient, web_atlas: Path) -> None:
    from caravan.pipeline import run_scenario
    from caravan.results.compare import compare_runs

    response = runs_client.post("/api/compare", json={"a": "base", "b": "no-afg-border"})
    assert response.status_code == 200, response.text
    body = response.json()
    # Once both runs are kept, a GET reads the same comparison.
    again = runs_client.get("/api/compare", params={"a": "base", "b": "no-afg-border"})
    assert again.status_code == 200 and again.json()["countries"] == body["countries"]
    atlas = load_atlas(web_atlas)
    want = compare_runs(
        run_scenario("base", atlas=atlas), run_scenario("no-afg-border", atlas=atlas)
    ).to_dict()
    assert (body["a"], body["b"]) == ("base", "no-afg-border")
    got_c = {c["country_iso3"]: c["delta_transit_tonnes"] for c in body["countries"]}
    want_c = {c["country_iso3"]: c["delta_transit_tonnes"] for c in want["countries"]}
    assert got_c == pytest.approx(want_c, rel=1e-4, abs=1e-3)
    changed = {f["id"]: f["properties"]["delta_tonnes"] for f in body["links_geojson"]["features"]}
    want_l = {r["link_id"]: r["delta_tonnes"] for r in want["links"]}
    assert changed == pytest.approx(want_l, rel=1e-4, abs=1e-3)
    assert any(v < 0 for v in changed.values()) and any(v > 0 for v in changed.values())


def test_compare_unknown_scenario_names_the_side(runs_client: TestClient) -> None:
    error = api_error(runs_client.post("/api/compare", json={"a": "base", "b": "rial"}), 404)
    assert error["field"] == "b"
    assert "rail" in error["suggestions"]


# -- pages, files and docs -------------------------------------------------------------------


def test_page_and_its_files_are_served_locally(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'src="/vendor/maplibre-gl.js"' in page.text
    js = client.get("/vendor/maplibre-gl.js")
    assert js.status_code == 200 and "maplibre" in js.text[:500].lower()
    assert client.get("/vendor/maplibre-gl.css").status_code == 200
    api_error(client.get("/vendor/evil.js"), 404)
    for path in ("/static/app.js", "/static/style.css", "/static/docs.js", "/static/docs.css"):
        assert client.get(path).status_code == 200, path
    assert client.get("/static/../app.py").status_code == 404
    outlines = client.get("/data/countries.geojson").json()
    assert len(outlines["features"]) > 100
    assert "Afghanistan" in {f["properties"]["name"] for f in outlines["features"]}


def test_no_page_file_points_at_another_host() -> None:
    allowed = {"http://www.w3.org/2000/svg"}
    for path in STATIC_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        urls = set(re.findall(r"(?:https?:)?//[a-zA-Z0-9.-]+\.[a-z]{2,}[^\s\"')]*", text))
        assert urls <= allowed, (path.name, urls)


def test_openapi_and_offline_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/route", "/api/atlas/links.geojson", "/api/runs", "/api/compare"):
        assert path in spec["paths"]
    params = {p["name"]: p for p in spec["paths"]["/api/route"]["get"]["parameters"]}
    assert params["k"]["schema"]["maximum"] == 10
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/docs.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/redoc").status_code == 404


def test_unknown_path_is_a_json_404(client: TestClient) -> None:
    error = api_error(client.get("/api/nothing"), 404)
    assert error["fix"]
    api_error(client.delete("/api/atlas"), 405)


def test_route_answers_are_compact_json_with_numpy_values_and_nan_made_plain() -> None:
    import numpy as np

    from caravan.web.route_work import _dumps

    assert _dumps({"a": 1.5, "b": "Kabul–Torkham"}) == '{"a":1.5,"b":"Kabul–Torkham"}'.encode()
    assert (
        _dumps({"n": np.int64(3), "x": float("nan"), "t": (1, 2)}) == b'{"n":3,"x":null,"t":[1,2]}'
    )
