"""Analyst briefs: a self-contained HTML (or PDF) report of a scenario comparison.

``caravan.report(run_a, run_b, path)`` is :func:`report` here (the package is named
``briefs`` so that ``caravan.report`` stays a function, never shadowed by a subpackage).

Examples
--------
>>> from pathlib import Path
>>> import tempfile
>>> import caravan
>>> from caravan.model.scenario import Scenario
>>> from caravan.results.runs import run_scenario
>>> atlas = caravan.load_atlas(Path(caravan.__file__).parents[2] / "tests/data/tiny-atlas")
>>> a = run_scenario(Scenario(name="base", description="as is", year=2025), atlas=atlas)
>>> b = run_scenario(Scenario(name="rail", description="rail opens", year=2030,
...                           open_projects=("chabahar-zahedan",)), atlas=atlas)
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = report(a, b, Path(tmp) / "brief.html")
...     path.name, path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
('brief.html', True)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from caravan.briefs.brief import SECTIONS, UNCERTAINTY, Brief, build_brief, sections_of
from caravan.errors import InputError
from caravan.io.report import write_brief_html, write_brief_pdf
from caravan.pipeline import Pipeline

if TYPE_CHECKING:
    from caravan.ensemble import EnsembleResult
    from caravan.results.compare import Comparison

__all__ = [
    "DEMO_COMPARISON",
    "DEMO_ENSEMBLE_DRAWS",
    "SECTIONS",
    "UNCERTAINTY",
    "Brief",
    "build_brief",
    "report",
    "sections_of",
    "write_demo_brief",
]

#: The shipped comparison ``make demo`` writes a brief for: (scenario A, scenario B).
DEMO_COMPARISON: tuple[str, str] = ("baseline-2025", "kabul-corridor")

#: Draws of the ensemble in the demo brief (in-process: about 2 s on the shipped atlas).
DEMO_ENSEMBLE_DRAWS = 200


def report(
    run_a: Any,
    run_b: Any,
    path: str | Path,
    *,
    pdf: bool = False,
    ensemble: EnsembleResult | None = None,
    **options: Any,
) -> Path:
    """Write the analyst brief comparing run B against run A as one self-contained HTML file.

    Parameters
    ----------
    run_a, run_b : RunResult
        The reference run (A) and the what-if (B), from
        :func:`caravan.results.runs.run_scenario`.
    path : str or Path
        The HTML file to write (replaced atomically).
    pdf : bool
        Also print the brief to PDF beside it (same name, suffix ``.pdf``), with Chromium
        headless or WeasyPrint.
    ensemble : EnsembleResult, optional
        An ensemble of B with A as its reference
        (``run_ensemble(B, reference=A)``): the brief gains the section ``uncertainty``.
    **options
        Passed to :func:`build_brief` (``top_flows``, ``top_corridors``, ``top_links``,
        ``ensemble_spec``, ...).

    Returns
    -------
    Path
        The HTML file written.

    Raises
    ------
    InputError
        When ``path`` is a folder or cannot be written, or ``ensemble`` is not of B against A.
    PdfConverterError
        With ``pdf=True``, when no converter is installed (the HTML is written first; the
        message says what to install) or the converter fails.
    """

    brief = build_brief(run_a, run_b, ensemble=ensemble, **options)
    written = write_brief_html(brief.html, path)
    if pdf:
        write_brief_pdf(written, written.with_suffix(".pdf"))
    return written


def write_demo_brief(
    atlas: Any,
    out_dir: str | Path,
    *,
    comparison: tuple[str, str] = DEMO_COMPARISON,
    progress: Callable[[str, int, int], None] | None = None,
    ensemble_draws: int | None = DEMO_ENSEMBLE_DRAWS,
    pipeline: Pipeline | None = None,
    compared: Comparison | None = None,
) -> Path:
    """Run a shipped comparison and write its brief into ``out_dir`` (for ``make demo``).

    The brief includes an ensemble of B against A (``ensemble_draws`` draws in this process,
    with the seed and probabilities of scenario B's ``ensemble:`` section).

    Parameters
    ----------
    atlas : Atlas
        The atlas holding the scenarios (the shipped one for the demo).
    out_dir : str or Path
        Folder for the brief; the file is named ``brief-<A>-vs-<B>.html``.
    comparison : (str, str)
        Scenario names A and B.
    progress : callable, optional
        Passed to :func:`caravan.results.runs.run_scenario` as ``progress(stage, done, total)``;
        the ensemble reports as stage ``"ensemble"``.
    ensemble_draws : int or None
        Draws of the ensemble; None or 0 for a brief without one.
    pipeline : Pipeline, optional
        The pipeline to run on (one of its own on ``atlas`` by default): the demo passes its
        own, so scenarios it has already routed are not routed again.
    compared : Comparison, optional
        The comparison of A and B when the caller has it already (``pipeline.compare(A, B)``);
        it must be of the two scenarios named in ``comparison``.

    Returns
    -------
    Path
        The brief written.
    """

    pipeline = pipeline if pipeline is not None else Pipeline(atlas)
    name_a, name_b = comparison
    if compared is None:
        compared = pipeline.compare(name_a, name_b, progress=progress)  # one choice set per flow
    elif (compared.a.scenario.name, compared.b.scenario.name) != (name_a, name_b):
        msg = (
            f"the comparison given is {compared.a.scenario.name} vs {compared.b.scenario.name}, "
            f"not {name_a} vs {name_b}"
        )
        raise InputError(msg)
    run_a, run_b = compared.a, compared.b
    ensemble = spec = None
    if ensemble_draws:
        spec = pipeline.ensemble_spec(run_b.scenario, draws=ensemble_draws)
        ensemble = pipeline.ensemble(
            run_b.scenario,
            reference=run_a.scenario,
            spec=spec,
            executor="in-process",
            progress=None if progress is None else lambda d, t: progress("ensemble", d, t),
        )
    return report(
        run_a,
        run_b,
        Path(out_dir) / f"brief-{name_a}-vs-{name_b}.html",
        ensemble=ensemble,
        ensemble_spec=spec,
    )
