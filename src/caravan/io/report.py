"""Writing analyst briefs: the HTML file, and a PDF of it made by a converter found here.

Every write goes to a temporary file beside the target and is then renamed into place, so a
reader never sees half a brief. PDF converters, tried in order: Chromium headless
(``--print-to-pdf``), then WeasyPrint when it is importable.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from caravan.errors import CaravanError, InputError
from caravan.io._atomic import write_bytes_atomic

__all__ = [
    "CHROMIUM_ENV",
    "CHROMIUM_FLAGS",
    "CHROMIUM_OFFLINE_FLAGS",
    "PdfConverterError",
    "brief_template_text",
    "find_pdf_converter",
    "write_brief_html",
    "write_brief_pdf",
]

#: Flags that keep Chromium from reaching the network or needing a sandbox (also for a browser
#: driven by Playwright, which adds ``--headless`` itself).
CHROMIUM_OFFLINE_FLAGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
#: Flags of the headless Chromium that prints a brief to PDF.
CHROMIUM_FLAGS: tuple[str, ...] = ("--headless", *CHROMIUM_OFFLINE_FLAGS)
#: Environment variable naming the Chromium executable to use (looked at first).
CHROMIUM_ENV = "CARAVAN_CHROMIUM"
#: Where to look for Chromium after ``CARAVAN_CHROMIUM``, in order (names are looked up on PATH).
CHROMIUM_CANDIDATES: tuple[str, ...] = (
    "/usr/bin/chromium",
    "chromium",
    "chromium-browser",
    "google-chrome",
)
#: Seconds a converter may take before it is stopped.
PDF_TIMEOUT_S = 180.0

_INSTALL_HINT = (
    "install one: 'apt-get install chromium' (Debian/Ubuntu) or 'pip install weasyprint'; "
    "or open the HTML brief in a browser and print it to PDF"
)


class PdfConverterError(CaravanError, RuntimeError):
    """No PDF converter is available, or the one found failed; the message says what to do."""


def brief_template_text(name: str = "brief.html.j2") -> str:
    """The text of a brief template shipped in ``caravan/briefs/templates/``.

    Examples
    --------
    >>> "<html" in brief_template_text()
    True
    """
    path = resources.files("caravan") / "briefs" / "templates" / name
    if not path.is_file():
        msg = f"the brief template {name!r} is missing from the install; reinstall caravan"
        raise CaravanError(msg)
    return path.read_text(encoding="utf-8")


def _atomic_bytes(data: bytes, target: Path) -> Path:
    if target.exists() and target.is_dir():
        msg = f"{str(target)!r} is a folder; give a file name for the brief, e.g. brief.html"
        raise InputError(msg)
    try:
        write_bytes_atomic(data, target)
    except OSError as exc:
        msg = f"cannot write {str(target)!r}: {exc.strerror or exc}; choose another --out"
        raise InputError(msg) from None
    return target


def write_brief_html(html: str, path: str | Path) -> Path:
    """Write a brief's HTML text (UTF-8) atomically.

    Parameters
    ----------
    html : str
        The whole document.
    path : str or Path
        The file to write; its folder is created when missing.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    InputError
        When ``path`` is a folder or cannot be written (the message names it).
    """
    return _atomic_bytes(html.encode("utf-8"), Path(path))


def find_pdf_converter() -> tuple[str, str] | None:
    """The first PDF converter available: ``("chromium", executable)`` or ``("weasyprint", "")``.

    Chromium is looked for at ``$CARAVAN_CHROMIUM`` first, then at :data:`CHROMIUM_CANDIDATES`.

    Returns ``None`` when there is none.
    """
    chosen = os.environ.get(CHROMIUM_ENV)
    for candidate in (chosen, *CHROMIUM_CANDIDATES) if chosen else CHROMIUM_CANDIDATES:
        found = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if found and os.path.isfile(found) and os.access(found, os.X_OK):
            return ("chromium", found)
    if importlib.util.find_spec("weasyprint") is not None:
        return ("weasyprint", "")
    return None


def _chromium_pdf(executable: str, html_path: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="caravan-chromium-") as profile:
        cmd = [
            executable,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            html_path.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired:
            msg = f"Chromium took longer than {PDF_TIMEOUT_S:.0f} s to print the brief to PDF"
            raise PdfConverterError(msg) from None
    if not out.is_file() or out.read_bytes()[:4] != b"%PDF":
        tail = (done.stderr or "").strip().splitlines()[-3:]
        msg = f"Chromium ({executable}) did not write a PDF: " + (" | ".join(tail) or "no output")
        raise PdfConverterError(msg)


def _weasyprint_pdf(html_path: Path, out: Path) -> None:
    weasyprint = importlib.import_module("weasyprint")
    try:
        weasyprint.HTML(filename=str(html_path)).write_pdf(str(out))
    except Exception as exc:  # the converter's own errors are not Caravan's
        raise PdfConverterError(f"WeasyPrint could not convert the brief: {exc}") from None


def write_brief_pdf(html_path: str | Path, pdf_path: str | Path | None = None) -> Path:
    """Print a written HTML brief to PDF with the first converter available.

    Parameters
    ----------
    html_path : str or Path
        The brief written by :func:`write_brief_html`.
    pdf_path : str or Path, optional
        Where to write the PDF (default: beside the HTML, with the suffix ``.pdf``).

    Returns
    -------
    Path
        The PDF written.

    Raises
    ------
    PdfConverterError
        When no converter is installed (naming what to install) or the converter fails.
    InputError
        When the PDF cannot be written there.
    """
    source = Path(html_path)
    target = Path(pdf_path) if pdf_path is not None else source.with_suffix(".pdf")
    converter = find_pdf_converter()
    if converter is None:
        raise PdfConverterError(f"no PDF converter found; {_INSTALL_HINT}")
    kind, executable = converter
    with tempfile.TemporaryDirectory(prefix="caravan-pdf-") as work:
        tmp = Path(work) / "brief.pdf"
        if kind == "chromium":
            _chromium_pdf(executable, source, tmp)
        else:
            _weasyprint_pdf(source, tmp)
        return _atomic_bytes(tmp.read_bytes(), target)
