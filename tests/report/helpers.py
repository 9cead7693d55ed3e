"""Reading a brief back: its tables' exact numbers, citations, sources and images."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from caravan.io.report import CHROMIUM_OFFLINE_FLAGS

#: The Chromium the browser tests drive: ``CARAVAN_CHROMIUM``, default ``/usr/bin/chromium``.
CHROMIUM = os.environ.get("CARAVAN_CHROMIUM", "/usr/bin/chromium")
#: Flags that keep headless Chromium off the network (see docs/ENVIRONMENT.md).
CHROMIUM_ARGS = list(CHROMIUM_OFFLINE_FLAGS)


@dataclass
class ParsedBrief:
    """What a brief's HTML holds, read with the standard library's parser."""

    ids: list[str] = field(default_factory=list)
    numbers: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    texts: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    rows: dict[str, list[str]] = field(default_factory=dict)
    cites: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    urls: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, value)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = ParsedBrief()
        self.table: str | None = None
        self.row: str | None = None
        self.col: str | None = None
        self.buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.out.ids.append(a["id"])
        for key in ("src", "href", "data", "poster", "srcset", "action"):
            if key in a:
                self.out.urls.append((tag, key, a[key]))
        if tag == "img":
            self.out.images.append(a.get("src", ""))
        if tag == "table" and "data-table" in a:
            self.table = a["data-table"]
            self.out.numbers.setdefault(self.table, {})
            self.out.texts.setdefault(self.table, {})
            self.out.rows.setdefault(self.table, [])
        if tag == "tr" and self.table and "data-row" in a:
            self.row = a["data-row"]
            self.out.rows[self.table].append(self.row)
        if tag == "td" and self.table and self.row is not None:
            self.col = a.get("data-col")
            self.buf = []
            if "data-value" in a:
                self.out.numbers[self.table].setdefault(self.row, {})[str(self.col)] = float(
                    a["data-value"]
                )
        if "data-cite" in a:
            self.out.cites.append(a["data-cite"])
        if "data-source-id" in a:
            self.out.sources.append(a["data-source-id"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.table and self.row is not None and self.col is not None:
            text = "".join(self.buf).strip()
            self.out.texts[self.table].setdefault(self.row, {})[self.col] = text
            self.col = None
        if tag == "tr":
            self.row = None
        if tag == "table":
            self.table = None

    def handle_data(self, data: str) -> None:
        if self.col is not None:
            self.buf.append(data)


def parse_brief(html: str) -> ParsedBrief:
    """Parse a brief's HTML."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.out


BASE_YAML = """\
name: base
title: Baseline
description: The tiny atlas as it is.
year: 2025
"""
RAIL_YAML = """\
name: rail
title: Rail to Kandahar
description: Chabahar-Zahedan railway opens.
base: base
year: 2030
open_projects: [chabahar-zahedan]
source_ids: [umarova-2025-chabahar-gwadar]
ensemble:
  seed: 7
  project_completion:
    chabahar-zahedan: {2026: 0.5, 2029: 0.8}
"""


def write_scenarios(atlas_folder: Path) -> None:
    """Add the ``base`` and ``rail`` scenario files to a scratch atlas copy."""
    folder = atlas_folder / "scenarios"
    folder.mkdir(exist_ok=True)
    (folder / "base.yaml").write_text(BASE_YAML, encoding="utf-8")
    (folder / "rail.yaml").write_text(RAIL_YAML, encoding="utf-8")
