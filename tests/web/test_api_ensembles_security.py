"""The ensemble and security-layer endpoints: answers match the library, bad input a clear 4xx."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from caravan.io.atlas import load_atlas
from caravan.model.atlas import Atlas
from caravan.model.geodesy import geodesic_km
from caravan.web import Limits, create_app
from caravan.web.api_ensembles import ensemble_key
from tests.web.helpers import api_error

EVENTS = """\
event_id,event_date,event_type,sub_event_type,actor1,actor2,country,iso3,admin1,location,\
latitude,longitude,fatalities,event_count,source_ids,notes
ev-dune-clash,2025-03-01,Battles,Armed clash,Militants,Police,Pakistan,PAK,North,near Dune,\
36.95,66.85,12,1,fixture,with coordinates 6 km from Dune
ev-north-attacks,2024-07-01,Battles,Armed clash,Militants,,Pakistan,PAK,North,,,,40,30,fixture,\
AGGREGATE: a province count with no coordinates
ev-afg-strike,2024-12-24,Explosions/Remote violence,Air/drone strike,Air force,,Afghanistan,AFG,,,\
,,46,1,fixture,country-level
ev-far-away,2025-01-10,Riots,Violent demonstration,Rioters,,Pakistan,PAK,South,Harbor,\
36.5,67.5,0,1,fixture,at Harbor
ev-tjk-clash,2025-02-01,Battles,Armed clash,Border guards,,Tajikistan,TJK,,,,,2,1,fixture,\
a country with no places in the atlas
ev-later,2025-10-01,Battles,Armed clash,Militants,,Iran,IRN,,,,,5,1,fixture,after the as-of date
"""

AS_OF = "2025-06-30"


@pytest.fixture(scope="module")
def security_atlas_path(web_atlas: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web test atlas plus a security layer of six events (a scratch copy)."""
    folder = tmp_path_factory.mktemp("web-security") / "atlas"
    shutil.copytree(web_atlas, folder)
    (folder / "security").mkdir()
    (folder / "security" / "actors.yaml").write_text("[]\n", encoding="utf-8")
    (folder / "security" / "relations.yaml").write_text("[]\n", encoding="utf-8")
    (folder / "security" / "events.csv").write_text(EVENTS, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def sec(security_atlas_path: Path) -> TestClient:
    return TestClient(create_app(atlas_path=security_atlas_path), base_url="http://127.0.0.1")


# -- security: risk ---------------------------------------------------------------------------


def test_risk_has_zones_with_event_part_override_and_events(
    sec: TestClient, security_atlas_path: Path
) -> None:
    from caravan.security import zone_risks
    from caravan.security.files import read_security

    body = sec.get("/api/security/risk", params={"as_of": AS_OF}).json()
    assert body["as_of"] == AS_OF
    assert body["n_events"] == 5
    assert "mean" in body["link_rule"]
    zones = {z["zone_id"]: z for z in body["zones"]}
    north = zones["pak-north"]
    assert north["override"] == 0.6
    assert north["event_risk"] > 0
    assert north["risk"] == pytest.approx(max(0.6, north["event_risk"]))
    assert {e["event_id"] for e in north["events"]} == {"ev-dune-clash", "ev-north-attacks"}
    assert north["node_ids"] == ["dune"]
    assert zones["afg"]["n_events"] == 1
    assert zones["irn"]["n_events"] == 0  # its event comes after the as-of date
    assert zones["events-tjk"]["in_atlas"] is False
    # The same figures as the library.
    atlas = load_atlas(security_atlas_path)
    want = zone_risks(atlas.zones, read_security(security_atlas_path), as_of=AS_OF)
    assert {r.zone_id: r.risk for r in want} == pytest.approx(
        {z["zone_id"]: z["risk"] for z in body["zones"]}
    )
    assert [r.zone_id for r in want] == [z["zone_id"] for z in body["zones"]]


def test_place_and_link_risk_follow_routing(sec: TestClient, security_atlas_path: Path) -> None:
    body = sec.get("/api/security/risk", params={"as_of": AS_OF}).json()
    zones = {z["zone_id"]: z["risk"] for z in body["zones"]}
    places = body["places"]
    assert places["dune"] == {"zone_id": "pak-north", "risk": zones["pak-north"]}
    assert places["harbor"]["zone_id"] == "pak"  # no zone for its province: the country's
    assert places["amber"] == {"zone_id": None, "risk": 0.0}  # no zone at all
    atlas = load_atlas(security_atlas_path)
    links = atlas.links_frame
    assert set(body["links"]) == set(links["link_id"])
    ends = zip(links["link_id"], links["from_node_id"], links["to_node_id"], strict=True)
    for link_id, a, b in ends:
        mean = 0.5 * (places[a]["risk"] + places[b]["risk"])
        assert body["links"][link_id] == pytest.approx(mean, abs=1e-6)


def test_risk_before_any_event_is_the_analysts_figure(sec: TestClient) -> None:
    body = sec.get("/api/security/risk", params={"as_of": "2020-01-01"}).json()
    assert body["n_events"] == 0
    for zone in body["zones"]:
        if zone["in_atlas"]:
            assert zone["event_risk"] == 0 and zone["risk"] == zone["override"]


def test_risk_defaults_to_the_atlas_date(sec: TestClient, security_atlas_path: Path) -> None:
    body = sec.get("/api/security/risk").json()
    assert body["as_of"] == str(load_atlas(security_atlas_path).as_of)[:10]


@pytest.mark.parametrize(
    "as_of", ["yesterday", "2025-13-01", "2025-02-30", "25-01-01", "2025-1-1", "3000-01-01"]
)
def test_bad_as_of_is_422_naming_it(sec: TestClient, as_of: str) -> None:
    for path in ("/api/security/risk", "/api/security/events"):
        error = api_error(sec.get(path, params={"as_of": as_of}), 422)
        assert error["field"] == "as_of"
        assert "YYYY-MM-DD" in (error["fix"] or "")


def test_an_atlas_without_a_security_layer_has_no_events(client: TestClient) -> None:
    body = client.get("/api/security/risk").json()
    assert body["n_events"] == 0
    assert all(z["risk"] == z["override"] for z in body["zones"])
    events = client.get("/api/security/events").json()
    assert events["features"] == [] and events["n_events"] == 0


# -- security: events -------------------------------------------------------------------------


def test_events_are_points_placed_by_coordinates_or_zone_centroid(sec: TestClient) -> None:
    response = sec.get("/api/security/events", params={"as_of": AS_OF})
    assert response.headers["content-type"].startswith("application/geo+json")
    fc = response.json()
    assert fc["type"] == "FeatureCollection"
    by_id = {f["id"]: f for f in fc["features"]}
    assert set(by_id) == {"ev-dune-clash", "ev-north-attacks", "ev-afg-strike", "ev-far-away"}
    assert fc["unplaced"] == ["ev-tjk-clash"]
    assert fc["n_events"] == 5
    clash = by_id["ev-dune-clash"]
    assert clash["geometry"] == {"type": "Point", "coordinates": [66.85, 36.95]}
    assert clash["properties"]["placement"] == "coordinates"
    assert clash["properties"]["fatalities"] == 12
    assert clash["properties"]["actors"] == "Militants vs Police"
    assert clash["properties"]["sources"][0]["title"].startswith("Round figures")
    north = by_id["ev-north-attacks"]
    assert north["properties"]["placement"] == "centroid of pak-north places"
    assert north["geometry"]["coordinates"] == [66.8, 36.9]  # Dune, the zone's one place
    afg = by_id["ev-afg-strike"]
    assert afg["properties"]["placement"] == "centroid of afg places"
    assert afg["geometry"]["coordinates"] == pytest.approx([66.0, 38.575])  # Cobalt and Garnet
    dates = [f["properties"]["event_date"] for f in fc["features"]]
    assert dates == sorted(dates, reverse=True)


def test_events_in_a_bbox(sec: TestClient) -> None:
    fc = sec.get("/api/security/events", params={"as_of": AS_OF, "bbox": "66.5,36.7,67,37"})
    assert {f["id"] for f in fc.json()["features"]} == {"ev-dune-clash", "ev-north-attacks"}


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "10,0,5,1", "0,50,10,40", "0,0,200,10"])
def test_bad_bbox_is_422(sec: TestClient, bbox: str) -> None:
    error = api_error(sec.get("/api/security/events", params={"bbox": bbox}), 422)
    assert error["field"] == "bbox"


def test_events_along_a_route(sec: TestClient) -> None:
    route = "amber,bolt,cobalt,dune"
    fc = sec.get("/api/security/events", params={"as_of": AS_OF, "along": route}).json()
    reasons = {f["id"]: f["properties"]["along"] for f in fc["features"]}
    # Near Dune, and in the zones of Cobalt (afg) and Dune (pak-north); not Harbor's riot.
    assert set(reasons) == {"ev-dune-clash", "ev-north-attacks", "ev-afg-strike"}
    assert reasons["ev-dune-clash"].startswith("7 km from Dune")
    assert "in zone pak-north" in reasons["ev-dune-clash"]
    assert reasons["ev-afg-strike"] == "in zone afg, which the route crosses"
    assert fc["along"]["node_ids"] == ["amber", "bolt", "cobalt", "dune"]
    assert fc["along"]["zones"] == ["afg", "pak-north"]
    assert "50 km" in fc["along"]["rule"]
    # Only within the distance: Harbor's riot is about 80 km from Dune.
    km = geodesic_km(36.5, 67.5, 36.9, 66.8)
    assert 50 < km < 100
    near = sec.get(
        "/api/security/events",
        params=[("as_of", AS_OF), ("along", "harbor"), ("along", "Dune"), ("within_km", "1")],
    ).json()
    assert {f["id"] for f in near["features"]} == {
        "ev-far-away",
        "ev-dune-clash",
        "ev-north-attacks",
    }
    none = sec.get("/api/security/events", params={"as_of": "2020-01-01", "along": route}).json()
    assert none["features"] == [] and none["along"]["zones"] == ["afg", "pak-north"]


def test_unknown_place_along_is_404_with_suggestions(sec: TestClient) -> None:
    error = api_error(sec.get("/api/security/events", params={"along": "amber,dnue"}), 404)
    assert error["field"] == "along"
    error = api_error(sec.get("/api/security/events", params={"within_km": "-1"}), 422)
    assert error["field"] == "within_km"


# -- ensembles: safety and caching (a stand-in for the engine) -------------------------------


class _FakeEnsembles:
    def __init__(self, delay_s: float = 0.0) -> None:
        self.calls: list[tuple[str, str | None, int, int]] = []
        self.delay_s = delay_s
        self.lock = threading.Lock()

    def __call__(self, scenario: str, vs: str | None, draws: int, seed: int, atlas: Atlas) -> Any:
        with self.lock:
            self.calls.append((scenario, vs, draws, seed))
        time.sleep(self.delay_s)
        return _FakeEnsemble(scenario, vs, draws, seed)


class _FakeEnsemble:
    def __init__(self, scenario: str, vs: str | None, draws: int, seed: int) -> None:
        self.record = {
            "scenario": scenario,
            "reference": vs,
            "draws": draws,
            "succeeded": draws,
            "failed": 0,
            "seed": seed,
            "failures": [],
            "countries": [
                {
                    "country_iso3": "AFG",
                    "delta_transit_tonnes_mean": 5.0,
                    "delta_transit_tonnes_p5": 1.0,
                    "delta_transit_tonnes_p95": float("nan"),
                    "p_gain": 0.9,
                    "p_loss": 0.0,
                }
            ],
        }

    def to_dict(self) -> dict[str, Any]:
        return dict(self.record)


def _local(web_atlas: Path, fake: _FakeEnsembles, **kwargs: Any) -> TestClient:
    app = create_app(atlas_path=web_atlas, ensemble=fake, **kwargs)
    return TestClient(app, base_url="http://127.0.0.1")


@pytest.mark.parametrize("draws", [0, 501, -3, "many", 2.5])
def test_draws_out_of_bounds_is_422_naming_draws(web_atlas: Path, draws: Any) -> None:
    fake = _FakeEnsembles()
    local = _local(web_atlas, fake)
    body = {"scenario": "rail", "vs": "base", "draws": draws}
    error = api_error(local.post("/api/ensembles", json=body), 422)
    assert error["field"] == "draws"
    if draws in (0, 501):
        assert error["fix"] in ("use draws of at least 1", "use draws of at most 500")
    assert fake.calls == []


def test_unknown_scenario_or_vs_is_404_with_suggestions(web_atlas: Path) -> None:
    fake = _FakeEnsembles()
    local = _local(web_atlas, fake)
    error = api_error(local.post("/api/ensembles", json={"scenario": "rial", "vs": "base"}), 404)
    assert error["field"] == "scenario"
    assert "rail" in error["suggestions"]
    error = api_error(local.post("/api/ensembles", json={"scenario": "rail", "vs": "bsae"}), 404)
    assert error["field"] == "vs"
    assert "base" in error["suggestions"]
    error = api_error(local.post("/api/ensembles", json={"scenario": "secret"}), 404)
    error = api_error(local.post("/api/ensembles", json={"scenario": "../secret"}), 422)
    assert error["field"] == "scenario"
    error = api_error(local.post("/api/ensembles", json={"scenario": "rail", "vs": "rail"}), 422)
    assert error["field"] == "vs"
    api_error(local.post("/api/ensembles", json={"scenario": "rail", "executor": "process"}), 422)
    api_error(local.post("/api/ensembles", json={"scenario": "rail", "seed": -1}), 422)
    assert fake.calls == []


def test_ensembles_are_kept_per_request_and_read_back(web_atlas: Path) -> None:
    fake = _FakeEnsembles()
    local = _local(web_atlas, fake)
    body = {"scenario": "rail", "vs": "base", "draws": 20, "seed": 7}
    first = local.post("/api/ensembles", json=body)
    assert first.status_code == 200, first.text
    record = first.json()
    atlas = load_atlas(web_atlas)
    assert record["key"] == ensemble_key("rail", "base", 20, 7, atlas.digest)
    assert record["request"] == body
    assert record["metric"] == "delta_transit_tonnes"
    assert record["countries"][0]["delta_transit_tonnes_p95"] is None  # NaN made JSON
    assert local.post("/api/ensembles", json=body).json() == record
    assert local.get(record["url"]).json() == record
    assert fake.calls == [("rail", "base", 20, 7)]
    # Another seed is another ensemble; no vs gives levels, not changes.
    other = local.post("/api/ensembles", json={**body, "seed": 8}).json()
    assert other["key"] != record["key"]
    alone = local.post("/api/ensembles", json={"scenario": "rail"}).json()
    assert alone["metric"] == "transit_tonnes" and alone["request"]["draws"] == 200
    kept = {e["key"] for e in local.get("/api/ensembles").json()}
    assert kept == {record["key"], other["key"], alone["key"]}
    assert len(fake.calls) == 3
    error = api_error(local.get("/api/ensembles/0123456789abcdef"), 404)
    assert error["field"] == "key"
    api_error(local.get("/api/ensembles/not-a-key"), 422)


def test_token_needed_to_start_an_ensemble_off_loopback(web_atlas: Path) -> None:
    fake = _FakeEnsembles()
    app = create_app(atlas_path=web_atlas, host="0.0.0.0", token="s3cret", ensemble=fake)
    remote = TestClient(app, base_url="http://10.0.0.5")
    body = {"scenario": "rail", "vs": "base", "draws": 10}
    error = api_error(remote.post("/api/ensembles", json=body), 401)
    assert error["field"] == "X-Caravan-Token"
    api_error(remote.post("/api/ensembles", json=body, headers={"X-Caravan-Token": "no"}), 401)
    assert fake.calls == []
    ok = remote.post("/api/ensembles", json=body, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200, ok.text
    # Reading a kept ensemble needs no token.
    assert remote.get(ok.json()["url"]).status_code == 200
    assert fake.calls == [("rail", "base", 10, 1)]


def test_ensemble_time_limit_answers_504_and_keeps_it(web_atlas: Path) -> None:
    fake = _FakeEnsembles(delay_s=0.6)
    local = _local(web_atlas, fake, limits=Limits(run_timeout_s=0.1))
    body = {"scenario": "rail", "vs": "base", "draws": 10}
    response = local.post("/api/ensembles", json=body)
    error = api_error(response, 504)
    assert error["kind"] == "timeout"
    location = response.headers["location"]
    assert location in error["fix"]
    running = api_error(local.get(location), 404)
    assert running["kind"] == "running"
    time.sleep(0.8)
    assert local.get(location).status_code == 200
    assert local.post("/api/ensembles", json=body).status_code == 200
    assert len(fake.calls) == 1


# -- ensembles: the real engine ---------------------------------------------------------------


def test_ensemble_matches_the_library(web_atlas: Path) -> None:
    from caravan.ensemble import run_ensemble
    from caravan.ensemble.spec import spec_from_mapping
    from caravan.io.scenario import load_scenario

    local = TestClient(create_app(atlas_path=web_atlas), base_url="http://127.0.0.1")
    response = local.post(
        "/api/ensembles", json={"scenario": "no-afg-border", "vs": "base", "draws": 12}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["executor"] == "in-process"
    assert (body["scenario"], body["reference"], body["draws"]) == ("no-afg-border", "base", 12)
    atlas = load_atlas(web_atlas)
    scenario = load_scenario("no-afg-border", atlas)
    want = run_ensemble(
        scenario,
        reference="base",
        spec=spec_from_mapping(scenario.ensemble, draws=12, seed=1),
        atlas=atlas,
        executor="in-process",
    ).to_dict()
    got = {c["country_iso3"]: c for c in body["countries"]}
    assert set(got) == {c["country_iso3"] for c in want["countries"]}
    for c in want["countries"]:
        for field in ("delta_transit_tonnes_mean", "delta_transit_tonnes_p5", "p_gain", "p_loss"):
            assert got[c["country_iso3"]][field] == pytest.approx(c[field], abs=1e-3), field


def test_openapi_documents_the_new_endpoints(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/ensembles",
        "/api/ensembles/{key}",
        "/api/security/risk",
        "/api/security/events",
    ):
        assert path in spec["paths"], path
    post = spec["paths"]["/api/ensembles"]["post"]
    assert {"401", "404", "422", "504"} <= set(post["responses"])
    assert "key" in post["responses"]["200"]["description"]
    params = {p["name"] for p in spec["paths"]["/api/security/events"]["get"]["parameters"]}
    assert params == {"as_of", "bbox", "along", "within_km"}
