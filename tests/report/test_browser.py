"""The written brief opens in a real browser with no outside request, and its images render."""

from __future__ import annotations

from pathlib import Path

import pytest

from caravan.briefs import SECTIONS, Brief
from caravan.io.report import write_brief_html
from tests.report.helpers import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="needs Chromium at $CARAVAN_CHROMIUM or /usr/bin/chromium",
    ),
]


def test_opens_offline_with_images(brief: Brief, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    path = write_brief_html(brief.html, tmp_path / "brief.html")
    url = path.resolve().as_uri()
    requested: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: requested.append(r.url))
            page.goto(url, wait_until="load")
            widths = page.eval_on_selector_all(
                "img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)"
            )
            visible = [page.is_visible(f"#{s}") for s in SECTIONS]
            title = page.title()
        finally:
            browser.close()
    outside = [u for u in requested if not u.startswith(("data:", url))]
    assert outside == [], outside
    assert url in requested
    assert len(widths) == 5 and all(w > 0 for w in widths), widths
    assert all(visible)
    assert title == brief.title
