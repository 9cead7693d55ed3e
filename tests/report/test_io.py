"""Writing the brief: atomic HTML, clear errors, and PDF through Chromium or a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from caravan.errors import InputError
from caravan.io import report as io_report
from caravan.io.report import PdfConverterError, write_brief_html, write_brief_pdf
from tests.report.helpers import CHROMIUM


def test_html_written_atomically(tmp_path: Path) -> None:
    target = tmp_path / "out" / "brief.html"
    assert write_brief_html("<p>é</p>", target) == target
    assert target.read_text(encoding="utf-8") == "<p>é</p>"
    write_brief_html("<p>new</p>", target)
    assert target.read_text(encoding="utf-8") == "<p>new</p>"
    assert sorted(p.name for p in target.parent.iterdir()) == ["brief.html"]  # no temp left


def test_folder_or_unwritable_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        write_brief_html("x", tmp_path)
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="cannot write"):
        write_brief_html("x", blocker / "brief.html")


def test_pdf_without_converter_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = write_brief_html("<p>x</p>", tmp_path / "b.html")
    monkeypatch.setattr(io_report, "find_pdf_converter", lambda: None)
    with pytest.raises(PdfConverterError) as info:
        write_brief_pdf(html)
    message = str(info.value)
    assert "apt-get install chromium" in message and "pip install weasyprint" in message
    assert not (tmp_path / "b.pdf").exists()


@pytest.mark.browser
@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Chromium at $CARAVAN_CHROMIUM or /usr/bin/chromium"
)
def test_pdf_with_chromium(tmp_path: Path) -> None:
    html = write_brief_html("<h1>Brief</h1><p>numbers</p>", tmp_path / "b.html")
    pdf = write_brief_pdf(html)
    assert pdf == tmp_path / "b.pdf"
    assert pdf.read_bytes()[:4] == b"%PDF"
