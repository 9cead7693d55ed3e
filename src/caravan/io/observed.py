"""Reading ``observed.csv``, the observed volumes shipped with an atlas."""

from __future__ import annotations

from pathlib import Path

from caravan.errors import AtlasValidationError, InputError, Problem
from caravan.io._limits import LimitError, read_limited
from caravan.io.atlas import _read_csv
from caravan.model.atlas import Atlas
from caravan.model.counts import (
    OBSERVED_FIELDS,
    OBSERVED_FILE,
    ObservedCount,
    check_counts,
    count_from_record,
)
from caravan.model.modes import modes_where

__all__ = ["load_observed"]


def load_observed(atlas: Atlas, *, path: str | Path | None = None) -> tuple[ObservedCount, ...]:
    """The observed counts of an atlas, checked against its borders, links, ports and sources.

    Parameters
    ----------
    atlas : Atlas
        The atlas the counts refer to.
    path : str or Path, optional
        The CSV file (default: ``observed.csv`` in the atlas folder).

    Raises
    ------
    InputError
        When there is no such file.
    AtlasValidationError
        Listing every problem in the file at once.
    """
    if path is None:
        if atlas.path is None:
            raise InputError("the atlas was not read from a folder: give the observed.csv path")
        path = Path(atlas.path) / OBSERVED_FILE
    file = Path(path)
    if not file.is_file():
        raise InputError(
            f"no observed volumes at {str(file)!r}: add {OBSERVED_FILE} to the atlas folder "
            "(docs/atlas-format.md)"
        )
    problems: list[Problem] = []
    try:
        text = read_limited(file, what=OBSERVED_FILE)
    except LimitError as exc:
        raise AtlasValidationError(
            [Problem(OBSERVED_FILE, exc.line, None, str(exc), exc.fix or "fix the file")],
            source=str(file),
        ) from None
    frame = _read_csv(OBSERVED_FILE, text, problems, OBSERVED_FIELDS)
    rows = [
        (int(r["_line"]), count_from_record({str(k): v for k, v in r.items()}))
        for r in frame.to_dict("records")
    ]
    links = atlas.links_frame
    water = links[links["mode"].isin(modes_where(atlas.mode_traits, lambda t: t.water))]
    problems += check_counts(
        rows,
        border_ids=set(atlas.borders_frame["border_id"]),
        link_ids=set(links["link_id"]),
        node_ids=set(atlas.nodes_frame["node_id"]),
        port_node_ids=set(water["from_node_id"]) | set(water["to_node_id"]),
        countries=set(atlas.countries),
        source_ids={s.source_id for s in atlas.sources},
    )
    if problems:
        raise AtlasValidationError(problems, source=str(file))
    return tuple(c for _, c in rows)
