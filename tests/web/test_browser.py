"""The map page in a real browser (Debian's chromium driven by Playwright), fully offline.

Every request the page makes is recorded; a test fails if any goes to a host other than
127.0.0.1. The browser is ``$CARAVAN_CHROMIUM`` (default ``/usr/bin/chromium``). Screenshots go
to ``$CARAVAN_TEST_ARTEFACTS/web/`` (``make test`` sets it to ``out/test-artefacts``; pytest's
temporary folder otherwise; the path is printed). The shipped atlas is used when it loads,
else the small test atlas with scenarios.
"""

from __future__ import annotations

import dataclasses
import io
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from caravan.errors import CaravanError
from caravan.io.atlas import load_atlas
from caravan.io.report import CHROMIUM_OFFLINE_FLAGS
from caravan.model.atlas import Atlas
from caravan.web import create_app

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CARAVAN_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [*CHROMIUM_OFFLINE_FLAGS, "--disable-quic"]
#: Route pairs to try, in order: the shipped atlas's, then the test atlas's.
OD_PAIRS = [
    ("Tashkent", "Karachi"),
    ("Termez", "Peshawar"),
    ("Almaty", "Tehran"),
    ("Amber", "Dune"),
]
LOCAL_SCHEMES = {"data", "blob", "about"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served_atlas(web_atlas: Path) -> Atlas:
    """The shipped atlas when it loads (and has scenarios), else the test atlas."""
    try:
        shipped = load_atlas()
    except CaravanError:
        return load_atlas(web_atlas)
    return shipped


@contextmanager
def _server(atlas: Atlas) -> Iterator[str]:
    """A real server for ``atlas`` on a free loopback port, in a background thread."""
    import uvicorn

    port = _free_port()
    app = create_app(atlas=atlas)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def base_url(served_atlas: Atlas) -> Iterator[str]:
    """The server of the shipped atlas (or of the test atlas when the shipped one fails)."""
    with _server(served_atlas) as url:
        yield url


@pytest.fixture(scope="module")
def scenarios_url(base_url: str, web_atlas: Path) -> Iterator[str]:
    """A server whose atlas has two scenarios or more: the shipped one if it has, else the
    test atlas."""
    import httpx

    if len(httpx.get(base_url + "/api/scenarios").json()) >= 2:
        yield base_url
        return
    with _server(load_atlas(web_atlas)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"needs chromium at {CHROMIUM} (apt-get install chromium, or set CARAVAN_CHROMIUM)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    artefacts = os.environ.get("CARAVAN_TEST_ARTEFACTS")
    if artefacts:
        folder = Path(artefacts) / "web"
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = tmp_path_factory.mktemp("screenshots", numbered=False)
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh page whose every request is checked to stay on 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # Anything the Content-Security-Policy blocks is reported on the console.
    pg.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
    outside = [
        url
        for url in requests
        if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).hostname != "127.0.0.1"
    ]
    assert not outside, f"requests left the machine: {outside}"
    assert requests, "the page made no requests at all"
    assert not errors, f"JavaScript errors: {errors}"


def _open(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.wait_for_function("() => window.caravanMapReady === true")


def _plan_route(page: Any, base_url: str, pairs: list[tuple[str, str]]) -> tuple[str, str]:
    """Plan, on the page's route tab, the first of ``pairs`` that the API can route."""
    import httpx

    pair = next(
        (o, d)
        for o, d in pairs
        if httpx.get(base_url + "/api/route", params={"from": o, "to": d}).status_code == 200
    )
    _open(page, base_url)
    page.click("nav.tabs button[data-tab=route]")
    page.fill("#route-from", pair[0])
    page.fill("#route-to", pair[1])
    page.click("#route-plan")
    return pair


def _pick_scenarios(page: Any, a: str, b: str) -> None:
    """Choose scenarios A and B with plain clicks."""
    page.check(f"#scenario-picker input[name=scenario-a][value='{a}']")
    page.check(f"#scenario-picker input[name=scenario-b][value='{b}']")


def _distinct_colours(png: bytes) -> int:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").resize((160, 100))
    return len(image.getcolors(maxcolors=160 * 100) or [])


def test_page_loads_with_a_non_empty_map(page: Any, base_url: str, screenshots: Path) -> None:
    _open(page, base_url)
    counts = page.evaluate(
        """() => ({
            links: caravanMap.querySourceFeatures('links').length,
            rendered: caravanMap.queryRenderedFeatures(
                {layers: ['links-solid', 'links-dashed']}).length,
            nodes: caravanMap.queryRenderedFeatures({layers: ['nodes']}).length,
            countries: caravanMap.queryRenderedFeatures({layers: ['countries-fill']}).length,
            layers: caravanMap.getStyle().layers.map((l) => l.id),
            glyphs: caravanMap.getStyle().glyphs || null,
        })"""
    )
    assert counts["links"] > 0 and counts["rendered"] > 0
    assert counts["nodes"] > 0 and counts["countries"] > 0
    assert counts["glyphs"] is None
    assert {"links-solid", "links-dashed", "nodes", "route-line", "compare"} <= set(
        counts["layers"]
    )
    png = page.locator("#map canvas").screenshot()
    assert _distinct_colours(png) > 8, "the map canvas looks blank"
    page.screenshot(path=str(screenshots / "1-map.png"))
    # The project picker highlights its links.
    options = page.eval_on_selector_all(
        "#project-picker option", "els => els.map(e => e.value).filter(Boolean)"
    )
    assert options
    page.select_option("#project-picker", options[0])
    page.wait_for_selector("#project-card:not([hidden])")
    highlighted = page.evaluate("caravanMap.getSource('project')._data.features.length")
    assert highlighted > 0


def test_mode_colours_come_from_the_atlas(page: Any, served_atlas: Atlas) -> None:
    """The map and its legend draw each mode in the colour ``modes.yaml`` gives it (served as
    ``mode_colours``), not in colours written into the page."""
    rail = next(m for m in served_atlas.modes if m.mode == "rail")
    recoloured = dataclasses.replace(
        served_atlas,
        modes=tuple(
            dataclasses.replace(m, traits=dataclasses.replace(m.traits, colour="#123456"))
            if m is rail
            else m
            for m in served_atlas.modes
        ),
    )
    with _server(recoloured) as url:
        _open(page, url)
        paint = page.evaluate("caravanMap.getPaintProperty('links-solid', 'line-color')")
        legend = page.eval_on_selector_all(
            "#legend .legend-row",
            "rows => rows.filter(r => r.querySelector('.swatch'))"
            ".map(r => [r.textContent, r.querySelector('.swatch').style.borderColor])",
        )
    served = {m: t.colour for m, t in recoloured.mode_traits.items()}
    assert paint[:2] == ["match", ["get", "mode"]]
    assert dict(zip(paint[2:-1:2], paint[3:-1:2], strict=True)) == served
    assert served["rail"] == "#123456"
    assert ["rail", "rgb(18, 52, 86)"] in legend


def test_plan_a_route_through_the_ui(page: Any, base_url: str, screenshots: Path) -> None:
    pair = _plan_route(page, base_url, OD_PAIRS)
    page.wait_for_selector("#route-by-country tr[data-country]")
    countries = page.eval_on_selector_all(
        "#route-by-country tr[data-country]", "rows => rows.map(r => r.dataset.country)"
    )
    assert len(countries) >= 2, countries
    assert page.locator("#route-summary tbody tr").count() >= 1
    assert "error" not in (page.get_attribute("#route-message", "class") or "")
    drawn = page.evaluate("caravanMap.getSource('route')._data.features.length")
    assert drawn > 0
    page.wait_for_function("() => caravanMap.loaded()")
    page.screenshot(path=str(screenshots / "2-route.png"))
    # A misspelt place shows the error and its suggestions, not a blank panel.
    page.fill("#route-from", pair[0][:-1] + "x")
    page.click("#route-plan")
    page.wait_for_selector("#route-message.error")
    assert "unknown place" in page.inner_text("#route-message")


def test_compare_two_scenarios(page: Any, scenarios_url: str, screenshots: Path) -> None:
    pytest.importorskip("caravan.results.runs", reason="scenario runs (issue 5) not available")
    import httpx

    names = [s["name"] for s in httpx.get(scenarios_url + "/api/scenarios").json()]
    _open(page, scenarios_url)
    page.click("nav.tabs button[data-tab=scenarios]")
    a = next((n for n in names if n.startswith("baseline")), names[0])
    b = next(n for n in names if n != a)
    _pick_scenarios(page, a, b)
    page.click("#scenario-compare")
    page.wait_for_selector("#compare-countries tbody tr, #scenario-message.error", timeout=90_000)
    assert "error" not in (page.get_attribute("#scenario-message", "class") or ""), page.inner_text(
        "#scenario-message"
    )
    rows = page.locator("#compare-countries tbody tr").count()
    assert rows >= 1
    changed = page.evaluate("caravanMap.getSource('compare')._data.features.length")
    page.wait_for_function("() => caravanMap.loaded()")
    page.screenshot(path=str(screenshots / "3-compare.png"))
    assert changed > 0
    # The flows of scenario A, drawn by width, with its transit table.
    page.click("#scenario-flows")
    page.wait_for_selector("#run-countries, #scenario-message.error", timeout=90_000)
    assert page.evaluate("caravanMap.getSource('flows')._data.features.length") > 0


def test_api_docs_page_renders_offline(page: Any, base_url: str, screenshots: Path) -> None:
    page.goto(base_url + "/docs")
    page.wait_for_selector("section.op")
    paths = page.eval_on_selector_all("section.op h3", "els => els.map(e => e.textContent)")
    assert any("/api/route" in p for p in paths)
    # "Try it" calls the API from the page and shows the JSON error of a bad request.
    form = page.locator("form.try[data-path='/api/route']")
    form.locator("input[name=from]").fill("Nowhere-at-all")
    form.locator("input[name=to]").fill("Nowhere-either")
    form.locator("button").click()
    page.wait_for_function(
        "() => document.querySelector(\"form.try[data-path='/api/route'] pre\").textContent"
        ".startsWith('404')"
    )
    page.screenshot(path=str(screenshots / "4-docs.png"), full_page=False)


def test_uncertainty_chart_after_a_comparison(
    page: Any, scenarios_url: str, screenshots: Path
) -> None:
    pytest.importorskip("caravan.ensemble", reason="ensembles (issue 8) not available")
    import httpx

    names = [s["name"] for s in httpx.get(scenarios_url + "/api/scenarios").json()]
    a = next(
        (n for n in names if n.startswith("baseline")), "base" if "base" in names else names[0]
    )
    b = next(
        (n for n in ("kabul-corridor", "no-afg-border") if n in names and n != a),
        next(n for n in names if n != a),
    )
    _open(page, scenarios_url)
    page.click("nav.tabs button[data-tab=scenarios]")
    assert page.is_disabled("#scenario-uncertainty"), "needs a comparison first"
    _pick_scenarios(page, a, b)
    page.click("#scenario-compare")
    page.wait_for_selector("#compare-countries tbody tr, #scenario-message.error", timeout=60_000)
    page.wait_for_selector("#scenario-uncertainty:not([disabled])")
    page.fill("#ensemble-draws", "100")
    page.click("#scenario-uncertainty")
    page.wait_for_selector(
        "#uncertainty-chart, #uncertainty-none, #scenario-message.error", timeout=60_000
    )
    message = page.inner_text("#scenario-message")
    assert "error" not in (page.get_attribute("#scenario-message", "class") or ""), message
    assert "100 draws" in page.inner_text("#uncertainty-meta")
    chart = page.evaluate(
        """() => {
            const svg = document.querySelector('#uncertainty-chart');
            const rows = [...svg.querySelectorAll('g.band-row')];
            return {
                rows: rows.map((g) => g.dataset.country),
                bands: svg.querySelectorAll('line.band').length,
                means: svg.querySelectorAll('circle.mean').length,
                table: [...document.querySelectorAll('#uncertainty-table tbody tr')]
                    .map((r) => r.dataset.country),
            };
        }"""
    )
    assert chart["rows"], "no country in the chart"
    assert chart["bands"] == chart["means"] == len(chart["rows"])
    assert chart["table"] == chart["rows"]
    headers = page.eval_on_selector_all(
        "#uncertainty-table th", "els => els.map(e => e.textContent)"
    )
    assert "P(gain)" in headers and "P(loss)" in headers
    page.evaluate("document.querySelector('#uncertainty-result').scrollIntoView({block: 'start'})")
    page.screenshot(path=str(screenshots / "5-uncertainty.png"))


def test_risk_layer_with_event_popups(page: Any, base_url: str, screenshots: Path) -> None:
    _open(page, base_url)
    page.check("#risk-toggle")
    page.wait_for_selector("#risk-zones-table tbody tr, #risk-message.error")
    assert "error" not in (page.get_attribute("#risk-message", "class") or ""), page.inner_text(
        "#risk-message"
    )
    page.wait_for_function("() => caravanMap.loaded()")
    counts = page.evaluate(
        """() => ({
            links: caravanMap.queryRenderedFeatures({layers: ['risk-links']}).length,
            nodes: caravanMap.queryRenderedFeatures({layers: ['risk-nodes']}).length,
            events: caravanMap.getSource('events')._data.features.length,
            risky: caravanMap.getSource('risk-links')._data.features
                .filter((f) => f.properties.risk > 0).length,
        })"""
    )
    assert counts["links"] > 0 and counts["nodes"] > 0, counts
    assert counts["risky"] > 0, counts
    if counts["events"]:
        # Click the first event's circle: the popup shows its date, type, actors and sources.
        point = page.evaluate(
            """() => {
                const f = caravanMap.getSource('events')._data.features[0];
                const p = caravanMap.project(f.geometry.coordinates);
                return {x: p.x, y: p.y, date: f.properties.event_date};
            }"""
        )
        page.locator("#map canvas").click(position={"x": point["x"], "y": point["y"]})
        page.wait_for_selector(".event-popup")
        text = page.inner_text(".event-popup")
        assert "sources" in text and "actors" in text
    page.screenshot(path=str(screenshots / "6-risk.png"))
    # A date before the atlas's events: fewer (or no) events drawn.
    page.fill("#risk-as-of", "2000-01-01")
    page.dispatch_event("#risk-as-of", "change")
    page.wait_for_function(
        "() => document.querySelector('#risk-message').textContent.startsWith('Risk as of 2000')"
    )
    assert page.evaluate("caravanMap.getSource('events')._data.features.length") == 0
    page.uncheck("#risk-toggle")
    assert page.evaluate("caravanMap.getLayoutProperty('risk-links', 'visibility')") == "none"


def test_events_along_a_planned_route(page: Any, base_url: str, screenshots: Path) -> None:
    _plan_route(page, base_url, [("Termez", "Peshawar"), *OD_PAIRS])
    page.wait_for_selector("#route-events-table tbody tr, #route-no-events")
    assert "50 km" in page.inner_text("#route-events-rule")
    rows = page.locator("#route-events-table tbody tr").count()
    if rows:
        # Clicking an event opens its popup on the map.
        page.click("#route-events-table tbody tr >> nth=0")
        page.wait_for_selector(".event-popup")
    else:
        assert "No events along this route" in page.inner_text("#route-no-events")
    page.locator("#route-events").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "7-route-events.png"))


#: The link ids of the best route drawn on the map.
_BEST_ROUTE_LINKS = """() => caravanMap.getSource('route')._data.features
    .filter((f) => f.properties.rank === 1).map((f) => f.properties.link_id)"""


def test_route_on_a_day_names_the_closure_in_force(
    page: Any, base_url: str, served_atlas: Atlas, screenshots: Path
) -> None:
    """The route tab's day: inside the October 2025 Afghanistan-Pakistan closure Kandahar-Chaman
    avoids the Spin Boldak road and the closure is listed with its sources; in June 2024 the
    road is taken, no warning, and the network's year follows the day."""
    if "afpak-closure-2025-10" not in {e.event_id for e in served_atlas.status_events}:
        pytest.skip("the served atlas has no Afghanistan-Pakistan closure")
    _open(page, base_url)
    page.click("nav.tabs button[data-tab=route]")
    page.fill("#route-from", "Kandahar")
    page.fill("#route-to", "Chaman")
    page.fill("#route-date", "2025-10-20")
    page.click("#route-plan")
    page.wait_for_selector("#route-warnings li.warning")
    assert page.get_attribute("#route-warnings li.warning", "data-event") == "afpak-closure-2025-10"
    assert page.locator("#route-warnings li.warning a").count() >= 1  # its sources, linked
    assert "links as on 2025-10-20" in page.inner_text("#route-message")
    assert "rd-spin-boldak-chaman" not in page.evaluate(_BEST_ROUTE_LINKS)
    page.screenshot(path=str(screenshots / "8-route-date.png"))
    page.fill("#route-date", "2024-06-01")
    assert page.input_value("#route-year") == "2024"
    page.click("#route-plan")
    page.wait_for_function(
        "() => document.querySelector('#route-message').textContent.includes('2024-06-01')"
    )
    assert page.locator("#route-warnings li").count() == 0
    assert "rd-spin-boldak-chaman" in page.evaluate(_BEST_ROUTE_LINKS)


# -- one layer set per view, labels, names, multi-select, narrow windows (issue 21) ----------

_VIEW_LAYERS = {
    "atlas": ["project-halo"],
    "route": ["route-casing", "route-line"],
    "scenarios": ["flows", "compare"],
    "risk": ["risk-links", "risk-nodes", "events"],
}


def _visible_sets(page: Any) -> list[str]:
    """The views whose layers are on the map now (exactly one is wanted)."""
    visible = page.evaluate(
        """(sets) => Object.entries(sets).filter(([, ids]) =>
            ids.some((id) => caravanMap.getLayoutProperty(id, 'visibility') !== 'none'))
            .map(([view]) => view)""",
        _VIEW_LAYERS,
    )
    return list(visible)


def _labels(page: Any) -> list[str]:
    return list(
        page.eval_on_selector_all(
            "#place-labels .place-label", "els => els.map(e => e.textContent)"
        )
    )


def _no_sideways_scroll(page: Any) -> dict[str, int]:
    sizes: dict[str, int] = page.evaluate(
        """() => ({
            doc: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            panel: document.querySelector('#panel').scrollWidth
                - document.querySelector('#panel').clientWidth,
        })"""
    )
    return sizes


def test_each_view_shows_one_layer_set_with_labels(
    page: Any, scenarios_url: str, screenshots: Path
) -> None:
    """Map, route, comparison and risk views: one layer set each, place names on the map."""
    pytest.importorskip("caravan.results.runs", reason="scenario runs not available")
    import httpx

    scenarios = httpx.get(scenarios_url + "/api/scenarios").json()
    places = {p["name"] for p in httpx.get(scenarios_url + "/api/places").json()}
    _open(page, scenarios_url)
    assert _visible_sets(page) == ["atlas"]
    labels = _labels(page)
    assert labels and set(labels) <= places, labels
    page.screenshot(path=str(screenshots / "view-1-map.png"))
    # Zoomed in, more places are named.
    page.evaluate("caravanMap.jumpTo({zoom: caravanMap.getZoom() + 2.5})")
    page.wait_for_function("() => caravanMap.loaded()")
    page.wait_for_timeout(200)
    assert _labels(page), "no labels after zooming in"
    page.evaluate("caravanMap.jumpTo({zoom: caravanMap.getZoom() - 2.5})")

    pair = _plan_route(page, scenarios_url, OD_PAIRS)
    page.wait_for_selector("#route-summary tbody tr")
    assert _visible_sets(page) == ["route"]
    message = page.inner_text("#route-message")
    assert f"from {pair[0]} to {pair[1]}" in message, message
    assert "route(s)" not in message
    page.wait_for_function("() => caravanMap.loaded()")
    page.screenshot(path=str(screenshots / "view-2-route.png"))

    page.click("nav.tabs button[data-tab=scenarios]")
    assert _visible_sets(page) == ["scenarios"], "the route stayed on the comparison view"
    names = [s["name"] for s in scenarios]
    a = next((n for n in names if n.startswith("baseline")), names[0])
    b = next(n for n in names if n != a)
    _pick_scenarios(page, a, b)
    page.click("#scenario-compare")
    page.wait_for_selector("#compare-countries tbody tr, #scenario-message.error", timeout=90_000)
    assert _visible_sets(page) == ["scenarios"]
    page.wait_for_function("() => caravanMap.loaded()")
    page.screenshot(path=str(screenshots / "view-3-comparison.png"))

    page.click("nav.tabs button[data-tab=atlas]")
    page.check("#risk-toggle")
    page.wait_for_selector("#risk-zones-table tbody tr, #risk-message.error")
    assert _visible_sets(page) == ["risk"], "route or comparison layers stayed on the risk view"
    assert page.evaluate("caravanMap.getLayoutProperty('links-solid', 'visibility')") == "none"
    page.wait_for_function("() => caravanMap.loaded()")
    assert _labels(page)
    page.screenshot(path=str(screenshots / "view-4-risk.png"))
    # Back on the route tab, the route comes back and the risk layer goes.
    page.click("nav.tabs button[data-tab=route]")
    assert _visible_sets(page) == ["route"]


def test_several_projects_open_with_plain_clicks(page: Any, base_url: str) -> None:
    _open(page, base_url)
    page.click("nav.tabs button[data-tab=route]")
    boxes = page.locator("#route-open input[type=checkbox]")
    if boxes.count() < 2:
        pytest.skip("the atlas has fewer than two projects to open")
    boxes.nth(0).click()
    boxes.nth(1).click()
    assert page.locator("#route-open input:checked").count() == 2
    assert "2 ticked" in page.inner_text("#route-open-count")
    import httpx

    pair = next(
        (o, d)
        for o, d in OD_PAIRS
        if httpx.get(base_url + "/api/route", params={"from": o, "to": d}).status_code == 200
    )
    page.fill("#route-from", pair[0])
    page.fill("#route-to", pair[1])
    with page.expect_response(lambda r: "/api/route?" in r.url) as answer:
        page.click("#route-plan")
    opened = answer.value.json()["query"]["open"]
    assert len(opened) == 2, opened
    page.wait_for_selector("#route-message:not(:empty)")
    assert " open" in page.inner_text("#route-message")
    # Every project's name shows whole (wrapped, never cut).
    cut = page.eval_on_selector_all(
        "#route-open .check-row",
        "rows => rows.filter(r => r.scrollWidth > r.clientWidth + 1).length",
    )
    assert cut == 0


def test_scenario_titles_and_choices_are_never_cut(page: Any, scenarios_url: str) -> None:
    _open(page, scenarios_url)
    page.click("nav.tabs button[data-tab=scenarios]")
    page.wait_for_selector("#scenario-picker tbody tr")
    cut = page.eval_on_selector_all(
        "#scenario-picker td.scenario-title",
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)",
    )
    assert cut == [], cut
    # The commodity drop-down's longest name fits its box.
    page.click("nav.tabs button[data-tab=route]")
    too_wide = page.evaluate(
        """() => {
            const ctx = document.createElement('canvas').getContext('2d');
            const sel = document.getElementById('route-commodity');
            const style = getComputedStyle(sel);
            ctx.font = style.fontSize + ' ' + style.fontFamily;
            return [...sel.options].filter((o) =>
                ctx.measureText(o.text).width > sel.getBoundingClientRect().width - 30
            ).map((o) => o.text);
        }"""
    )
    assert too_wide == [], too_wide


def test_narrow_window_has_no_sideways_scroll(
    browser: Any, scenarios_url: str, screenshots: Path
) -> None:
    context = browser.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _open(page, scenarios_url)
        for tab in ("atlas", "route", "scenarios"):
            page.click(f"nav.tabs button[data-tab={tab}]")
            assert _no_sideways_scroll(page) == {"doc": 0, "panel": 0}, tab
        boxes = page.evaluate(
            """() => ['#map', '#panel'].map((s) => {
                const r = document.querySelector(s).getBoundingClientRect();
                return {w: r.width, h: r.height};
            })"""
        )
        # The map keeps the full width on top; the panel goes below it, not beside it.
        assert boxes[0]["w"] >= 790 and boxes[0]["h"] >= 0.4 * 900, boxes
        page.click("nav.tabs button[data-tab=atlas]")
        assert _labels(page)
        page.screenshot(path=str(screenshots / "view-5-narrow-800px.png"))
    finally:
        context.close()
